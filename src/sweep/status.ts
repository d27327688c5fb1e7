/**
 * Where each run of a sweep stands: the run folders' own records (status.json, checkpoint, log) joined
 * with the scheduler's view of the Slurm jobs (or, for local runs, whether the recorded process lives).
 *   pending  not started, or stopped / cancelled part-way (the next `sweep` command continues it)
 *   running  a live process or an active Slurm task (queued tasks are pending, with their job)
 *   done     trained and evaluated
 *   failed   ended with an error (NaN, crash, time limit…); re-run only with --retry-failed
 *   lost     its Slurm job ended without the run writing its end (killed, node lost); as failed
 */
import { closeSync, existsSync, openSync, readSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { paths, readRecord, readSweep, type RunRecord, type SweepFile } from './folder.js';
import { pidAlive } from '../util/lock.js';
import { activeStates, queryJobs, readSubmissions, type TaskState } from './executors/slurm.js';

export type RunState = 'pending' | 'running' | 'done' | 'failed' | 'lost';
export const runStates: RunState[] = ['pending', 'running', 'done', 'failed', 'lost'];

export interface RunStatus {
  id: number;
  name: string;
  state: RunState;
  /** One line: why it is in that state, and what happens next. */
  detail: string;
  step: number;
  steps: number;
  loss?: number;
  /** The Slurm task (`<job>_<task>`) that last had this run. */
  job?: string;
  /** A live process or an active Slurm task has the run: nobody else may start it now. */
  busy: boolean;
  error?: string;
}

export interface SweepStatus {
  dir: string;
  runs: RunStatus[];
  counts: Record<RunState, number>;
  /** 'none': never submitted to Slurm; 'unreachable': submitted, but the scheduler cannot be asked now. */
  scheduler: 'none' | 'ok' | 'unreachable';
}

/** The last JSON line of a log, read from its tail (train logs grow long). */
export function lastJsonLine(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  const size = statSync(path).size;
  const n = Math.min(size, 4096);
  const buf = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, n, size - n);
  } finally {
    closeSync(fd);
  }
  const lines = buf
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines[i]) as Record<string, unknown>;
    } catch {
      /* a partial first line of the tail */
    }
  }
  return null;
}

function progress(runDir: string): { step: number; loss?: number } {
  const last = lastJsonLine(join(runDir, 'train.jsonl'));
  let step = typeof last?.step === 'number' ? last.step : 0;
  try {
    step = Math.max(step, JSON.parse(readFileSync(join(runDir, 'checkpoint.json'), 'utf8')).step as number);
  } catch {
    /* no checkpoint yet */
  }
  return { step, loss: typeof last?.loss === 'number' ? last.loss : undefined };
}

