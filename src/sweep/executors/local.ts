/**
 * The local executor: a pool of worker processes, one run each (`disentangle sweep run-one DIR NAME`), so a
 * crash takes down one run only. Workers run in their own process group: Ctrl-C reaches the pool alone,
 * which passes it on once to every worker (each writes its checkpoint and stops) and waits for them; a
 * second Ctrl-C kills them (they resume from their last regular checkpoint). A worker whose pool dies
 * (kill -9 of the sweep's process group) stops itself at its next step, writing its checkpoint: it watches the
 * IPC channel to its pool; a sweep command run meanwhile waits for it (see ../index.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { asWriteFailure, makeDir, writeFileAtomic, WriteFailed } from '../../util/fs.js';
import { cliPath, paths, readRecord, sweepText, writeRecord, type RunRecord, type SweepFile } from '../folder.js';
import { PoolDisplay, type WorkerView } from '../progress.js';
import { EXIT_BUSY, EXIT_WRITE, type WorkerMessage } from '../run-one.js';

export interface LocalOptions {
  workers: number;
  /** `--backend …`, `--threads …`, `--device …` for each worker. */
  engineArgs: string[];
  quiet?: boolean;
  /** Wall-clock limit per run; a run past it is stopped and recorded as failed. */
  timeLimitS?: number;
}

export interface LocalResult {
  done: string[];
  failed: string[];
  stopped: string[];
  /** Runs not started because another process held them (their worker exited EXIT_BUSY). */
  busy: string[];
  /** Set when a write was refused (a full disk): the message; the pool started no run after it. */
  writeFailed?: string;
  /** Set when the pool was stopped by a signal. */
  signal?: 'SIGINT' | 'SIGTERM';
  /** Wall seconds of each finished run's worker process, start to exit (for the benchmark). */
  processSeconds: Record<string, number>;
}

interface Active extends WorkerView {
  child: ChildProcess;
  started: number;
  timedOut: boolean;
  timer?: NodeJS.Timeout;
}

function logTail(path: string, n = 3): string {
  if (!existsSync(path)) return '';
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !/^\s+at /.test(l));
  return lines.slice(-n).join(' | ');
}

/** Record a run's end; on a disk that refuses the write the record stays 'running' with a dead process (pending). */
function keepRecord(dir: string, name: string, rec: RunRecord): void {
  try {
    writeRecord(dir, name, rec);
  } catch (e) {
    if (!(e instanceof WriteFailed)) throw e;
  }
}

