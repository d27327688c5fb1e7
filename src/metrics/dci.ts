/**
 * DCI (Eastwood & Williams 2018), as disentanglement_lib computes it: one gradient-boosted classifier per
 * factor on all codes; importance matrix R[code, factor]; disentanglement = Σ_i ρ_i (1 − H_F(P_i·)),
 * completeness = mean_k (1 − H_D(P_·k)), informativeness = mean train/test accuracy. 1e-11 is added
 * before entropies (the reference's guard).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { GbtOptions } from './learners/gbt.js';
import { drainDciJobs, runDciJob, DONE, TAKEN, type DciJobs } from './dci-jobs.js';
import { fitLasso } from './learners/lasso.js';
import { column, type CodesAndFactors } from './utils.js';

function entropyBase(p: number[], base: number): number {
  let h = 0;
  for (const v of p) if (v > 0) h -= v * Math.log(v);
  return base > 1 ? h / Math.log(base) : 0;
}

/** Disentanglement and completeness from an importance matrix R (numCodes × numFactors, row-major). */
export function dciFromImportance(R: ArrayLike<number>, numCodes: number, numFactors: number): { disentanglement: number; completeness: number } {
  const eps = 1e-11;
  let total = 0;
  for (let i = 0; i < numCodes * numFactors; i++) total += R[i];
  let dis = 0;
  for (let i = 0; i < numCodes; i++) {
    const row = [...Array(numFactors).keys()].map((k) => R[i * numFactors + k] + eps);
    const s = row.reduce((a, b) => a + b, 0);
    const di = 1 - entropyBase(row.map((v) => v / s), numFactors);
    const rowRaw = [...Array(numFactors).keys()].reduce((a, k) => a + R[i * numFactors + k], 0);
    dis += total > 0 ? (rowRaw / total) * di : 0;
  }
  let comp = 0;
  for (let k = 0; k < numFactors; k++) {
    const col = [...Array(numCodes).keys()].map((i) => R[i * numFactors + k] + eps);
    const s = col.reduce((a, b) => a + b, 0);
    comp += 1 - entropyBase(col.map((v) => v / s), numCodes);
  }
  // All-zero importances: nothing is explained; the reference gives 0 for D (ρ = 0) and we report C = 0 too.
  return { disentanglement: total > 0 ? dis : 0, completeness: total > 0 ? comp / numFactors : 0 };
}

export interface DciResult {
  disentanglement: number;
  completeness: number;
  informativeness_train: number;
  informativeness_test: number;
  importance: Float64Array;
}

export interface DciOptions extends GbtOptions {
  /**
   * Threads fitting the factors' models (the calling one included); default: one per core, at most one
   * per factor. The result does not depend on it.
   */
  threads?: number;
}

export function dci(train: CodesAndFactors, test: CodesAndFactors, opts: DciOptions = {}): DciResult {
  const D = train.numCodes, F = train.numFactors;
  const { threads = availableParallelism(), ...gbt } = opts;
  // largest models first (a model has one tree per class and stage), so that the threads end together
  const classes = Array.from({ length: F }, (_, k) => new Set(column(train.factors, train.n, F, k)).size);
  const order = [...Array(F).keys()].sort((a, b) => classes[b] - classes[a] || a - b);
  const jobs: DciJobs = {
    trainCodes: train.codes, trainFactors: train.factors, nTrain: train.n,
    testCodes: test.codes, testFactors: test.factors, nTest: test.n,
    numCodes: D, numFactors: F, opts: gbt, order,
    status: new Int32Array(new SharedArrayBuffer(4 * F)),
    results: new Float64Array(new SharedArrayBuffer(8 * F * (D + 2))),
  };
  const workers = startWorkers(Math.min(threads, F) - 1, jobs);
  try {
    drainDciJobs(jobs);
    for (const k of order) {
      // wait for the factors other threads took; redo here any that failed there
      while (Atomics.load(jobs.status, k) === TAKEN) Atomics.wait(jobs.status, k, TAKEN, 1000);
      if (Atomics.load(jobs.status, k) !== DONE) runDciJob(jobs, k);
    }
  } finally {
    for (const w of workers) void w.terminate();
  }
  const R = new Float64Array(D * F);
  let accTrain = 0, accTest = 0;
  for (let k = 0; k < F; k++) {
    const o = k * (D + 2);
    for (let i = 0; i < D; i++) R[i * F + k] = jobs.results[o + i];
    accTrain += jobs.results[o + D];
    accTest += jobs.results[o + D + 1];
  }
  return { ...dciFromImportance(R, D, F), informativeness_train: accTrain / F, informativeness_test: accTest / F, importance: R };
}

/**
 * Worker threads that take DCI jobs while the calling thread takes them too (it blocks until all are
 * done, so dci() stays synchronous). None when the compiled worker is absent (running from the
 * TypeScript sources, as the tests do): the calling thread then fits every model.
 */
function startWorkers(count: number, jobs: DciJobs): Worker[] {
  const file = new URL('./dci-worker.js', import.meta.url);
  if (count < 1 || !existsSync(file)) return [];
  return Array.from({ length: count }, () => {
    const w = new Worker(file, { workerData: jobs });
    w.on('error', () => {}); // a worker that fails leaves its jobs open or failed: the calling thread does them
    w.unref();
    return w;
  });
}

/**
 * DCI, lasso variant: per factor, a lasso regression (α = 0.01 by default) from the codes, z-scored with
 * train statistics, to the factor's label; importance = |coefficient|; informativeness = R² on train/test.
 */
export function dciLasso(train: CodesAndFactors, test: CodesAndFactors, alpha = 0.01): DciResult {
  const D = train.numCodes, F = train.numFactors;
  const mean = new Float64Array(D), sd = new Float64Array(D);
  for (let j = 0; j < D; j++) {
    const c = column(train.codes, train.n, D, j);
    mean[j] = c.reduce((a, v) => a + v, 0) / train.n;
    sd[j] = Math.sqrt(c.reduce((a, v) => a + (v - mean[j]) ** 2, 0) / train.n) || 1;
  }
  const z = (d: CodesAndFactors) => Float64Array.from(d.codes, (v, i) => (v - mean[i % D]) / sd[i % D]);
  const ztr = z(train), zte = z(test);
  const R = new Float64Array(D * F);
  let r2tr = 0, r2te = 0;
  const r2 = (X: Float64Array, y: Float64Array, n: number, w: Float64Array, b: number) => {
    const my = y.reduce((a, v) => a + v, 0) / n;
    let ss = 0, st = 0;
    for (let i = 0; i < n; i++) { let p = b; for (let j = 0; j < D; j++) p += X[i * D + j] * w[j]; ss += (y[i] - p) ** 2; st += (y[i] - my) ** 2; }
    return st > 0 ? 1 - ss / st : 0;
  };
  for (let k = 0; k < F; k++) {
    const ytr = column(train.factors, train.n, F, k), yte = column(test.factors, test.n, F, k);
    const { coef, intercept } = fitLasso(ztr, train.n, D, ytr, alpha);
    for (let i = 0; i < D; i++) R[i * F + k] = Math.abs(coef[i]);
    r2tr += r2(ztr, ytr, train.n, coef, intercept);
    r2te += r2(zte, yte, test.n, coef, intercept);
  }
  return { ...dciFromImportance(R, D, F), informativeness_train: r2tr / F, informativeness_test: r2te / F, importance: R };
}