export async function sweepStatus(dir: string, sweep: SweepFile = readSweep(dir)): Promise<SweepStatus> {
  const subs = readSubmissions(dir);
  // the latest submission of each run
  const lastTask = new Map<string, { job: string; task: number; submitted: string }>();
  for (const s of subs)
    s.runs.forEach((name, task) => lastTask.set(name, { job: s.job, task, submitted: s.submitted }));
  const jobs = [...new Set([...lastTask.values()].map((t) => t.job))];
  const view = await queryJobs(jobs);
  const host = hostname();
  const runs = sweep.runs.map((r): RunStatus => {
    const rec = readRecord(dir, r.name);
    const p = progress(paths.run(dir, r.name));
    const base = {
      id: r.id,
      name: r.name,
      steps: r.config.train.steps,
      step: rec?.step ?? p.step,
      loss: rec?.loss ?? p.loss,
    };
    const t = lastTask.get(r.name);
    const job = t ? `${t.job}_${t.task}` : undefined;
    const sched: TaskState | null | undefined =
      t && view ? (view.get(t.job) === null ? null : view.get(t.job)?.get(t.task)) : undefined;
    const out = (state: RunState, detail: string, busy = false, error?: string): RunStatus => ({
      ...base,
      job,
      state,
      detail,
      busy,
      error,
    });
    if (rec?.state === 'done') return out('done', `done at step ${rec.step}`);
    if (sched && activeStates.has(sched.state)) {
      if (sched.state === 'PENDING') return out('pending', `queued as Slurm task ${job} (${sched.reason})`, true);
      return out('running', `Slurm task ${job} ${sched.state.toLowerCase()}, step ${p.step}/${base.steps}`, true);
    }
    const last = rec?.attempts[rec.attempts.length - 1];
    if (rec?.state === 'failed') return out('failed', `failed: ${rec.error ?? 'no message'}`, false, rec.error);
    if (rec?.state === 'running' && last && !last.job) {
      // a local worker: alive, or stopped without a word (its sweep was killed)
      if (last.host === host && pidAlive(last.pid))
        return out('running', `running (pid ${last.pid}), step ${p.step}/${base.steps}`, true);
      if (last.host !== host)
        return out('running', `running on ${last.host} (pid ${last.pid}), as last recorded`, true);
      return out('pending', `stopped at step ${p.step}; the next \`sweep\` command continues it`);
    }
    if (rec?.state === 'stopped' && last?.job && last.job === job && sched?.state === 'TIMEOUT')
      return out(
        'failed',
        `timed out (Slurm time limit of task ${job}) at step ${p.step}; --retry-failed resumes it`,
        false,
        'TIMEOUT',
      );
    if (rec?.state === 'stopped' && last?.job && last.job === job && sched?.state === 'CANCELLED')
      return out('pending', `cancelled (Slurm task ${job}) at step ${p.step}; the next \`sweep\` submits it again`);
    if (rec?.state === 'stopped')
      return out('pending', `stopped at step ${p.step}; the next \`sweep\` command continues it`);
    if (!t) return out('pending', rec ? `stopped at step ${p.step}` : 'not started');
    // The run's last Slurm task is over (or unknown) and the run did not record its end.
    const startedByIt = rec?.attempts.some((a) => a.job === job) ?? false;
    if (view === null)
      return out(startedByIt ? 'running' : 'pending', `Slurm task ${job}: the scheduler cannot be asked now`, true);
    if (sched === undefined || sched === null) {
      if (!startedByIt)
        return out(
          'pending',
          `Slurm task ${job} ended before starting it (cancelled while queued?); the next \`sweep\` submits it again`,
        );
      return out(
        'lost',
        `Slurm task ${job} is gone and the run did not record its end (at step ${p.step}); --retry-failed resumes it`,
      );
    }
    if (sched.state === 'CANCELLED')
      return out('pending', `cancelled (Slurm task ${job}) at step ${p.step}; the next \`sweep\` submits it again`);
    return out(
      'lost',
      `Slurm task ${job} ended ${sched.state} (exit ${sched.exitCode}, ${sched.reason}) without the run recording its end, at step ${p.step}; --retry-failed resumes it`,
      false,
      `${sched.state} (exit ${sched.exitCode})`,
    );
  });
  const counts = Object.fromEntries(runStates.map((s) => [s, runs.filter((r) => r.state === s).length])) as Record<
    RunState,
    number
  >;
  return { dir, runs, counts, scheduler: !jobs.length ? 'none' : view ? 'ok' : 'unreachable' };
}

/** "12 runs: 7 done, 1 failed, 2 running, 2 pending" */
export function summaryLine(s: SweepStatus): string {
  const parts = runStates.filter((k) => s.counts[k]).map((k) => `${s.counts[k]} ${k}`);
  return `${s.runs.length} run${s.runs.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** A record's total CPU seconds over its attempts (those that ended with a record). */
export function cpuSeconds(rec: RunRecord | null): number | undefined {
  const xs = rec?.attempts.map((a) => a.cpu_s).filter((x): x is number => typeof x === 'number') ?? [];
  return xs.length ? xs.reduce((a, b) => a + b, 0) : undefined;
}