export function runLocal(dir: string, sweep: SweepFile, names: string[], o: LocalOptions): Promise<LocalResult> {
  const queue = [...names];
  const active = new Map<string, Active>();
  const result: LocalResult = { done: [], failed: [], stopped: [], busy: [], processSeconds: {} };
  const display = new PoolDisplay(names.length, o.quiet);
  const freeSlots = Array.from({ length: o.workers }, (_, i) => i + 1);
  const text = sweepText(sweep);
  let stopping: 'SIGINT' | 'SIGTERM' | undefined;
  let kills = 0;
  const counts = () => ({ done: result.done.length, failed: result.failed.length });
  const views = () => [...active.values()];

  return new Promise((resolveAll) => {
    const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
      kills++;
      if (!stopping) {
        stopping = sig;
        display.event(
          `${sig === 'SIGINT' ? 'Ctrl-C' : sig}: stopping ${active.size} worker${active.size === 1 ? '' : 's'} ` +
            `(each writes its checkpoint; ${sig === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again kills them)`,
          views(),
          counts(),
        );
        for (const w of active.values()) w.child.kill(sig);
      } else if (kills >= 2) for (const w of active.values()) w.child.kill('SIGKILL');
    };
    const onInt = () => onSignal('SIGINT');
    const onTerm = () => onSignal('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);

    const finishAll = () => {
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
      display.finish();
      result.signal = stopping;
      resolveAll(result);
    };

    const ended = (name: string, w: Active, code: number | null, signal: NodeJS.Signals | null) => {
      if (w.timer) clearTimeout(w.timer);
      active.delete(name);
      freeSlots.push(w.slot);
      freeSlots.sort((a, b) => a - b);
      const secs = (Date.now() - w.started) / 1000;
      result.processSeconds[name] = secs;
      const rec = readRecord(dir, name);
      const fail = (error: string, r: RunRecord | null = rec) => {
        const attempts = r?.attempts ?? [];
        const last = attempts[attempts.length - 1];
        if (last?.state === 'running') Object.assign(last, { state: 'failed', ended: new Date().toISOString() });
        keepRecord(dir, name, { ...(r ?? {}), attempts, state: 'failed', error });
        result.failed.push(name);
        display.event(`FAILED ${name}: ${error}`, views(), counts());
      };
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      if (w.timedOut) fail(`timed out after ${o.timeLimitS} s (--time), at step ${w.step}`);
      else if (code === 0 && rec?.state === 'done') {
        result.done.push(name);
        const m = Object.entries(rec.metrics ?? {})
          .slice(0, 3)
          .map(([k, v]) => `${k} ${v}`);
        display.event(
          `done ${name}: loss ${rec.loss?.toFixed(2)}${m.length ? ', ' + m.join(', ') : ''} (${secs.toFixed(1)} s)`,
          views(),
          counts(),
        );
      } else if (code === 1 && rec?.state === 'failed') {
        result.failed.push(name);
        display.event(`FAILED ${name}: ${rec.error}`, views(), counts());
      } else if (code === EXIT_WRITE) {
        // the disk, not the run: stopped (resumable), and no further run is started on that disk
        const why = logTail(paths.log(dir, name), 1).replace(`${name}: `, '') || 'a write was refused';
        result.writeFailed ??= why;
        result.stopped.push(name);
        display.event(`stopped ${name}: ${why}`, views(), counts());
      } else if (code === EXIT_BUSY) {
        result.stopped.push(name);
        result.busy.push(name);
        display.event(
          `skipped ${name}: its folder is in use by another process (see logs/${name}.log)`,
          views(),
          counts(),
        );
      } else if (stopping && (code === 130 || code === 143 || signal)) {
        if (rec?.state === 'running') keepRecord(dir, name, { ...rec, state: 'stopped', error: `stopped (${how})` });
        result.stopped.push(name);
        display.event(`stopped ${name} at step ${w.step} (${how})`, views(), counts());
      } else {
        const tail = logTail(paths.log(dir, name));
        fail(`crashed (${how})${tail ? `: ${tail}` : ''}; log: logs/${name}.log`);
      }
      next();
    };

    /** Start a worker for `name`; a refused write (the log, sweep.json) stops the pool from starting more. */
    const launch = (name: string) => {
      try {
        start(name);
      } catch (e) {
        if (!(e instanceof WriteFailed)) throw e;
        result.writeFailed ??= e.message;
        display.event(`not started ${name}: ${e.message}`, views(), counts());
      }
    };

    const start = (name: string) => {
      // sweep.json is what every worker reads: if it was deleted or edited meanwhile, put it back
      let current = '';
      try {
        current = readFileSync(paths.sweep(dir), 'utf8');
      } catch {
        /* deleted */
      }
      if (current !== text) {
        writeFileAtomic(paths.sweep(dir), text);
        display.event(
          `sweep.json was ${current ? 'changed' : 'deleted'} during the sweep: restored`,
          views(),
          counts(),
        );
      }
      const logPath = paths.log(dir, name);
      makeDir(dirname(logPath));
      let fd: number;
      try {
        fd = openSync(logPath, 'a');
      } catch (e) {
        throw asWriteFailure(e, logPath);
      }
      const child = spawn(process.execPath, [cliPath, 'sweep', 'run-one', dir, name, ...o.engineArgs], {
        stdio: ['ignore', fd, fd, 'ipc'],
        detached: true,
      });
      closeSync(fd);
      const w: Active = {
        child,
        name,
        slot: freeSlots.shift()!,
        phase: 'starting',
        step: 0,
        steps: 0,
        loss: NaN,
        started: Date.now(),
        timedOut: false,
      };
      active.set(name, w);
      if (o.timeLimitS) {
        w.timer = setTimeout(() => {
          w.timedOut = true;
          child.kill('SIGTERM');
          setTimeout(
            () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'),
            30_000,
          ).unref();
        }, o.timeLimitS * 1000);
      }
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'phase') w.phase = m.phase;
        else if (m.type === 'progress') {
          if (w.firstAt === undefined) [w.firstAt, w.firstStep] = [Date.now(), m.step];
          Object.assign(w, { step: m.step, steps: m.steps, loss: m.loss });
        }
        display.update(views(), counts());
      });
      child.on('exit', (code, signal) => ended(name, w, code, signal));
      child.on('error', () => {
        /* reported by 'exit' (spawn failures too) */
      });
      display.event(`start ${name}`, views(), counts());
    };

    const next = () => {
      while (!stopping && !result.writeFailed && queue.length && active.size < o.workers) launch(queue.shift()!);
      if (!active.size) finishAll();
    };
    next();
  });
}
