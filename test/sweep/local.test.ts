/**
 * The local executor end to end, through the real CLI: a pool of worker processes, failures recorded while
 * the others go on, results.csv and report.html, idempotent re-runs, --retry-failed, damaged and deleted
 * run folders, and a sweep stopped by a signal that continues to the same result.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/index.js';
import { startRun, trainRun, closeRun } from '../../src/train/index.js';
import { readCsv, startCli, waitFor, writeTinyConfig } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'sweep-local-'));
const cfg = writeTinyConfig(join(root, 'tiny.json'));
const A = join(root, 'A');
const args = (out: string, ...more: string[]) => [
  'sweep',
  '--config',
  cfg,
  '--grid',
  'optimizer.lr=0.001,1e30',
  '--seeds',
  '2',
  '--metrics',
  'mig',
  '--eval-every',
  '10',
  '--num-train',
  '200',
  '--num-test',
  '100',
  '--out',
  out,
  '--workers',
  '2',
  '--backend',
  'wasm',
  '--quiet',
  ...more,
];
const record = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, 'runs', name, 'status.json'), 'utf8'));
const status = async (dir: string) => JSON.parse((await startCli(['sweep', 'status', dir, '--json']).done).stdout);
const lines = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

beforeAll(async () => {
  await initEngine({ backend: 'wasm', quiet: true });
});

describe('local executor', () => {
  it('runs each run in its own process, records the failures, writes results.csv and report.html', async () => {
    const r = await startCli(args(A)).done;
    expect(r.stdout).toMatch(/4 runs: 2 done, 2 failed; results in/);
    expect(r.code).toBe(1);
    const s = await status(A);
    expect(s.counts).toEqual({ pending: 0, running: 0, done: 2, failed: 2, lost: 0 });
    const rows = readCsv(join(A, 'results.csv'));
    expect(rows.map((x) => x.name)).toEqual([
      'lr=0.001_seed=0',
      'lr=0.001_seed=1',
      'lr=1e+30_seed=0',
      'lr=1e+30_seed=1',
    ]);
    for (const row of rows.slice(0, 2)) {
      expect(row).toMatchObject({
        status: 'done',
        steps: '20',
        steps_total: '20',
        'optimizer.lr': '0.001',
        backend: 'wasm',
      });
      expect(Number.isFinite(Number(row.final_loss))).toBe(true);
      expect(Number(row.mig_max)).toBeGreaterThanOrEqual(Number(row.mig));
      expect(Number(row.cpu_s)).toBeGreaterThan(0);
      expect(row.error).toBe('');
    }
    for (const row of rows.slice(2)) {
      expect(row.status).toBe('failed');
      expect(row.error).toMatch(/^loss became NaN at step 1 /);
      expect(row.mig).toBe('');
    }
    const run = join(A, 'runs', 'lr=0.001_seed=1');
    expect(lines(join(run, 'metrics.jsonl')).map((l) => l.step)).toEqual([10]);
    expect(JSON.parse(readFileSync(join(run, 'eval.json'), 'utf8')).metrics.mig).toBe(Number(rows[1].mig));
    const sweep = JSON.parse(readFileSync(join(A, 'sweep.json'), 'utf8'));
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'))).toEqual(sweep.runs[1].config);
    expect(sweep.runs[1].config.train.seed).toBe(1);
    const html = readFileSync(join(A, 'report.html'), 'utf8');
    expect(html).toContain('mig vs lr');
    expect(html).toContain('Failed or lost runs');
    expect(html).toContain('Spearman');
    expect(existsSync(join(A, 'sweep.lock'))).toBe(false);
  }, 300_000);

  it('re-runs are idempotent; --retry-failed resumes failed runs; deleted folders rerun, damaged ones fail by name', async () => {
    const attempts = (n: string) => record(A, n).attempts.length;
    const again = await startCli(args(A)).done;
    expect(again.stderr).toMatch(/4 runs: 2 done, 2 failed; 0 to run/);
    expect(again.stderr).toMatch(/2 failed: run again with --retry-failed/);
    expect(again.code).toBe(1);
    expect(['lr=0.001_seed=0', 'lr=1e+30_seed=0', 'lr=1e+30_seed=1'].map(attempts)).toEqual([1, 1, 1]);

    rmSync(join(A, 'runs', 'lr=0.001_seed=0'), { recursive: true });
    writeFileSync(join(A, 'runs', 'lr=1e+30_seed=0', 'config.json'), '{ not json');
    const retry = await startCli(args(A, '--retry-failed')).done;
    expect(retry.stderr).toMatch(/4 runs: 1 pending, 1 done, 2 failed; 3 to run/);
    expect(retry.code).toBe(1);
    expect(record(A, 'lr=0.001_seed=0')).toMatchObject({ state: 'done', step: 20 });
    expect(record(A, 'lr=1e+30_seed=0')).toMatchObject({ state: 'failed' });
    expect(record(A, 'lr=1e+30_seed=0').error).toMatch(
      /runs\/lr=1e\+30_seed=0\/config.json is damaged .*move the folder away/,
    );
    expect(readFileSync(join(A, 'runs', 'lr=1e+30_seed=0', 'config.json'), 'utf8')).toBe('{ not json');
    expect(record(A, 'lr=1e+30_seed=1')).toMatchObject({ state: 'failed' });
    expect(attempts('lr=1e+30_seed=1')).toBe(2);
    // the rerun of the deleted folder gives the same numbers as before
    const rows = readCsv(join(A, 'results.csv'));
    expect(rows[0].status).toBe('done');
  }, 300_000);

  it('a signal stops the pool with checkpoints kept; the next command continues to the uninterrupted result', async () => {
    const long = writeTinyConfig(join(root, 'long.json'), { steps: 120, checkpointEvery: 10, logEvery: 10 });
    const B = join(root, 'B');
    const cmd = ['sweep', '--config', long, '--out', B, '--workers', '1', '--backend', 'wasm', '--quiet'];
    const first = startCli(cmd);
    const ck = join(B, 'runs', 'seed=0', 'checkpoint.json');
    await waitFor('a first checkpoint', () => existsSync(ck));
    first.child.kill('SIGTERM');
    const r = await first.done;
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/stopped: run the same command again to continue/);
    const stopped = JSON.parse(readFileSync(ck, 'utf8')).step;
    expect(stopped).toBeLessThan(120);
    const s = await status(B);
    expect(s.runs[0]).toMatchObject({ state: 'pending', busy: false });
    expect(s.runs[0].detail).toMatch(/stopped at step \d+; the next `sweep` command continues it/);

    // An edited run config is refused by name, and nothing is trained into it.
    const runConfig = join(B, 'runs', 'seed=0', 'config.json');
    const original = readFileSync(runConfig, 'utf8');
    writeFileSync(runConfig, original.replace('"lr": 0.001', '"lr": 0.002'));
    const edited = await startCli(cmd).done;
    expect(edited.code).toBe(1);
    expect(record(B, 'seed=0').error).toMatch(/config.json is not this sweep's config .*move the folder away/);
    expect(JSON.parse(readFileSync(ck, 'utf8')).step).toBe(stopped);
    writeFileSync(runConfig, original);

    // A sweep.json written by an earlier version, before settings with defaults were added, still resumes:
    // the run folder's config has them written out, and they are what the run trained with.
    const sweepFile = JSON.parse(readFileSync(join(B, 'sweep.json'), 'utf8'));
    const stored = sweepFile.runs[0].config;
    expect(stored.model.init).toBeDefined();
    expect(stored.optimizer.epsilon).toBeDefined();
    delete stored.model.init;
    delete stored.optimizer.epsilon;
    writeFileSync(join(B, 'sweep.json'), JSON.stringify(sweepFile, null, 1));

    const second = await startCli([...cmd, '--retry-failed']).done;
    expect(second.code).toBe(0);
    expect(record(B, 'seed=0').state).toBe('done');

    // the same config trained straight through, in this process
    const sweep = JSON.parse(readFileSync(join(B, 'sweep.json'), 'utf8'));
    const C = join(root, 'C');
    const run = await startRun(C, sweep.runs[0].config);
    await trainRun(run, { quiet: true, noPictures: true });
    closeRun(run);
    const weights = (d: string) => readFileSync(join(d, 'ckpt-120.bin'));
    expect(weights(join(B, 'runs', 'seed=0')).equals(weights(C))).toBe(true);
    expect(readFileSync(join(B, 'runs', 'seed=0', 'train.jsonl'), 'utf8')).toBe(
      readFileSync(join(C, 'train.jsonl'), 'utf8'),
    );
  }, 400_000);
});
