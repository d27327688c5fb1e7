/**
 * Independent jobs (one per factor, say) shared between the calling thread and worker threads: each
 * thread takes the next open job until none is left, and the calling thread blocks until all are done,
 * so callers stay synchronous. A job's result depends only on its data, never on the thread that ran it.
 * Workers run jobs-worker.js, which maps a job kind to its function; without it (running from the
 * TypeScript sources, as the tests do) or with one thread, the calling thread runs every job.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export type JobFn<D> = (data: D, k: number) => ArrayLike<number>;

export interface JobQueue<D> {
  kind: string;
  data: D;
  /** Job numbers in the order they are taken (largest first balances the threads). */
  order: number[];
  resultLength: number;
  /** Shared: per job OPEN, TAKEN, DONE or FAILED. */
  status: Int32Array;
  /** Shared: job k's result at k·resultLength. */
  results: Float64Array;
}

const OPEN = 0,
  TAKEN = 1,
  DONE = 2,
  FAILED = 3;

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

/**
 * The Node options a metric's worker threads inherit: the parent's, less those that only make sense for
 * the main script (`node --input-type=module -e …` would otherwise stop every worker from loading).
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

/** Runs jobs `order` of `kind` (fn on this thread) on up to `threads` threads; returns the results, job-major. */
export function runJobs<D>(
  kind: string,
  fn: JobFn<D>,
  data: D,
  order: number[],
  resultLength: number,
  threads = availableParallelism(),
): Float64Array {
  const count = order.length === 0 ? 0 : Math.max(...order) + 1;
  const q: JobQueue<D> = {
    kind,
    data,
    order,
    resultLength,
    status: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, count))),
    results: new Float64Array(new SharedArrayBuffer(8 * Math.max(1, count * resultLength))),
  };
  const file = new URL('./jobs-worker.js', import.meta.url);
  const workers: Worker[] = [];
  if (existsSync(file)) {
    for (let w = 1; w < Math.min(threads, order.length); w++) {
      const worker = new Worker(file, { workerData: q, execArgv: workerExecArgv() });
      worker.on('error', () => {}); // its jobs stay open or are marked failed: this thread does them
      worker.unref();
      workers.push(worker);
    }
  }
  try {
    drainJobs(fn, q);
    for (const k of order) {
      while (Atomics.load(q.status, k) === TAKEN) Atomics.wait(q.status, k, TAKEN, 1000);
      if (Atomics.load(q.status, k) !== DONE) q.results.set(fn(data, k), k * resultLength);
    }
  } finally {
    for (const w of workers) void w.terminate();
  }
  return q.results;
}
