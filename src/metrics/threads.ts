/**
 * Helper threads for the metrics, one mechanism for all of them (DCI's tree teams, explicitness's jobs).
 * The calling thread stays synchronous: it starts helpers, posts them work in shared memory, does its own
 * share and blocks (Atomics.wait) until the work is done. A blocked thread never sees its workers' events,
 * so failures travel through shared memory, and the calling thread redoes whatever a helper failed to do:
 * a result never depends on the helpers.
 *
 * A helper runs helper-worker.js, which loads only the module of its kind (a few learners: no dataset, no
 * tfjs), so that it starts in milliseconds. Without the compiled worker (running from the TypeScript
 * sources, as the tests do) or with one thread, the calling thread does everything.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** The helper kinds; helper-worker.ts maps each to the module that serves it. */
export type HelperKind = 'explicitness' | 'dci' | 'infomec' | 'dci_es';

/** What a kind's module gives a helper: from its start-up data, the handler of each message posted to it. */
export type HelperFactory<Init, Message> = (init: Init) => (message: Message) => void;

/** What a helper receives as its workerData. */
export interface HelperStart {
  kind: HelperKind;
  init: unknown;
  /** Shared: [0] the number of helpers that have loaded their kind's module. */
  loaded: Int32Array;
}

/** Counts over the life of this thread (a test checks that the helpers did their part). */
const stats = { started: 0, loaded: 0, redone: 0 };

/**
 * Helpers started so far, those that had loaded their module when they were closed, and the pieces of work
 * the calling thread redid because a helper failed.
 */
export function helperStats(): Readonly<typeof stats> {
  return { ...stats };
}

/** The calling thread redid a helper's failed work. */
export function countRedone(): void {
  stats.redone++;
}

/**
 * The Node options helpers inherit: the parent's, less those that only make sense for the main script
 * (`node --input-type=module -e …` would otherwise stop every helper from loading).
 */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--input-type' || a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
      i++;
      continue;
    }
    if (a.startsWith('--input-type=') || a.startsWith('--eval=') || a.startsWith('--print=')) continue;
    out.push(a);
  }
  return out;
}

/** `count` helper threads of one kind (none when the compiled worker is absent). */
export class Helpers<Init, Message> {
  private readonly workers: Worker[] = [];
  /** Shared: [0] helpers whose module has loaded (see GbtTeam.loaded). */
  readonly loaded = new Int32Array(new SharedArrayBuffer(4));

  constructor(kind: HelperKind, count: number, init: Init) {
    const file = new URL('./helper-worker.js', import.meta.url);
    if (count < 1 || !existsSync(file)) return;
    const workerData: HelperStart = { kind, init, loaded: this.loaded };
    for (let r = 0; r < count; r++) {
      const w = new Worker(file, { workerData, execArgv: workerExecArgv() });
      w.on('error', () => {}); // its work is left undone or marked failed: the calling thread does it
      w.unref();
      this.workers.push(w);
    }
    stats.started += count;
  }

  get count(): number {
    return this.workers.length;
  }

  /** Posts message(rank) to each helper, ranks 1 … count (0 is the calling thread). */
  post(message: (rank: number) => Message): void {
    this.workers.forEach((w, r) => w.postMessage(message(r + 1)));
  }

  close(): void {
    if (this.workers.length) stats.loaded += Atomics.load(this.loaded, 0);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

// ---- independent jobs (one per factor, say), taken by whichever thread is free ----

export type JobFn<D> = (data: D, k: number) => ArrayLike<number>;

export interface JobQueue<D> {
  data: D;
  /** Job numbers in the order they are taken (largest first balances the threads). */
  order: number[];
  resultLength: number;
  /** Shared: per job OPEN, TAKEN, DONE or FAILED. */
  status: Int32Array;
  /** Shared: job k's result at k·resultLength. */
  results: Float64Array;
}

export const OPEN = 0,
  TAKEN = 1,
  DONE = 2,
  FAILED = 3;

export function jobQueue<D>(data: D, order: number[], resultLength: number): JobQueue<D> {
  const count = order.length === 0 ? 0 : Math.max(...order) + 1;
  return {
    data,
    order,
    resultLength,
    status: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, count))),
    results: new Float64Array(new SharedArrayBuffer(8 * Math.max(1, count * resultLength))),
  };
}

/** Takes open jobs until none is left; one that throws is marked failed (the calling thread redoes it). */
export function drainJobs<D>(fn: JobFn<D>, q: JobQueue<D>): void {
  for (const k of q.order) {
    if (Atomics.compareExchange(q.status, k, OPEN, TAKEN) !== OPEN) continue;
    try {
      q.results.set(fn(q.data, k), k * q.resultLength);
      Atomics.store(q.status, k, DONE);
    } catch {
      Atomics.store(q.status, k, FAILED);
    }
    Atomics.notify(q.status, k);
  }
}

/** The helper of a job kind: each message is a queue, drained with fn. */
export function jobHelper<D>(fn: JobFn<D>): HelperFactory<undefined, JobQueue<D>> {
  return () => (q) => drainJobs(fn, q);
}

/**
 * Runs jobs `order` of `kind` (fn on this thread, the kind's jobHelper on the helpers) on up to `threads`
 * threads; returns the results, job-major. A job's result depends only on its data, never on the thread.
 */
export function runJobs<D>(
  kind: HelperKind,
  fn: JobFn<D>,
  data: D,
  order: number[],
  resultLength: number,
  threads = availableParallelism(),
): Float64Array {
  const q = jobQueue(data, order, resultLength);
  const helpers = new Helpers<undefined, JobQueue<D>>(kind, Math.min(threads, order.length) - 1, undefined);
  helpers.post(() => q);
  try {
    drainJobs(fn, q);
    for (const k of order) {
      while (Atomics.load(q.status, k) === TAKEN) Atomics.wait(q.status, k, TAKEN, 1000);
      if (Atomics.load(q.status, k) !== DONE) {
        countRedone();
        q.results.set(fn(data, k), k * resultLength);
      }
    }
  } finally {
    helpers.close();
  }
  return q.results;
}
