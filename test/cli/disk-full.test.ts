/**
 * A full disk, a read-only mount: training and the commands after it end with one line naming the path, the
 * cause and the fix (exit 2, no stack trace, no temporary file), the last good checkpoint stays loadable, and
 * once space is free `train --resume` ends the run exactly as an uninterrupted one. The disk is a small tmpfs
 * (mounted here as root); where mounting is not allowed, the write helpers' test hook
 * (DISENTANGLE_TEST_WRITE_FAULT) refuses every write while a flag file exists instead.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, hasStackTrace, treeHash, waitForLines, type CliResult } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'cli-disk-full-'));
const disk = join(root, 'disk');
mkdirSync(disk);
/** Whether `disk` is a 2 MiB tmpfs (else the injected fault stands in for it; DISK_FULL_TEST_HOOK=1 forces that). */
const mounted =
  !process.env.DISK_FULL_TEST_HOOK && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]).status === 0;
const flag = join(root, 'fault'); // hook mode: writes are refused while this file exists
const env: Record<string, string> = mounted ? {} : { DISENTANGLE_TEST_WRITE_FAULT: `ENOSPC:${flag}` };
afterAll(() => {
  if (mounted) spawnSync('umount', [disk]);
  rmSync(root, { recursive: true, force: true });
});

const STEPS = 40;
const configFile = join(root, 'config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4 },
    framework: { name: 'betavae', beta: 2 },
    model: { architecture: 'fc', z: 3, hidden: 32 },
    optimizer: { lr: 1e-3 },
    train: { steps: STEPS, batchSize: 8, seed: 5, checkpointEvery: 10, logEvery: 1 },
  }),
);
const ref = join(root, 'ref');
const checkpointOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
const temporaryFiles = (dir: string) => Object.keys(treeHash(dir)).filter((f) => /\.tmp$/.test(f));
/** stderr's lines past the engine's banner and progress output. */
const errorLines = (r: CliResult) => r.stderr.split('\n').filter((l) => /^error/.test(l));

/** Fill the disk so that `room` bytes stay free (tmpfs), or switch the injected fault on. */
function fill(room: number): void {
  if (!mounted) return writeFileSync(flag, '');
  const s = statfsSync(disk);
  writeFileSync(join(disk, 'filler'), Buffer.alloc(Math.max(0, s.bavail * s.bsize - room)));
}
function free(): void {
  rmSync(mounted ? join(disk, 'filler') : flag, { force: true });
}

