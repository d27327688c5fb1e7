/**
 * Samplers for training and metrics. Every draw comes from the Rng passed in, so a stream seeded by
 * (seed, step) is reproducible and resumable. Indices are float64 (exact up to 2^53; see StateSpace).
 */
import type { GroundTruthDataset } from './types.js';
import { Rng } from '../util/rng.js';
import { sampleTemporalPairs } from './temporal.js';
import { UserError } from '../util/errors.js';
const RngCtor = Rng;

/** How a pair's chosen factors get their second value (see `samplePairs`). */
export type PairSampling = 'exact' | 'resample';

/**
 * Pairs for weak supervision (Ada-GVAE): returns 2B indices, rows i and B+i form a pair. k factors (among those
 * with more than one value) are chosen per pair; `k` = 'random' draws k uniformly from 1 … (their number).
 * 'exact' (default) gives each chosen factor a different value, so the pair differs in exactly k factors;
 * 'resample' redraws each chosen factor's value uniformly from all its values, possibly the one it had — the
 * weak-pair sampler of disentanglement_lib and disent — so pairs differ in at most k factors, and with k = 1
 * a pair is identical with probability mean over factors of 1/size. (Their k = choice([1, k]) quirk for k > 1
 * is not reproduced.) Both draw the same number of values, so the factors chosen agree between the two modes.
 */
export function samplePairs(
  ds: GroundTruthDataset,
  batch: number,
  k: number | 'random',
  rng: Rng,
  sampling: PairSampling = 'exact',
): Float64Array {
  const F = ds.factors.length;
  const varying = ds.factors.map((f, i) => (f.size > 1 ? i : -1)).filter((i) => i >= 0);
  if (varying.length === 0)
    throw new UserError(`dataset '${ds.name}' has no factor with more than one value: pairs cannot differ`);
  const out = new Float64Array(2 * batch);
  const a = new Int32Array(F);
  for (let b = 0; b < batch; b++) {
    const f = ds.stateSpace.sampleFactors(1, rng);
    a.set(f);
    const kk = k === 'random' ? 1 + rng.int(varying.length) : Math.min(k, varying.length);
    const choice = rng.shuffle(varying.slice()).slice(0, kk) as number[];
    const g = f.slice();
    for (const i of choice) {
      const size = ds.factors[i].size;
      g[i] = sampling === 'resample' ? rng.int(size) : (f[i] + 1 + rng.int(size - 1)) % size; // 'exact': a different value
    }
    out[b] = ds.stateSpace.toIndex(a);
    out[batch + b] = ds.stateSpace.toIndex(g);
  }
  return out;
}

/** What a training batch holds (frameworks/types.ts documents each kind). */
export type BatchKindName = 'single' | 'pairs' | 'temporal';

/**
 * A training batch for a framework's batch kind: B indices ('single'), or 2B ('pairs': differing in `k`
 * factors; 'temporal': consecutive observations under sparse steps of rate `rate`).
 */
export function sampleBatch(
  ds: GroundTruthDataset,
  batch: number,
  kind: BatchKindName,
  rng: Rng,
  k: number | 'random' = 1,
  rate: number | 'random' = 1,
  pairSampling: PairSampling = 'exact',
): Float64Array {
  if (kind === 'pairs') return samplePairs(ds, batch, k, rng, pairSampling);
  if (kind === 'temporal') return sampleTemporalPairs(ds, batch, rate, rng);
  return ds.stateSpace.sampleIndices(batch, rng);
}

/** Observations that share factor `factor`'s value (used by the BetaVAE and FactorVAE scores). */
export function sampleWithFixedFactor(ds: GroundTruthDataset, n: number, factor: number, rng: Rng): Float64Array {
  const f = ds.stateSpace.sampleFactors(n, rng);
  const F = ds.factors.length;
  const v = f[factor];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    f[i * F + factor] = v;
    out[i] = ds.stateSpace.toIndex(f.subarray(i * F, (i + 1) * F));
  }
  return out;
}

/**
 * Triplets (anchor, positive, negative) ordered by factor distance: the positive is a random observation no
 * farther (L1 over factor labels) from the anchor than the negative. Returns 3n indices: anchors, positives,
 * negatives, in three blocks of n.
 */
export function sampleTriplets(ds: GroundTruthDataset, n: number, rng: Rng): Float64Array {
  const F = ds.factors.length;
  const out = new Float64Array(3 * n);
  const fa = new Int32Array(F),
    fb = new Int32Array(F),
    fc = new Int32Array(F);
  const dist = (x: Int32Array, y: Int32Array) => {
    let d = 0;
    for (let k = 0; k < F; k++) d += Math.abs(x[k] - y[k]);
    return d;
  };
  for (let i = 0; i < n; i++) {
    const [a, b, c] = ds.stateSpace.sampleIndices(3, rng);
    ds.stateSpace.toFactors(a, fa);
    ds.stateSpace.toFactors(b, fb);
    ds.stateSpace.toFactors(c, fc);
    const [pos, neg] = dist(fa, fb) <= dist(fa, fc) ? [b, c] : [c, b];
    out[i] = a;
    out[n + i] = pos;
    out[2 * n + i] = neg;
  }
  return out;
}

/** A random traversal of one factor (all its values, the others fixed at a random point). */
export function sampleTraversal(ds: GroundTruthDataset, factor: number, rng: Rng): Float64Array {
  const start = ds.stateSpace.sampleFactors(1, rng);
  return Float64Array.from({ length: ds.factors[factor].size }, (_, v) => {
    start[factor] = v;
    return ds.stateSpace.toIndex(start);
  });
}

/** An infinite seeded stream of training batches; batch t depends only on (seed, t), so streams resume exactly. */
export function* batchStream(
  ds: GroundTruthDataset,
  o: {
    batchSize: number;
    kind: BatchKindName;
    k?: number | 'random';
    rate?: number | 'random';
    seed: number;
    start?: number;
  },
): Generator<{ step: number; indices: Float64Array }> {
  for (let step = o.start ?? 0; ; step++) {
    const rng = new RngCtor(`${o.seed}:batch:${step}`);
    yield { step, indices: sampleBatch(ds, o.batchSize, o.kind, rng, o.k ?? 1, o.rate ?? 1) };
  }
}
