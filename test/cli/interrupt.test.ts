/**
 * Ctrl-C of long commands other than training (analyze, perturb, evaluate, diagnose, design-loss): they stop at
 * once, with no stack trace, and leave no partial files — outputs are atomic and written only at the end, and a group of
 * outputs being written holds the signal until the whole group is on disk.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, hasStackTrace, repoRoot, treeHash, type CliResult } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'cli-interrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const run = join(root, 'run');
const run2 = join(root, 'run2');

/** Start `disentangle …args`; once its stderr shows the engine started, wait `ms`, then send SIGINT. */
function interrupt(args: string[], ms: number): Promise<CliResult> {
  let child: ChildProcess | undefined;
  let sent = false;
  return cli(args, {
    started: (c) => {
      child = c;
      c.stderr!.on('data', (d: Buffer) => {
        if (!sent && /backend: /.test(String(d))) {
          sent = true;
          setTimeout(() => child!.kill('SIGINT'), ms);
        }
      });
    },
  });
}

const stoppedBySignal = (r: CliResult) => r.signal === 'SIGINT' || r.code === 130;
const leftovers = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.tmp$/.test(f)) : []);

describe('Ctrl-C of analyze, perturb, evaluate, diagnose and design-loss', () => {
  beforeAll(async () => {
    const config = join(root, 'tiny.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4 },
        model: { architecture: 'fc', z: 3, hidden: 16 },
        train: { steps: 4, batchSize: 8, checkpointEvery: 4, logEvery: 1 },
      }),
    );
    const r = await cli(['train', '--config', config, '--out', run, '--quiet']);
    if (r.code !== 0) throw new Error(r.stderr);
    cpSync(run, run2, { recursive: true }); // one folder each for evaluate and diagnose (one writer per folder)
  });

  it('stop at once, without a stack trace, writing nothing', async () => {
    const before = [treeHash(run), treeHash(run2)];
    const [analyze, perturb, evaluate, diagnose] = await Promise.all([
      interrupt(['analyze', 'xysquares', '--traversals', '256', '--out', join(root, 'analysis')], 500),
      interrupt(['perturb', 'xysquares', '--epsilon', '0.1', '--steps', '5000', '--out', join(root, 'p.npz')], 500),
      interrupt(['evaluate', run, '--num-train', '50000', '--num-test', '20000'], 500),
      interrupt(['diagnose', run2], 0),
    ]);
    for (const r of [analyze, perturb, evaluate, diagnose]) {
      expect(stoppedBySignal(r), r.stderr).toBe(true);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(join(root, 'analysis'))).toBe(false);
    expect(existsSync(join(root, 'p.npz')) || existsSync(join(root, 'p.html'))).toBe(false);
    expect(leftovers(root)).toEqual([]);
    // the run folder: as it was (a lock left by the stopped process is taken over by the next writer)
    const after = [treeHash(run), treeHash(run2)];
    after.forEach((a) => delete a['.lock']);
    expect(after).toEqual(before);
  });

  it('design-loss stops at once in its search, writing nothing', async () => {
    const r = await interrupt(['design-loss', 'xysquares', '--time', '60', '--out', join(root, 'design')], 1500);
    expect(stoppedBySignal(r), r.stderr).toBe(true);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toBe('');
    expect(existsSync(join(root, 'design'))).toBe(false);
    expect(leftovers(root)).toEqual([]);
  });

  it('a signal during the writing of a group of outputs waits until every file of the group is written', async () => {
    // deterministic: the signal is sent from inside the group, which then writes two files slowly
    const script = `
      import { writeOutputs } from ${JSON.stringify(join(repoRoot, 'dist', 'util', 'signals.js'))};
      import { writeFileAtomic } from ${JSON.stringify(join(repoRoot, 'dist', 'util', 'fs.js'))};
      await writeOutputs(() => {
        process.kill(process.pid, 'SIGINT');
        writeFileAtomic(${JSON.stringify(join(root, 'group', 'a.txt'))}, 'a');
        const t = Date.now(); while (Date.now() - t < 300);
        writeFileAtomic(${JSON.stringify(join(root, 'group', 'b.txt'))}, 'b');
      });
      console.log('not reached');`;
    const r = await new Promise<CliResult>((done) => {
      const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '',
        stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      c.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('SIGINT: stopped (the outputs being written were completed first)');
    expect(
      readFileSync(join(root, 'group', 'a.txt'), 'utf8') + readFileSync(join(root, 'group', 'b.txt'), 'utf8'),
    ).toBe('ab');
    expect(leftovers(join(root, 'group'))).toEqual([]);
  });
});
