/**
 * Bad input to `disentangle sweep`, through the real CLI: each case exits 2 with a one-line message that
 * names the problem, and leaves the disk as it was (no new folder, an existing sweep folder unchanged).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSpec, specFromFlags } from '../../src/sweep/index.js';
import { openSweepFolder } from '../../src/sweep/folder.js';
import { startCli, snapshot, writeTinyConfig } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
const cfg = writeTinyConfig(join(root, 'tiny.json'));
const existing = join(root, 'existing');
const locked = join(root, 'locked');
const damaged = join(root, 'damaged');
const common = ['--config', cfg, '--seeds', '1'];

beforeAll(async () => {
  for (const d of [existing, locked, damaged]) {
    const spec = specFromFlags({ config: cfg, grid: ['framework.beta=1,2'], seeds: '1' });
    openSweepFolder(d, spec, await expandSpec(spec), { backend: 'wasm', threads: 1, device: 'cpu' });
  }
  // a live process (this one) holds the lock
  writeFileSync(
    join(locked, 'sweep.lock'),
    JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), started: 'now', command: 'sweep' }),
  );
  writeFileSync(join(damaged, 'sweep.json'), '{"format": "disentangle-sweep-1", "runs": [');
  writeFileSync(join(root, 'bad-spec.yaml'), 'config: tiny.json\ngrids:\n  framework.beta: [1, 2]\n');
  mkdirSync(join(root, 'empty'));
  // a PATH with node and git but no Slurm client
  mkdirSync(join(root, 'bin-without-slurm'));
  symlinkSync(process.execPath, join(root, 'bin-without-slurm', 'node'));
});

interface Case {
  what: string;
  args: string[];
  first: RegExp;
  /** The folder that must not change (or must not appear). */
  folder: string;
  env?: Record<string, string>;
}

const fresh = (n: string) => join(root, n);

const cases: Case[] = [
  {
    what: 'an unknown key in the grid',
    args: ['sweep', ...common, '--grid', 'framework.gamma=1,2', '--out', fresh('a')],
    first: /^error: run gamma=1_seed=0 \(framework.gamma=1\): .*'gamma'/,
    folder: fresh('a'),
  },
  {
    what: 'an unknown top-level key',
    args: ['sweep', ...common, '--grid', 'trian.steps=1,2', '--out', fresh('b')],
    first: /^error: run steps=1_seed=0 .*unknown key 'trian'/,
    folder: fresh('b'),
  },
  {
    what: 'a wrongly typed value in the grid',
    args: ['sweep', ...common, '--grid', 'train.batchSize=8,big', '--out', fresh('c')],
    first: /^error: run batchSize=big_seed=0 \(train.batchSize="big"\): .*'train.batchSize'/,
    folder: fresh('c'),
  },
  {
    what: 'an empty grid',
    args: ['sweep', ...common, '--grid', 'framework.beta=', '--out', fresh('d')],
    first: /^error: --grid framework.beta=: empty grid/,
    folder: fresh('d'),
  },
  {
    what: 'keys zipped with unequal lengths',
    args: ['sweep', ...common, '--zip', 'framework.beta=1,2', '--zip', 'optimizer.lr=0.1', '--out', fresh('e')],
    first: /^error: keys varied together must have as many values each/,
    folder: fresh('e'),
  },
  {
    what: 'an unknown executor',
    args: ['sweep', ...common, '--grid', 'framework.beta=1,2', '--executor', 'pbs', '--out', fresh('f')],
    first: /^error: option '--executor <name>' argument 'pbs' is invalid. Allowed choices are local, slurm/,
    folder: fresh('f'),
  },
  {
    what: 'sbatch not found',
    args: ['sweep', ...common, '--grid', 'framework.beta=1,2', '--executor', 'slurm', '--out', fresh('g')],
    env: { PATH: join(root, 'bin-without-slurm') },
    first: /^error: sbatch not found on PATH: .*apt-get install slurm-client.*--executor local/,
    folder: fresh('g'),
  },
  {
    what: 'a spec changed against an existing folder',
    args: ['sweep', ...common, '--grid', 'framework.beta=1,3', '--out', existing],
    first:
      /^error: .* holds a different sweep; refusing to mix them.*grid: framework.beta ∈ \[1,2\] → framework.beta ∈ \[1,3\]/,
    folder: existing,
  },
  {
    what: 'two sweep commands on one folder',
    args: ['sweep', '--out', locked],
    first: new RegExp(`^error: .* is in use by process ${process.pid} on .*: sweep\\. .*--cancel`),
    folder: locked,
  },
  {
    what: 'a damaged sweep.json',
    args: ['sweep', 'status', damaged],
    first: /^error: .*sweep.json is damaged .*the run folders under runs\/ are intact/,
    folder: damaged,
  },
  {
    what: 'status of a folder that is not a sweep',
    args: ['sweep', 'status', join(root, 'empty')],
    first: /^error: .*empty is not a sweep folder \(no sweep.json\)/,
    folder: join(root, 'empty'),
  },
  {
    what: 'no sweep given',
    args: ['sweep', '--out', fresh('h')],
    first: /^error: give a sweep: --config FILE with --grid/,
    folder: fresh('h'),
  },
  {
    what: 'an unknown key in a spec file',
    args: ['sweep', '--spec', join(root, 'bad-spec.yaml'), '--out', fresh('i')],
    first: /^error: sweep spec .*bad-spec.yaml: unknown key 'grids'/,
    folder: fresh('i'),
  },
  {
    what: 'an unknown metric',
    args: ['sweep', ...common, '--metrics', 'mig,migg', '--out', fresh('j')],
    first: /^error: evaluate .*unknown metric 'migg'/,
    folder: fresh('j'),
  },
  {
    what: 'bad seeds',
    args: ['sweep', '--config', cfg, '--seeds', '0,x', '--out', fresh('k')],
    first: /^error: --seeds 0,x: give a count/,
    folder: fresh('k'),
  },
  {
    what: 'a bad time limit',
    args: ['sweep', ...common, '--time', 'soon', '--out', fresh('l')],
    first: /^error: option '--time <limit>' argument 'soon' is invalid. 'soon' is not a time limit/,
    folder: fresh('l'),
  },
  {
    what: 'a missing base config',
    args: ['sweep', '--config', join(root, 'nope.json'), '--out', fresh('m')],
    first: /^error: config file not found: .*nope.json/,
    folder: fresh('m'),
  },
  {
    what: 'the seed in the grid',
    args: ['sweep', ...common, '--grid', 'train.seed=1,2', '--out', fresh('n')],
    first: /^error: 'train.seed': vary seeds with --seeds/,
    folder: fresh('n'),
  },
];

describe('sweep: bad input gets one clear line, exit 2, and nothing on disk changes', () => {
  it.concurrent.each(cases)('$what', async ({ args, first, folder, env }) => {
    const before = snapshot(folder);
    const existed = existsSync(folder);
    const r = await startCli(args, env).done;
    expect(r.stderr.split('\n')[0]).toMatch(first);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.code).toBe(2);
    expect(existsSync(folder)).toBe(existed);
    expect(snapshot(folder)).toEqual(before);
  });
});
