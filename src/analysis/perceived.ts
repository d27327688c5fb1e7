/**
 * Perceived distances (Michlo et al., IJCAI 2023): the distance a VAE "sees" between two observations is
 * the reconstruction loss of one given the other. A factor whose traversal has near-constant perceived
 * distances carries no ordering for the loss to learn from: the dataset is adversarial for that loss.
 *
 * Plain data out: matrices and statistics as numbers; tensors only inside.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GroundTruthDataset } from '../data/types.js';
import type { ReconstructionLoss } from '../losses/types.js';
import { Rng } from '../util/rng.js';
import { mean, pearson, roundRelative, spearman, std } from './stats.js';
import { perceivedDefaults } from './defaults.js';

export interface PerceivedOptions {
  /** Random traversals per factor (the published matrices average 256). */
  traversals?: number;
  /** Pairs per factor for the correlations, drawn with replacement along the traversals. */
  pairs?: number;
  /** Random pairs of the whole dataset for the baseline distance. */
  randomPairs?: number;
  /** A factor with more values than this is traversed at this many evenly spaced values (and the report says so). */
  maxTraversalLength?: number;
  seed?: number;
  /** Pairs per tensor call (memory bound). */
  batchPairs?: number;
  /** Called with (done, total) traversals. */
  onProgress?: (done: number, total: number) => void;
}

export { perceivedDefaults } from './defaults.js';

/** Thresholds of the per-factor verdict (documented in the report). */
export const verdictThresholds = {
  /** Off-diagonal perceived distances with coefficient of variation below this are "constant". */
  constantCv: 0.05,
  /** Rank correlation below this: the loss barely orders the factor's values. */
  adversarialRank: 0.6,
  /** Rank correlation below this: weak ordering. */
  weakRank: 0.9,
} as const;

export type Verdict = 'adversarial' | 'weak' | 'ordered';

export interface FactorPerceived {
  name: string;
  size: number;
  /** Values actually traversed (size, or fewer when subsampled). */
  traversedValues: number[];
  /** Mean and std of perceived distance over pairs i ≠ j along traversals. */
  mean: number;
  std: number;
  /** Spearman / Pearson correlation between |i − j| and perceived distance over sampled pairs (with replacement). */
  rankCorrelation: number;
  linearCorrelation: number;
  verdict: Verdict;
  /** Why the verdict. */
  reason: string;
  /** Traversal distance matrix averaged over traversals, length L×L (L = traversedValues.length), row-major. */
  matrix: Float64Array;
}

export interface PerceivedReport {
  dataset: string;
  params: Record<string, unknown>;
  loss: string;
  traversals: number;
  pairs: number;
  factors: FactorPerceived[];
  randomPairs: { mean: number; std: number; pairs: number };
  /** Honest notes on what was sampled rather than enumerated. */
  notes: string[];
}

/**
 * Distances between pairs of observations given as flat images; `a`/`b` hold n images each.
 * Returns float64 distances (averaged over H, W, C as the loss's `distance` defines).
 */
export function pairDistances(
  loss: ReconstructionLoss,
  a: Float32Array,
  b: Float32Array,
  n: number,
  shape: readonly number[],
): Float64Array {
  const [h, w, c] = shape;
  const out = tf.tidy(() => {
    const ta = tf.tensor4d(a, [n, h, w, c]);
    const tb = tf.tensor4d(b, [n, h, w, c]);
    return loss.distance(ta, tb);
  });
  const d = Float64Array.from(out.dataSync());
  out.dispose();
  return d;
}

/** Evenly spaced values of a factor when it is too long to traverse whole. */
function traversalValues(size: number, max: number): number[] {
  if (size <= max) return Array.from({ length: size }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.round((i * (size - 1)) / (max - 1)));
}

/**
 * Average traversal distance matrix and all traversal pair distances for one factor.
 * Each traversal fixes the other factors at a random point and varies `factor` over `values`.
 */
