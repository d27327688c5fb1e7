/**
 * The sweep folder:
 *   sweep.json          the spec, the expanded runs (ids, names, configs), toolkit version and commit, machine
 *   runs/<name>/        ordinary run folders (train, evaluate, diagnose work on each), plus status.json:
 *                       the run's own record of its attempts and its end (done / failed, error, timings)
 *   logs/<name>.log     what a local worker printed;  slurm/ the array scripts, task lists, jobs, logs
 *   sweep.lock          held by the one sweep command working on the folder
 *   results.csv, report.html
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/errors.js';
import { makeDir, writeFileAtomic } from '../util/fs.js';
import { specDifference, type ExpandedRun, type SweepSpec } from './spec.js';

export interface SweepFile {
  format: 'disentangle-sweep-1';
  spec: SweepSpec;
  runs: ExpandedRun[];
  toolkit: { version: string; commit: string | null; dirty: boolean };
  /** The engine options the sweep was started with (each run's status.json says what it really ran on). */
  engine: { backend: string; threads: number; device: string };
  machine: { host: string; cpus: number; cpuModel: string; memoryGiB: number; platform: string; node: string };
  created: string;
}

/** A run's own record: written by the process that trains it (or by the local pool when that process dies). */
export interface RunRecord {
  state: 'running' | 'done' | 'failed' | 'stopped';
  error?: string;
  /** The step the run had reached, its final loss and final scores (when done). */
  step?: number;
  loss?: number;
  metrics?: Record<string, number>;
  backend?: string;
  attempts: Array<{
    host: string;
    pid: number;
    /** Slurm `<array job>_<task>` when run by the Slurm executor. */
    job?: string;
    /** When the process began, and when it had loaded the toolkit and started the run. */
    launched?: string;
    started: string;
    ended?: string;
    state: RunRecord['state'];
    /** From this attempt's start in the run's process; cpu_s counts the whole process, start-up included. */
    wall_s?: number;
    cpu_s?: number;
    /** Spent training and evaluating (the rest is start-up and bookkeeping: node, engine, dataset, model). */
    train_s?: number;
    train_cpu_s?: number;
    eval_s?: number;
    eval_cpu_s?: number;
  }>;
}

/** The toolkit's root folder (package.json, bin/): the same relative path from src/sweep and dist/sweep. */
export const toolkitRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = join(toolkitRoot, 'bin', 'disentangle.js');

export const paths = {
  sweep: (dir: string) => join(dir, 'sweep.json'),
  lock: (dir: string) => join(dir, 'sweep.lock'),
  run: (dir: string, name: string) => join(dir, 'runs', name),
  record: (dir: string, name: string) => join(dir, 'runs', name, 'status.json'),
  log: (dir: string, name: string) => join(dir, 'logs', `${name}.log`),
  slurm: (dir: string) => join(dir, 'slurm'),
  results: (dir: string) => join(dir, 'results.csv'),
  report: (dir: string) => join(dir, 'report.html'),
};

function toolkitInfo(): SweepFile['toolkit'] {
  const version = (JSON.parse(readFileSync(join(toolkitRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const git = (args: string[]) =>
    execFileSync('git', ['-C', toolkitRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { version, commit: git(['rev-parse', 'HEAD']), dirty: git(['status', '--porcelain', '--', 'src']) !== '' };
  } catch {
    return { version, commit: null, dirty: false }; // an installed package: no git checkout
  }
}

export function machineInfo(): SweepFile['machine'] {
  const c = cpus();
  return {
    host: hostname(),
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
  };
}

export function readSweep(dir: string): SweepFile {
  const p = paths.sweep(dir);
  if (!existsSync(p))
    throw new UserError(
      existsSync(dir)
        ? `${dir} is not a sweep folder (no sweep.json)`
        : `no sweep folder at ${dir} (start one with \`disentangle sweep … --out ${dir}\`)`,
    );
  let s: SweepFile;
  try {
    s = JSON.parse(readFileSync(p, 'utf8')) as SweepFile;
  } catch (e) {
    throw new UserError(`${p} is damaged (${(e as Error).message}); the run folders under runs/ are intact`);
  }
  if (s.format !== 'disentangle-sweep-1' || !Array.isArray(s.runs))
    throw new UserError(`${p}: not a sweep file of this toolkit (format '${s.format}')`);
  return s;
}

export function sweepText(s: SweepFile): string {
  return JSON.stringify(s, null, 1) + '\n';
}

/**
 * Open the sweep folder for a spec: create it (sweep.json) if new; if it exists, its spec must be the
 * same one (the difference is shown otherwise). Returns the sweep as stored.
 */
export function openSweepFolder(
  dir: string,
  spec: SweepSpec,
  runs: ExpandedRun[],
  engine: SweepFile['engine'],
): { sweep: SweepFile; created: boolean } {
  if (existsSync(paths.sweep(dir))) {
    const stored = readSweep(dir);
    const diff = specDifference(stored.spec, spec);
    if (diff.length)
      throw new UserError(
        `${dir} holds a different sweep; refusing to mix them. Differences (stored → given): ${diff.join('; ')}. ` +
          `Use another --out, or run \`disentangle sweep --out ${dir}\` alone to continue the stored one.`,
      );
    return { sweep: stored, created: false };
  }
  if (existsSync(dir) && readdirSync(dir).length)
    throw new UserError(`${dir} exists and is not a sweep folder (no sweep.json): choose an empty or new --out`);
  const sweep: SweepFile = {
    format: 'disentangle-sweep-1',
    spec,
    runs,
    toolkit: toolkitInfo(),
    engine,
    machine: machineInfo(),
    created: new Date().toISOString(),
  };
  makeDir(join(dir, 'runs'));
  writeFileAtomic(paths.sweep(dir), sweepText(sweep));
  return { sweep, created: true };
}

export function readRecord(dir: string, name: string): RunRecord | null {
  const p = paths.record(dir, name);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as RunRecord;
  } catch {
    return null; // written atomically, so only a hand edit gets here: treat as no record
  }
}

export function writeRecord(dir: string, name: string, rec: RunRecord): void {
  writeFileAtomic(paths.record(dir, name), JSON.stringify(rec, null, 1) + '\n');
}
