/**
 * Shared pieces of the metrics (metrics.md, as disentanglement_lib defines them). Plain data:
 * codes are row-major N×D float arrays, factors row-major N×F int32 labels.
 */
import { UserError } from '../util/errors.js';

export interface CodesAndFactors {
  codes: Float32Array | Float64Array;
  factors: Int32Array;
  n: number;
  numCodes: number;
  numFactors: number;
}

/**
 * The fewest observations the code metrics accept, in train and in test. Below this a 20-bin histogram mutual
 * information, a classifier's accuracy or a covariance of the codes estimates nothing (one row scored a
 * perfect DCI informativeness); disentanglement_lib uses 10,000 train and 5,000 test observations.
 */
export const MIN_ROWS = 10;

/** Check shapes and values; NaN/Inf in codes is an error naming the row (never passed on silently). */
export function checkCodes(d: CodesAndFactors, what = 'codes'): void {
  if (d.n < MIN_ROWS)
    throw new UserError(
      `${what} have ${d.n} row${d.n === 1 ? '' : 's'}: the metrics need at least ${MIN_ROWS} observations ` +
        '(thousands for stable scores; disentanglement_lib uses 10,000 train and 5,000 test)',
    );
  if (d.codes.length !== d.n * d.numCodes)
    throw new UserError(`${what}: ${d.codes.length} values for ${d.n}×${d.numCodes}`);
  if (d.factors.length !== d.n * d.numFactors)
    throw new UserError(`${what}: factors have ${d.factors.length} values for ${d.n}×${d.numFactors}`);
  for (let i = 0; i < d.codes.length; i++) {
    if (!Number.isFinite(d.codes[i])) {
      throw new UserError(
        `${what} contain ${d.codes[i]} at row ${Math.floor(i / d.numCodes)}, dimension ${i % d.numCodes}: metrics need finite codes`,
      );
    }
  }
}

/** The factors (column indices) that take a single value in `d`. */
export function singleValuedFactors(d: CodesAndFactors): number[] {
  const out: number[] = [];
  for (let k = 0; k < d.numFactors; k++) {
    let i = 1;
    while (i < d.n && d.factors[i * d.numFactors + k] === d.factors[k]) i++;
    if (i >= d.n) out.push(k);
  }
  return out;
}

/** `d` with only the factor columns `keep` (in that order). */
export function selectFactors(d: CodesAndFactors, keep: readonly number[]): CodesAndFactors {
  const F = d.numFactors,
    K = keep.length;
  const factors = new Int32Array(d.n * K);
  for (let i = 0; i < d.n; i++) for (let j = 0; j < K; j++) factors[i * K + j] = d.factors[i * F + keep[j]];
  return { ...d, factors, numFactors: K };
}

/** Column j of a row-major n×d matrix. */
export function column(m: ArrayLike<number>, n: number, d: number, j: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = m[i * d + j];
  return out;
}

/** Per dimension of row-major n×d codes: mean and population standard deviation (ddof 0, numpy's default). */
export function columnStats(codes: ArrayLike<number>, n: number, d: number): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(d),
    sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const c = column(codes, n, d, j);
    mean[j] = c.reduce((a, v) => a + v, 0) / n;
    sd[j] = Math.sqrt(c.reduce((a, v) => a + (v - mean[j]) ** 2, 0) / n);
  }
  return { mean, sd };
}

/**
 * Z-scoring with the statistics of `fit`'s codes (train codes: test codes are scaled as the train codes
 * were); a dimension that is constant in `fit` maps to 0.
 */
export function zScorer(fit: CodesAndFactors): (d: CodesAndFactors) => Float64Array {
  const D = fit.numCodes;
  const { mean, sd } = columnStats(fit.codes, fit.n, D);
  return (d) => Float64Array.from(d.codes, (v, i) => (sd[i % D] > 0 ? (v - mean[i % D]) / sd[i % D] : 0));
}

/**
 * Histogram discretiser: per code dimension, `bins` equal-width bins between its min and max
 * (np.histogram's edges without the last one, then np.digitize: labels 1 … bins). A constant
 * dimension gets label 1 everywhere... exactly as numpy does it (every value ≥ the first edge).
 */
export function histogramDiscretize(codes: ArrayLike<number>, n: number, d: number, bins = 20): Int32Array {
  const out = new Int32Array(n * d);
  for (let j = 0; j < d; j++) {
    let lo = Infinity,
      hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = codes[i * d + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    } // numpy's range for constant data
    const edges = new Float64Array(bins);
    for (let b = 0; b < bins; b++) edges[b] = lo + ((hi - lo) * b) / bins;
    for (let i = 0; i < n; i++) {
      const v = codes[i * d + j];
      // digitize: number of edges ≤ v (right=False) → 1 … bins
      let a = 0,
        z = bins;
      while (a < z) {
        const m = (a + z) >> 1;
        if (edges[m] <= v) a = m + 1;
        else z = m;
      }
      out[i * d + j] = a;
    }
  }
  return out;
}

/** Plug-in mutual information (nats) between two label vectors (sklearn's mutual_info_score). */
export function discreteMutualInfo(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const ia = new Map<number, number>(),
    ib = new Map<number, number>();
  const la = new Int32Array(n),
    lb = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let x = ia.get(a[i]);
    if (x === undefined) {
      x = ia.size;
      ia.set(a[i], x);
    }
    la[i] = x;
    let y = ib.get(b[i]);
    if (y === undefined) {
      y = ib.size;
      ib.set(b[i], y);
    }
    lb[i] = y;
  }
  const A = ia.size,
    B = ib.size;
  const joint = new Float64Array(A * B),
    pa = new Float64Array(A),
    pb = new Float64Array(B);
  for (let i = 0; i < n; i++) {
    joint[la[i] * B + lb[i]]++;
    pa[la[i]]++;
    pb[lb[i]]++;
  }
  let mi = 0;
  for (let x = 0; x < A; x++)
    for (let y = 0; y < B; y++) {
      const c = joint[x * B + y];
      if (c > 0) mi += (c / n) * Math.log((c * n) / (pa[x] * pb[y]));
    }
  return Math.max(0, mi);
}

export function discreteEntropy(a: ArrayLike<number>): number {
  return discreteMutualInfo(a, a);
}

/** MI matrix m[code, factor] from discretised codes. */
export function mutualInfoMatrix(
  discrete: Int32Array,
  factors: Int32Array,
  n: number,
  numCodes: number,
  numFactors: number,
): Float64Array {
  const m = new Float64Array(numCodes * numFactors);
  const codeCols = [...Array(numCodes).keys()].map((j) => column(discrete, n, numCodes, j));
  const facCols = [...Array(numFactors).keys()].map((k) => column(factors, n, numFactors, k));
  for (let j = 0; j < numCodes; j++)
    for (let k = 0; k < numFactors; k++) m[j * numFactors + k] = discreteMutualInfo(codeCols[j], facCols[k]);
  return m;
}
