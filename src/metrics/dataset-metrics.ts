/**
 * Metrics that sample observations from a ground-truth dataset and encode them (metrics.md).
 * A representation function maps observations (N·H·W·C float32) to codes (N×D).
 */
import type { GroundTruthDataset } from '../data/types.js';
import { renderObservations, sampleWithFixedFactor } from '../data/index.js';
import type { Rng } from '../util/rng.js';
import type { CodesAndFactors } from './utils.js';

export type RepresentationFn = (x: Float32Array, n: number) => Float32Array;

/** Sample n observations uniformly, encode them in batches: codes and factors for the array metrics. */
export function sampleCodesAndFactors(
  ds: GroundTruthDataset,
  rep: RepresentationFn,
  n: number,
  rng: Rng,
  batch = 256,
): CodesAndFactors {
  const F = ds.factors.length;
  const factors = new Int32Array(n * F);
  let codes: Float32Array | null = null;
  let D = 0;
  const f = new Int32Array(F);
  for (let i0 = 0; i0 < n; i0 += batch) {
    const m = Math.min(batch, n - i0);
    const idx = ds.stateSpace.sampleIndices(m, rng);
    idx.forEach((v, i) => factors.set(ds.stateSpace.toFactors(v, f), (i0 + i) * F));
    const c = rep(renderObservations(ds, idx), m);
    if (!codes) {
      D = c.length / m;
      codes = new Float32Array(n * D);
    }
    codes.set(c, i0 * D);
  }
  return { codes: codes!, factors, n, numCodes: D, numFactors: F };
}

/**
 * FactorVAE score (Kim & Mnih): prune dimensions with global std < 0.05; each vote fixes a random factor k,
 * encodes `batch` observations sharing its value, and takes the active dimension with the smallest
 * variance / global variance; a majority-vote classifier (dimension → factor) is scored on separate votes.
 */
export function factorVaeScore(
  ds: GroundTruthDataset,
  rep: RepresentationFn,
  rng: Rng,
  o: { batch?: number; numTrain?: number; numEval?: number; numVarianceEstimate?: number } = {},
) {
  const batch = o.batch ?? 64,
    numTrain = o.numTrain ?? 10000,
    numEval = o.numEval ?? 5000,
    numVar = o.numVarianceEstimate ?? 10000;
  const all = sampleCodesAndFactors(ds, rep, numVar, rng);
  const D = all.numCodes,
    F = ds.factors.length;
  const globalVar = new Float64Array(D);
  for (let j = 0; j < D; j++) {
    let m = 0;
    for (let i = 0; i < numVar; i++) m += all.codes[i * D + j] / numVar;
    let v = 0;
    for (let i = 0; i < numVar; i++) v += (all.codes[i * D + j] - m) ** 2;
    globalVar[j] = v / (numVar - 1);
  }
  const active = [...Array(D).keys()].filter((j) => Math.sqrt(globalVar[j]) >= 0.05);
  if (active.length === 0) return { train_accuracy: 0, eval_accuracy: 0, num_active_dims: 0 };
  const votes = (count: number) => {
    const table = new Int32Array(D * F);
    for (let v = 0; v < count; v++) {
      const k = rng.int(F);
      const idx = sampleWithFixedFactor(ds, batch, k, rng);
      const c = rep(renderObservations(ds, idx), batch);
      let best = -1,
        bestRatio = Infinity;
      for (const j of active) {
        let m = 0;
        for (let i = 0; i < batch; i++) m += c[i * D + j] / batch;
        let s = 0;
        for (let i = 0; i < batch; i++) s += (c[i * D + j] - m) ** 2;
        const ratio = s / (batch - 1) / globalVar[j];
        if (ratio < bestRatio) {
          bestRatio = ratio;
          best = j;
        }
      }
      table[best * F + k]++;
    }
    return table;
  };
  const tr = votes(numTrain),
    ev = votes(numEval);
  const classOf = [...Array(D).keys()].map((j) => {
    let b = 0;
    for (let k = 1; k < F; k++) if (tr[j * F + k] > tr[j * F + b]) b = k;
    return b;
  });
  const acc = (t: Int32Array, total: number) => {
    let s = 0;
    for (let j = 0; j < D; j++) s += t[j * F + classOf[j]];
    return s / total;
  };
  return { train_accuracy: acc(tr, numTrain), eval_accuracy: acc(ev, numEval), num_active_dims: active.length };
}
