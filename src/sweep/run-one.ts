/**
 * One run of a sweep, in a process of its own: the local pool's workers and Slurm's array tasks both run
 * `disentangle sweep run-one DIR NAME` (or `--list FILE` with $SLURM_ARRAY_TASK_ID picking the line).
 * It trains the run (new, or resumed from its checkpoint), evaluates it, and records its end in the run
 * folder's status.json. Exit codes: 0 done, 1 failed, 130/143 stopped by a signal (resumable), 75 the run folder
 * is in use by another process (nothing recorded), 74 a write was refused (a full disk: resumable once fixed).
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { initEngine, type EngineOptions } from '../engine/index.js';
import { startRun, openRun, trainRun, closeRun, onTrainStep, checkpointStep, RunFinished } from '../train/index.js';
import { scoreOptions, validateConfig, type RunConfig } from '../config/index.js';
import { evaluateRun } from '../evaluate/index.js';
import { UserError } from '../util/errors.js';
import { paths, readRecord, readSweep, writeRecord, type RunRecord } from './folder.js';
import { FolderBusy, pidAlive } from '../util/lock.js';
import { setContinueHint, WriteFailed } from '../util/fs.js';

/** run-one's exit code when another process holds the run folder (EX_TEMPFAIL): the run is left as it was. */
export const EXIT_BUSY = 75;
/** run-one's exit code when the file system refused a write (EX_IOERR): the run stops, resumable. */
export const EXIT_WRITE = 74;

/** Messages a pool worker sends to its parent over the IPC channel. */
export type WorkerMessage =
  | { type: 'progress'; step: number; steps: number; loss: number }
  | { type: 'phase'; phase: 'preparing' | 'training' | 'evaluating' };

const send = (m: WorkerMessage) => {
  if (process.send && process.connected) process.send(m);
};

/** The run a Slurm array task stands for: line $SLURM_ARRAY_TASK_ID of the task list. */
export function nameFromTaskList(list: string): string {
  const task = process.env.SLURM_ARRAY_TASK_ID;
  if (task === undefined || !/^\d+$/.test(task))
    throw new UserError('--list needs $SLURM_ARRAY_TASK_ID (set by Slurm in an array task), or give the run NAME');
  const names = readFileSync(list, 'utf8').split('\n').filter(Boolean);
  const name = names[Number(task)];
  if (!name) throw new UserError(`${list} has no line ${task} (it lists ${names.length} runs)`);
  return name;
}

/** [wall s, CPU s] now, or since an earlier reading. */
function clock(since?: [number, number]): [number, number] {
  const c = process.cpuUsage();
  const now: [number, number] = [performance.now() / 1000, (c.user + c.system) / 1e6];
  return since ? [now[0] - since[0], now[1] - since[1]] : now;
}

const canonical = (v: unknown): string =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : JSON.stringify(v);

/** Whether two run configs train the same run: equal once validated (defaults written out). */
async function sameRunConfig(stored: unknown, given: unknown): Promise<boolean> {
  if (canonical(stored) === canonical(given)) return true;
  try {
    return canonical(await validateConfig(stored)) === canonical(await validateConfig(given));
  } catch {
    return false; // one of them is no longer a valid config: not the same run
  }
}

