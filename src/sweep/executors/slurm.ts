/**
 * The Slurm executor: one job array per submission, one task per pending run, each task running
 * `disentangle sweep run-one DIR --list slurm/tasks-K.txt` with the same installed toolkit on the shared
 * filesystem. Files under DIR/slurm/: array.sbatch (the latest script), tasks-K.txt (task number → run
 * name), jobs.jsonl (one line per submission: job id, list, runs, time), logs/%A_%a.log.
 * The scheduler is read with `scontrol -o show job` (no accounting database needed); the run folders' own
 * status.json is the authority on how a run ended (see ../status.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../../util/errors.js';
import { appendLines, makeDir, writeFileAtomic } from '../../util/fs.js';
import { cliPath, paths } from '../folder.js';

const run = promisify(execFile);

export interface SlurmOptions {
  partition?: string;
  /** Slurm time limit per run (e.g. 2:00:00). */
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  gres?: string;
  /** Raw `#SBATCH` arguments, e.g. `--qos=short`. */
  sbatchArgs?: string[];
  /** Tasks at once (`--array=…%P`). */
  parallel?: number;
}

export interface Submission {
  job: string;
  list: string;
  runs: string[];
  submitted: string;
}

/** The full path of a Slurm client command, or null when it is not on PATH. */
export function findCommand(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export function requireSbatch(): void {
  if (!findCommand('sbatch'))
    throw new UserError(
      "sbatch not found on PATH: run on a Slurm submit host (Debian: apt-get install slurm-client, with the cluster's " +
        'slurm.conf), or use --executor local to run the sweep on this machine',
    );
}

export function readSubmissions(dir: string): Submission[] {
  const p = join(paths.slurm(dir), 'jobs.jsonl');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Submission];
      } catch {
        return [];
      }
    });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The array script for `names` (task i runs line i of the list file). */
export function arrayScript(dir: string, list: string, count: number, engineArgs: string[], o: SlurmOptions): string {
  const abs = resolve(dir);
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=sweep-${basename(abs).replace(/[^\w.-]/g, '_')}`,
    `#SBATCH --array=0-${count - 1}${o.parallel ? `%${o.parallel}` : ''}`,
    `#SBATCH --output=${join(abs, 'slurm', 'logs', '%A_%a.log')}`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask ?? 1}`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.mem ? [`#SBATCH --mem=${o.mem}`] : []),
    ...(o.gres ? [`#SBATCH --gres=${o.gres}`] : []),
    ...(o.sbatchArgs ?? []).map((a) => `#SBATCH ${a}`),
    '# Each task trains and evaluates one run of the sweep (line $SLURM_ARRAY_TASK_ID of the list) and',
    '# records its end in runs/<name>/status.json.',
    `exec ${[process.execPath, cliPath, 'sweep', 'run-one', abs, '--list', resolve(list), ...engineArgs].map(quote).join(' ')}`,
    '',
  ];
  return lines.join('\n');
}

/** Write the task list and array.sbatch for `names`, submit, record the submission. */
export async function submit(dir: string, names: string[], engineArgs: string[], o: SlurmOptions): Promise<Submission> {
  requireSbatch();
  const sdir = paths.slurm(dir);
  makeDir(join(sdir, 'logs'));
  const k = readSubmissions(dir).length;
  const list = join(sdir, `tasks-${k}.txt`);
  writeFileAtomic(list, names.join('\n') + '\n');
  const script = join(sdir, 'array.sbatch');
  writeFileAtomic(script, arrayScript(dir, list, names.length, engineArgs, o));
  let out: string;
  try {
    out = (await run('sbatch', ['--parsable', script], { encoding: 'utf8' })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new UserError(
      `sbatch refused the sweep's job array: ${(err.stderr || err.message).trim()} (script: ${script})`,
    );
  }
  const job = out.trim().split(';')[0];
  if (!/^\d+$/.test(job)) throw new UserError(`sbatch printed '${out.trim()}', not a job id (script: ${script})`);
  const sub: Submission = { job, list: basename(list), runs: names, submitted: new Date().toISOString() };
  appendLines(join(sdir, 'jobs.jsonl'), JSON.stringify(sub) + '\n');
  return sub;
}

/** A task as the scheduler sees it. */
export interface TaskState {
  /** JobState: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, … */
  state: string;
  exitCode: string;
  reason: string;
}

export const activeStates = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESIZING',
  'SUSPENDED',
  'STOPPED',
  'SIGNALING',
  'STAGE_OUT',
]);

/** `3`, `2-5%2`, `1,4-9:2` → task numbers. */
export function parseTaskIds(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.replace(/%\d+$/, '').split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    for (let i = a; i <= b; i += step) out.push(i);
  }
  return out;
}

/** `scontrol -o show job ID` output → task number → state (one line per task or per pending range). */
export function parseScontrol(text: string): Map<number, TaskState> {
  const out = new Map<number, TaskState>();
  for (const line of text.split('\n')) {
    const get = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(line)?.[1];
    const tasks = get('ArrayTaskId');
    const state = get('JobState');
    if (tasks === undefined || !state) continue;
    const t: TaskState = { state, exitCode: get('ExitCode') ?? '', reason: get('Reason') ?? '' };
    for (const i of parseTaskIds(tasks)) out.set(i, t);
  }
  return out;
}

/**
 * The scheduler's view of the given array jobs: job id → (task → state); a job the scheduler no longer
 * knows maps to null. Returns null when the scheduler cannot be asked (no scontrol, controller down).
 */
export async function queryJobs(jobs: string[]): Promise<Map<string, Map<number, TaskState> | null> | null> {
  if (!jobs.length) return new Map();
  if (!findCommand('scontrol')) return null;
  const out = new Map<string, Map<number, TaskState> | null>();
  let reachable = true;
  await Promise.all(
    jobs.map(async (job) => {
      try {
        const { stdout } = await run('scontrol', ['-o', 'show', 'job', job], { encoding: 'utf8', timeout: 20_000 });
        out.set(job, parseScontrol(stdout));
      } catch (e) {
        const msg = String((e as { stderr?: string }).stderr ?? '');
        if (/Invalid job id/i.test(msg)) out.set(job, null);
        else reachable = false;
      }
    }),
  );
  return reachable ? out : null;
}

/** Cancel whole array jobs (`scancel`); returns scancel's complaints, if any. */
export function cancelJobs(jobs: string[]): string {
  if (!jobs.length) return '';
  if (!findCommand('scancel')) throw new UserError('scancel not found on PATH: run --cancel on a Slurm submit host');
  try {
    execFileSync('scancel', jobs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? (e as Error).message).trim();
  }
}