describe('a full disk during training', () => {
  beforeAll(async () => {
    const r = await cli(['train', '--config', configFile, '--out', ref, '--quiet']);
    if (r.code !== 0) throw new Error(r.stderr);
  });

  it('ends with one line naming the path, cause and fix; the resumed run equals an uninterrupted one', async () => {
    const run = join(disk, 'run');
    const ckptBytes = readFileSync(join(ref, checkpointOf(ref).file)).length;
    let r: CliResult;
    if (mounted) {
      // room for the run's small files and one checkpoint, not for the second beside it
      fill(Math.round(ckptBytes * 1.5));
      r = await cli(['train', '--config', configFile, '--out', run], { env });
    } else {
      const going = cli(['train', '--config', configFile, '--out', run], { env });
      await waitForLines(join(run, 'train.jsonl'), 15);
      fill(0);
      r = await going;
    }
    expect(r.code, r.stderr).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(errorLines(r)).toHaveLength(1);
    expect(errorLines(r)[0]).toMatch(
      new RegExp(
        `^error: no space left on device writing ${run}/(ckpt-\\d+\\.bin|checkpoint\\.json|train\\.jsonl): ` +
          `free space, then \`disentangle train --resume ${run}\`$`,
      ),
    );
    // no partial file: no temporary file, every log line whole, the last good checkpoint readable
    expect(temporaryFiles(run)).toEqual([]);
    expect(existsSync(join(run, '.lock'))).toBe(false);
    const at = checkpointOf(run).step as number;
    expect(at).toBeGreaterThanOrEqual(10);
    expect(at).toBeLessThan(STEPS);
    expect(readFileSync(join(run, checkpointOf(run).file)).length).toBe(ckptBytes);
    const logged = readFileSync(join(run, 'train.jsonl'), 'utf8');
    expect(logged.endsWith('\n')).toBe(true);
    for (const l of logged.split('\n').filter(Boolean)) expect(() => JSON.parse(l)).not.toThrow();
    expect(readdirSync(run).filter((f) => /^ckpt-/.test(f))).toEqual([checkpointOf(run).file]);

    // still full: the resume is refused the same way and changes nothing
    if (mounted) {
      const before = treeHash(run);
      const again = await cli(['train', '--resume', run, '--quiet'], { env });
      expect(again.code).toBe(2);
      expect(errorLines(again)[0]).toMatch(/^error: no space left on device writing .*: free space, then `disentangle/);
      expect(hasStackTrace(again.stderr)).toBe(false);
      expect(treeHash(run)).toEqual(before);
    }

    free();
    const resumed = await cli(['train', '--resume', run, '--quiet'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${run} at step ${at}`);
    expect(
      readFileSync(join(run, checkpointOf(run).file)).equals(readFileSync(join(ref, checkpointOf(ref).file))),
    ).toBe(true);
    expect(readFileSync(join(run, 'train.jsonl'), 'utf8')).toBe(readFileSync(join(ref, 'train.jsonl'), 'utf8'));
  });

  it('evaluate on a full disk: one line, exit 2, the run folder unchanged; a new run leaves no folder', async () => {
    const run = join(disk, 'scored');
    rmSync(run, { recursive: true, force: true });
    spawnSync('cp', ['-r', ref, run]);
    const before = treeHash(run);
    fill(0);
    try {
      const r = await cli(['evaluate', run, '--metrics', 'mig', '--num-train', '200', '--num-test', '100'], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(hasStackTrace(r.stderr)).toBe(false);
      // refused at its lock already (before any work), or at its first output
      expect(errorLines(r)).toHaveLength(1);
      expect(errorLines(r)[0]).toMatch(
        new RegExp(
          `^error: no space left on device writing ${run}/(\\.lock|eval\\.json): free space, then run the command again$`,
        ),
      );
      expect(treeHash(run)).toEqual(before);

      const fresh = join(disk, 'fresh');
      const t = await cli(['train', '--config', configFile, '--out', fresh, '--quiet'], { env });
      expect(t.code, t.stderr).toBe(2);
      expect(errorLines(t)[0]).toMatch(/^error: no space left on device writing .*fresh.*: free space, then /);
      expect(hasStackTrace(t.stderr)).toBe(false);
      // nothing of the failed start is left (a tmpfs with no room may not even hold the empty folder)
      expect(existsSync(fresh) ? readdirSync(fresh) : []).toEqual([]);
    } finally {
      free();
    }
  });

  it('a sweep on a full disk stops starting runs, names the cause and the unfinished runs, exits 1; then resumes', async () => {
    // the injected fault (here in every case): it can be switched on while the first run trains
    const sweepFlag = join(root, 'sweep-fault');
    const faultEnv = { DISENTANGLE_TEST_WRITE_FAULT: `ENOSPC:${sweepFlag}` };
    const out = join(root, 'sweep');
    const args = [
      'sweep',
      '--config',
      configFile,
      '--seeds',
      '2',
      '--out',
      out,
      '--workers',
      '1',
      '--backend',
      'wasm',
      '--quiet',
    ];
    const going = cli(args, { env: faultEnv });
    await waitForLines(join(out, 'runs', 'seed=0', 'train.jsonl'), 15);
    writeFileSync(sweepFlag, '');
    const r = await going;
    expect(r.code, r.stderr).toBe(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: no space left on device writing ${out}/runs/seed=0/\\S+: free space, then \`disentangle sweep --out ${out}\`$`,
        'm',
      ),
    );
    expect(r.stderr).toMatch(/2 run\(s\) not finished: seed=0 \(.*\); seed=1 \(.*\); run the same command again/);
    expect(existsSync(join(out, 'runs', 'seed=1', 'train.jsonl'))).toBe(false); // not started on a full disk
    expect(temporaryFiles(out)).toEqual([]);

    rmSync(sweepFlag);
    const again = await cli(args, { env: faultEnv });
    expect(again.code, again.stderr).toBe(0);
    for (const name of ['seed=0', 'seed=1'])
      expect(JSON.parse(readFileSync(join(out, 'runs', name, 'status.json'), 'utf8')).state).toBe('done');
    // the run stopped by the full disk resumed from its checkpoint: its log is whole, every step once
    const steps = readFileSync(join(out, 'runs', 'seed=0', 'train.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([...Array(STEPS).keys()].map((i) => i + 1));
  });
});