export function factorTraversalDistances(
  ds: GroundTruthDataset,
  loss: ReconstructionLoss,
  factor: number,
  values: number[],
  traversals: number,
  rng: Rng,
  batchPairs: number,
  onTraversal?: () => void,
): { perTraversal: Float64Array[]; mean: Float64Array } {
  const L = values.length;
  const obsSize = ds.obsShape[0] * ds.obsShape[1] * ds.obsShape[2];
  const perTraversal: Float64Array[] = [];
  const avg = new Float64Array(L * L);
  // All ordered pairs i ≠ j: a perceived distance need not be symmetric (e.g. BCE).
  const pairsI: number[] = [];
  const pairsJ: number[] = [];
  for (let i = 0; i < L; i++)
    for (let j = 0; j < L; j++)
      if (i !== j) {
        pairsI.push(i);
        pairsJ.push(j);
      }
  // Several traversals per tensor call, each image transformed once (see ReconstructionLoss.pairDistances).
  const perCall = Math.max(1, Math.floor(batchPairs / Math.max(1, pairsI.length)));
  const chunk = new Float32Array(perCall * L * obsSize);
  for (let t0 = 0; t0 < traversals; t0 += perCall) {
    const nt = Math.min(perCall, traversals - t0);
    for (let t = 0; t < nt; t++) {
      const start = ds.stateSpace.sampleFactors(1, rng);
      for (let v = 0; v < L; v++) {
        start[factor] = values[v];
        ds.renderInto(ds.stateSpace.toIndex(start), chunk, (t * L + v) * obsSize);
      }
    }
    const gi = new Int32Array(nt * pairsI.length),
      gj = new Int32Array(nt * pairsI.length);
    for (let t = 0; t < nt; t++)
      for (let p = 0; p < pairsI.length; p++) {
        gi[t * pairsI.length + p] = t * L + pairsI[p];
        gj[t * pairsI.length + p] = t * L + pairsJ[p];
      }
    const [h, w, c] = ds.obsShape;
    const dt = tf.tidy(() =>
      loss.pairDistances(
        tf.tensor4d(chunk.subarray(0, nt * L * obsSize), [nt * L, h, w, c]),
        tf.tensor1d(gi, 'int32'),
        tf.tensor1d(gj, 'int32'),
      ),
    );
    const d = dt.dataSync();
    dt.dispose();
    for (let t = 0; t < nt; t++) {
      const m = new Float64Array(L * L);
      for (let p = 0; p < pairsI.length; p++) m[pairsI[p] * L + pairsJ[p]] = d[t * pairsI.length + p];
      perTraversal.push(m);
      for (let i = 0; i < m.length; i++) avg[i] += m[i] / traversals;
      onTraversal?.();
    }
  }
  return { perTraversal, mean: avg };
}

function verdictFor(cv: number, rank: number): { verdict: Verdict; reason: string } {
  const t = verdictThresholds;
  if (!(cv >= t.constantCv)) {
    return {
      verdict: 'adversarial',
      reason: `perceived distance is (near) constant along the factor (std/mean ${fmt(cv)} < ${t.constantCv}): no ordering to learn`,
    };
  }
  if (!(rank >= t.adversarialRank)) {
    return {
      verdict: 'adversarial',
      reason: `rank correlation ${fmt(rank)} < ${t.adversarialRank}: the loss barely orders the factor's values`,
    };
  }
  if (rank < t.weakRank)
    return { verdict: 'weak', reason: `rank correlation ${fmt(rank)} < ${t.weakRank}: partial ordering` };
  return { verdict: 'ordered', reason: `rank correlation ${fmt(rank)} ≥ ${t.weakRank}: distances follow the factor` };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : String(x);
}

