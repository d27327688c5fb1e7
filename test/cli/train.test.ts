/**
 * Training through the real CLI: one writer per run folder, Ctrl-C / SIGTERM / kill -9 in the middle of a run,
 * resume semantics. Runs are tiny (fc model, 16×16 images) so that each takes seconds. A run to be signalled is
 * configured far longer than it will run, so that the signal always lands mid-run; its resume then ends it at
 * the reference run's length with `--steps`.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, firstErrorLine, hasStackTrace, treeHash, waitForLines, type CliResult } from './helpers.js';

const STEPS = 80;
const config = (steps: number) => ({
  dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4 },
  framework: { name: 'betavae', beta: 2 },
  model: { architecture: 'fc', z: 3, hidden: 32 },
  optimizer: { lr: 1e-3 },
  train: { steps, batchSize: 8, seed: 5, checkpointEvery: 20, logEvery: 1 },
});

const lines = (dir: string) => readFileSync(join(dir, 'train.jsonl'), 'utf8').split('\n').filter(Boolean);
const steps = (dir: string) => lines(dir).map((l) => JSON.parse(l).step as number);
const checkpointStep = (dir: string) => JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).step as number;
function checkpointBytes(dir: string): Buffer {
  return readFileSync(join(dir, JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).file));
}
const oneToN = (n: number) => [...Array(n).keys()].map((i) => i + 1);

describe('train through the CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'cli-train-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const refConfig = join(root, 'ref.json');
  const longConfig = join(root, 'long.json');
  writeFileSync(refConfig, JSON.stringify(config(STEPS)));
  writeFileSync(longConfig, JSON.stringify(config(1_000_000)));
  const ref = join(root, 'ref');

  /** Start a long run in `dir`; once its log has `after` lines, run `meanwhile`, then send `signal`. */
  async function interrupted(dir: string, signal: NodeJS.Signals, after: number, meanwhile?: () => Promise<void>) {
    let child: ChildProcess | undefined;
    const run = cli(['train', '--config', longConfig, '--out', dir, '--quiet'], { started: (c) => (child = c) });
    await waitForLines(join(dir, 'train.jsonl'), after);
    if (meanwhile) {
      // paused meanwhile, so that it is still mid-run when the signal comes, however long `meanwhile` takes
      child!.kill('SIGSTOP');
      await meanwhile();
      child!.kill('SIGCONT');
    }
    child!.kill(signal);
    return run;
  }

  it('Ctrl-C, SIGTERM and kill -9 mid-run lose nothing; resumed runs equal an uninterrupted one; one writer', async () => {
    const [a, b, c] = ['sigint', 'sigterm', 'sigkill'].map((n) => join(root, n));
    let second: CliResult | undefined, evaluate: CliResult | undefined;
    let before: Record<string, string> = {};
    const [refRun, ra, rb, rc] = await Promise.all([
      cli(['train', '--config', refConfig, '--out', ref, '--quiet']),
      interrupted(a, 'SIGINT', 10, async () => {
        // a second writer while the first runs: refused, naming the holder, changing nothing
        before = treeHash(a);
        [second, evaluate] = await Promise.all([cli(['train', '--resume', a]), cli(['evaluate', a])]);
        expect(treeHash(a)).toEqual(before);
      }),
      interrupted(b, 'SIGTERM', 10),
      interrupted(c, 'SIGKILL', 45),
    ]);

    expect(refRun.code).toBe(0);
    expect(steps(ref)).toEqual(oneToN(STEPS));

    for (const r of [second!, evaluate!]) {
      expect(r.code).toBe(2);
      expect(firstErrorLine(r.stderr)).toMatch(
        new RegExp(`^error: .*sigint is in use by process \\d+ on ${hostname()}, since .*: train`),
      );
      expect(hasStackTrace(r.stderr)).toBe(false);
    }

    // a signal: exit 130 / 143, a checkpoint at the step reached, the log up to it, how to resume, no lock left
    for (const [r, dir, code] of [
      [ra, a, 130],
      [rb, b, 143],
    ] as const) {
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain(`continue with: disentangle train --resume ${dir}`);
      expect(hasStackTrace(r.stderr)).toBe(false);
      const at = checkpointStep(dir);
      expect(at).toBeGreaterThanOrEqual(10);
      expect(at).toBeLessThan(STEPS);
      expect(steps(dir)).toEqual(oneToN(at));
      expect(existsSync(join(dir, '.lock'))).toBe(false);
    }
    // kill -9: the last periodic checkpoint survives, the log runs past it, the lock is left behind
    expect(rc.signal).toBe('SIGKILL');
    expect(checkpointStep(c) % 20).toBe(0);
    expect(steps(c).length).toBeGreaterThan(checkpointStep(c));
    expect(existsSync(join(c, '.lock'))).toBe(true);

    const resumed = await Promise.all(
      [a, b, c].map((dir) => cli(['train', '--resume', dir, '--steps', String(STEPS), '--quiet'])),
    );
    for (const [i, dir] of [a, b, c].entries()) {
      expect(resumed[i].code, resumed[i].stderr).toBe(0);
      expect(checkpointBytes(dir).equals(checkpointBytes(ref))).toBe(true);
      expect(readFileSync(join(dir, 'train.jsonl'), 'utf8')).toBe(readFileSync(join(ref, 'train.jsonl'), 'utf8'));
    }
    expect(resumed[2].stderr).toMatch(
      /note: taking over the lock of .*sigkill, left by process \d+ .* no longer running/,
    );
  });

  it('--resume of a finished run changes nothing; --steps N extends it; a stale lock is taken over', async () => {
    if (!existsSync(join(ref, 'summary.json'))) await cli(['train', '--config', refConfig, '--out', ref, '--quiet']);
    const before = treeHash(ref);
    const done = await cli(['train', '--resume', ref]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`^${ref} is finished \\(${STEPS} of ${STEPS} steps\\): nothing to do`));
    expect(treeHash(ref)).toEqual(before);

    // a lock left by a process that died (a real PID, no longer running) on this host
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(
      join(ref, '.lock'),
      JSON.stringify({ pid: dead, host: hostname(), started: new Date().toISOString(), command: 'train (x)' }),
    );
    const more = await cli(['train', '--resume', ref, '--steps', String(STEPS + 10), '--quiet']);
    expect(more.code, more.stderr).toBe(0);
    expect(more.stderr).toMatch(new RegExp(`note: taking over the lock of .*ref, left by process ${dead}`));
    expect(JSON.parse(readFileSync(join(ref, 'config.json'), 'utf8')).train.steps).toBe(STEPS + 10);
    expect(steps(ref)).toEqual(oneToN(STEPS + 10));
    expect(checkpointStep(ref)).toBe(STEPS + 10);
    expect(existsSync(join(ref, '.lock'))).toBe(false);
  });
});
