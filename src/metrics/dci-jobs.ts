/**
 * DCI's per-factor models as jobs that several threads can take from one queue (dci.ts runs them on the
 * calling thread and, where there are cores to spare, in worker threads started from dci-worker.ts).
 * A factor's result depends only on the data and the options, never on the thread that fits it, so DCI
 * is the same with any number of threads.
 */
import { fitGradientBoosting, presortFeatures, type GbtOptions } from './learners/gbt.js';

export interface DciJobs {
  trainCodes: Float32Array | Float64Array;
  trainFactors: Int32Array;
  nTrain: number;
  testCodes: Float32Array | Float64Array;
  testFactors: Int32Array;
  nTest: number;
  numCodes: number;
  numFactors: number;
  opts: GbtOptions;
  /** Factors in the order they are taken (largest first, for balance). */
  order: number[];
  /** Shared, per factor: its status (OPEN, TAKEN, DONE, FAILED). */
  status: Int32Array;
  /** Per factor: numCodes importances, train accuracy, test accuracy. */
  results: Float64Array;
}

export const OPEN = 0, TAKEN = 1, DONE = 2, FAILED = 3;

function column(m: Int32Array, n: number, d: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = m[i * d + k];
  return out;
}

/** Fits one factor's model; writes its importances and accuracies into `results`. */
export function runDciJob(j: DciJobs, k: number, presorted = presortFeatures(j.trainCodes, j.nTrain, j.numCodes)): void {
  const D = j.numCodes, F = j.numFactors;
  const ytr = column(j.trainFactors, j.nTrain, F, k), yte = column(j.testFactors, j.nTest, F, k);
  const model = fitGradientBoosting(j.trainCodes, j.nTrain, D, ytr, { ...j.opts, presorted });
  const pte = model.predict(j.testCodes, j.nTest);
  let hitTrain = 0, hitTest = 0;
  for (let i = 0; i < j.nTrain; i++) if (model.trainPredictions[i] === ytr[i]) hitTrain++;
  for (let i = 0; i < j.nTest; i++) if (pte[i] === yte[i]) hitTest++;
  const o = k * (D + 2);
  for (let i = 0; i < D; i++) j.results[o + i] = Math.abs(model.featureImportances[i]);
  j.results[o + D] = hitTrain / j.nTrain;
  j.results[o + D + 1] = hitTest / j.nTest;
}

/** Takes open jobs until none is left. A job that throws is marked failed (the caller redoes it). */
export function drainDciJobs(j: DciJobs): void {
  let presorted: ReturnType<typeof presortFeatures> | undefined;
  for (const k of j.order) {
    if (Atomics.compareExchange(j.status, k, OPEN, TAKEN) !== OPEN) continue;
    try {
      presorted ??= presortFeatures(j.trainCodes, j.nTrain, j.numCodes);
      runDciJob(j, k, presorted);
      Atomics.store(j.status, k, DONE);
    } catch {
      Atomics.store(j.status, k, FAILED);
    }
    Atomics.notify(j.status, k);
  }
}