/** The whole perceived-distance analysis of a dataset under a loss. */
export function analysePerceivedDistances(
  ds: GroundTruthDataset,
  loss: ReconstructionLoss,
  options: PerceivedOptions = {},
): PerceivedReport {
  const o = { ...perceivedDefaults, ...options };
  const rng = new Rng(o.seed);
  const notes: string[] = [];
  const factors: FactorPerceived[] = [];
  const total = ds.factors.length * o.traversals;
  let done = 0;
  ds.factors.forEach((f, k) => {
    const values = traversalValues(f.size, o.maxTraversalLength);
    if (values.length < f.size) {
      notes.push(
        `factor ${f.name} has ${f.size} values: traversed at ${values.length} evenly spaced values (sampled, not exhaustive)`,
      );
    }
    const L = values.length;
    if (L < 2) {
      factors.push({
        name: f.name,
        size: f.size,
        traversedValues: values,
        mean: 0,
        std: 0,
        rankCorrelation: NaN,
        linearCorrelation: NaN,
        verdict: 'adversarial',
        reason: 'the factor has a single value: nothing to order',
        matrix: new Float64Array(L * L),
      });
      done += o.traversals;
      return;
    }
    const frng = rng.fork(`factor:${k}`);
    const { perTraversal, mean: matrix } = factorTraversalDistances(
      ds,
      loss,
      k,
      values,
      o.traversals,
      frng,
      o.batchPairs,
      () => {
        o.onProgress?.(++done, total);
      },
    );
    // Mean/std over pairs i ≠ j of every traversal.
    const off: number[] = [];
    for (const m of perTraversal)
      for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) if (i !== j) off.push(m[i * L + j]);
    const mu = mean(off);
    const sd = std(off);
    // Correlation over pairs drawn with replacement (i = j allowed, distance 0): defined even on constant-distance data.
    const prng = frng.fork('pairs');
    const gt = new Float64Array(o.pairs);
    const pd = new Float64Array(o.pairs);
    for (let p = 0; p < o.pairs; p++) {
      const m = perTraversal[prng.int(perTraversal.length)];
      const i = prng.int(L);
      const j = prng.int(L);
      gt[p] = Math.abs(values[i] - values[j]);
      pd[p] = m[i * L + j];
    }
    const pdr = roundRelative(pd);
    const rank = spearman(gt, pdr);
    const lin = pearson(gt, pdr);
    const cv = mu > 0 ? sd / mu : 0;
    factors.push({
      name: f.name,
      size: f.size,
      traversedValues: values,
      mean: mu,
      std: sd,
      rankCorrelation: rank,
      linearCorrelation: lin,
      ...verdictFor(cv, rank),
      matrix,
    });
  });
  // Baseline: random pairs of the whole dataset.
  const rrng = rng.fork('random-pairs');
  const obsSize = ds.obsShape[0] * ds.obsShape[1] * ds.obsShape[2];
  const batch = Math.min(o.batchPairs, o.randomPairs);
  const a = new Float32Array(batch * obsSize);
  const b = new Float32Array(batch * obsSize);
  const rd: number[] = [];
  for (let p0 = 0; p0 < o.randomPairs; p0 += batch) {
    const n = Math.min(batch, o.randomPairs - p0);
    const ia = ds.stateSpace.sampleIndices(n, rrng);
    const ib = ds.stateSpace.sampleIndices(n, rrng);
    for (let k = 0; k < n; k++) {
      ds.renderInto(ia[k], a, k * obsSize);
      ds.renderInto(ib[k], b, k * obsSize);
    }
    const d = pairDistances(loss, a.subarray(0, n * obsSize), b.subarray(0, n * obsSize), n, ds.obsShape);
    for (let k = 0; k < n; k++) rd.push(d[k]);
  }
  return {
    dataset: ds.name,
    params: { ...ds.params },
    loss: loss.spec,
    traversals: o.traversals,
    pairs: o.pairs,
    factors,
    randomPairs: { mean: mean(rd), std: std(rd), pairs: o.randomPairs },
    notes,
  };
}