export async function runOne(dir: string, name: string, engine: EngineOptions): Promise<number> {
  const sweep = readSweep(dir);
  const spec = sweep.runs.find((r) => r.name === name);
  if (!spec) throw new UserError(`${dir} has no run named '${name}' (see \`disentangle sweep status ${dir}\`)`);
  const runDir = paths.run(dir, name);
  const previous = readRecord(dir, name);
  if (previous?.state === 'done') {
    console.error(`${name}: already done`);
    return 0;
  }
  const holder = previous?.state === 'running' ? previous.attempts[previous.attempts.length - 1] : undefined;
  if (holder && !holder.job && holder.host === hostname() && holder.pid !== process.pid && pidAlive(holder.pid)) {
    // not a failure of the run: the sweep command waits for that process and starts the run again after it
    console.error(`${name}: is being trained by process ${holder.pid}: not starting it twice`);
    return EXIT_BUSY;
  }
  const job = process.env.SLURM_ARRAY_JOB_ID
    ? `${process.env.SLURM_ARRAY_JOB_ID}_${process.env.SLURM_ARRAY_TASK_ID}`
    : undefined;
  const t0 = Date.now();
  const rec: RunRecord = {
    state: 'running',
    attempts: [
      ...(previous?.attempts ?? []),
      {
        host: hostname(),
        pid: process.pid,
        job,
        launched: new Date(performance.timeOrigin).toISOString(),
        started: new Date(t0).toISOString(),
        state: 'running',
      },
    ],
  };
  const attempt = rec.attempts[rec.attempts.length - 1];
  const finish = (state: RunRecord['state'], extra: Partial<RunRecord> = {}) => {
    // the whole process (start-up included): what the run cost, not only its training
    const cpu = process.cpuUsage();
    Object.assign(attempt, {
      state,
      ended: new Date().toISOString(),
      wall_s: (Date.now() - t0) / 1000,
      cpu_s: (cpu.user + cpu.system) / 1e6,
    });
    Object.assign(rec, { state, ...extra });
    writeRecord(dir, name, rec);
  };
  // A process that exits while still 'running' (a signal handler's exit, say) leaves a resumable run.
  const onExit = (code: number) => {
    if (rec.state === 'running' && existsSync(runDir)) finish('stopped', { error: `stopped (exit code ${code})` });
  };
  // The pool's parent is gone: stop as on Ctrl-C instead of training on unseen.
  const onDisconnect = () => process.kill(process.pid, 'SIGTERM');
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', onDisconnect);
  }
  // a full disk part-way: the message says how to go on
  const resetHint = setContinueHint(`disentangle sweep --out ${dir}`);
  let lastSent = 0;
  const off = onTrainStep((e) => {
    const now = Date.now();
    if (now - lastSent < 250 && e.step < e.steps) return;
    lastSent = now;
    send({ type: 'progress', step: e.step, steps: e.steps, loss: e.loss });
  });
  try {
    send({ type: 'phase', phase: 'preparing' });
    const info = await initEngine({ ...engine, quiet: true });
    rec.backend = info.backend;
    const run = await openOrStart(dir, name, runDir, spec.config);
    writeRecord(dir, name, rec);
    process.on('exit', onExit);
    console.error(
      `${name}: ${!run ? 'trained; evaluating' : run.step > 0 ? `resuming at step ${run.step}` : 'starting'} (backend ${info.backend})`,
    );
    let loss = NaN;
    const tTrain = clock();
    let step = checkpointStep(runDir);
    if (run) {
      send({ type: 'phase', phase: 'training' });
      const r = await trainRun(run, { quiet: true });
      [attempt.train_s, attempt.train_cpu_s] = clock(tTrain);
      loss = r.loss;
      step = run.step;
      closeRun(run);
      if (r.stopped) {
        finish('stopped', { step: r.step });
        return r.signal === 'SIGTERM' ? 143 : 130;
      }
    }
    if (!Number.isFinite(loss)) loss = lastLoss(runDir);
    send({ type: 'phase', phase: 'evaluating' });
    const tEval = clock();
    const metrics = await evaluate(runDir, spec.config.eval);
    [attempt.eval_s, attempt.eval_cpu_s] = clock(tEval);
    finish('done', { step, loss, metrics, error: undefined });
    console.error(`${name}: done at step ${step}, loss ${loss.toFixed(3)}`);
    return 0;
  } catch (e) {
    if (e instanceof FolderBusy) {
      // another process trains or scores this run now: not a failure of the run, so nothing is recorded
      console.error(`${name}: ${e.message}`);
      return EXIT_BUSY;
    }
    if (e instanceof WriteFailed) {
      // the run is fine, the disk is not: stopped (resumable), recorded if the disk lets us
      console.error(`${name}: ${e.message}`);
      try {
        finish('stopped', { error: e.message, step: checkpointStep(runDir) });
      } catch {
        /* the record stays 'running' with a dead process: read as stopped, too */
      }
      return EXIT_WRITE;
    }
    const message = e instanceof UserError ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
    if (!(e instanceof UserError)) console.error((e as Error).stack);
    console.error(`${name}: failed: ${message}`);
    if (existsSync(runDir)) finish('failed', { error: message, step: checkpointStep(runDir) });
    else finish('failed', { error: message });
    return 1;
  } finally {
    resetHint();
    off();
    process.removeListener('exit', onExit);
    process.removeListener('disconnect', onDisconnect);
  }
}

/** Resume the run folder if it holds the run, start it if it is new; anything else is an error that names it. */
async function openOrStart(dir: string, name: string, runDir: string, config: unknown) {
  const isRun = existsSync(join(runDir, 'config.json')) && existsSync(join(runDir, 'train.jsonl'));
  if (isRun) {
    let stored: unknown;
    try {
      stored = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    } catch {
      throw new UserError(
        `runs/${name}/config.json is damaged (not JSON); move the folder away to start the run again`,
      );
    }
    // Compared with defaults filled in: training writes the whole config, and a sweep made by an earlier
    // version of the toolkit stores it without settings added since (their defaults are what it trained with).
    if (!(await sameRunConfig(stored, config)))
      throw new UserError(
        `runs/${name}/config.json is not this sweep's config for the run (edited, or from another sweep); ` +
          `move the folder away to start the run again`,
      );
    try {
      return await openRun(runDir);
    } catch (e) {
      if (e instanceof RunFinished) return null; // trained to the end: only its evaluation is left
      throw e;
    }
  }
  if (existsSync(runDir)) {
    const files = readdirSync(runDir);
    // A record of an attempt that failed before the run folder was made is the only file allowed here.
    if (files.every((f) => f === 'status.json')) rmSync(runDir, { recursive: true, force: true });
    else
      throw new UserError(
        `runs/${name} holds files (${files.slice(0, 4).join(', ')}${files.length > 4 ? ', …' : ''}) but no run ` +
          `(config.json and train.jsonl are missing): the folder is damaged; move it away to start the run again`,
      );
  }
  return startRun(runDir, config);
}

async function evaluate(runDir: string, ev: RunConfig['eval']): Promise<Record<string, number>> {
  if (!ev) return {};
  return (await evaluateRun(runDir, scoreOptions(ev))).scores;
}

function lastLoss(runDir: string): number {
  const lines = readFileSync(join(runDir, 'train.jsonl'), 'utf8').trim().split('\n');
  try {
    return Number(JSON.parse(lines[lines.length - 1]).loss);
  } catch {
    return NaN;
  }
}
