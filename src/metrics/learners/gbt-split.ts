/**
 * The exact split search of the gradient-boosted trees (gbt.ts): each feature is sorted once per data set
 * (presortFeatures), and a node's best boundary in one feature is found by one pass over the node's
 * samples in that order (bestSplit), pruned by blocks.
 */

/** Each feature sorted once; shared by every tree (and by every model fitted on the same X). */
export interface SortedFeatures {
  n: number;
  d: number;
  /** Per feature j, at [j·n + p]: the sample at position p of the ascending order (ties by index). */
  order: Int32Array;
  /** Per feature j, at [j·n + i]: the rank of sample i's distinct value (values within 1e-7 share one). */
  rankOf: Int32Array;
  /** Per feature: number of distinct values (a feature with one cannot split). */
  distinct: Int32Array;
}

/** scikit-learn's trees never split between values closer than this (FEATURE_THRESHOLD). */
const FEATURE_THRESHOLD = 1e-7;

/** X: n × d, row-major. */
export function presortFeatures(X: ArrayLike<number>, n: number, d: number): SortedFeatures {
  const order = new Int32Array(d * n),
    rankOf = new Int32Array(d * n);
  const distinct = new Int32Array(d);
  const col = new Float64Array(n);
  const idx = new Int32Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) {
      col[i] = X[i * d + j];
      idx[i] = i;
    }
    idx.sort((a, b) => col[a] - col[b] || a - b);
    let rank = 0;
    for (let p = 0; p < n; p++) {
      const i = idx[p];
      if (p > 0 && col[i] > col[idx[p - 1]] + FEATURE_THRESHOLD) rank++;
      order[j * n + p] = i;
      rankOf[j * n + i] = rank;
    }
    distinct[j] = n > 0 ? rank + 1 : 0;
  }
  return { n, d, order, rankOf, distinct };
}

/** bestSplit's result, in an object the caller reuses (no allocation per scan). */
export interface SplitScan {
  /** The best Friedman proxy found (or the floor it was given). */
  proxy: number;
  /** The number of samples going left at the best boundary; −1 when none beats the floor. */
  at: number;
}

/**
 * The best boundary in one feature's range of a node: c samples, listed in the feature's sorted order at
 * ints[list …], sample i's value rank at ints[ranks + i], residuals r, residual sum `total`. Finds the
 * largest Friedman proxy (n_R·Σ_L − n_L·Σ_R)² / (n_L·n_R) above `floor`, the first one on ties, between
 * samples of different ranks.
 *
 * Pruned by blocks of 32 samples: with D = c·Σ_L − total·n_L, every boundary in a block has
 * |D| ≤ |D at its start| + Σ_block |c·r − total| and n_L·n_R ≥ its smallest value at the block's ends, so a
 * block whose bound cannot beat the best so far is passed with its sum only. The result is exact.
 */
export function bestSplit(
  ints: Uint16Array | Int32Array,
  r: Float64Array,
  list: number,
  ranks: number,
  c: number,
  total: number,
  floor: number,
  out: SplitScan,
): void {
  const absTotal = Math.abs(total);
  let sl = 0,
    last = ints[ranks + ints[list]],
    best = floor,
    bestAt = -1;
  for (let q0 = 0; q0 < c; q0 += 32) {
    const q1 = Math.min(c, q0 + 32);
    // four partial sums: one running sum would wait on the latency of every addition
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0,
      a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0,
      q = q0;
    for (; q + 4 <= q1; q += 4) {
      const v0 = r[ints[list + q]],
        v1 = r[ints[list + q + 1]],
        v2 = r[ints[list + q + 2]],
        v3 = r[ints[list + q + 3]];
      s0 += v0;
      s1 += v1;
      s2 += v2;
      s3 += v3;
      a0 += Math.abs(v0);
      a1 += Math.abs(v1);
      a2 += Math.abs(v2);
      a3 += Math.abs(v3);
    }
    for (; q < q1; q++) {
      const v = r[ints[list + q]];
      s0 += v;
      a0 += Math.abs(v);
    }
    const bs = s0 + s1 + (s2 + s3),
      ba = a0 + a1 + (a2 + a3);
    const qa = Math.max(q0, 1),
      qb = q1 - 1;
    const bound = Math.abs(c * sl - total * q0) + c * ba + (q1 - q0) * absTotal;
    const wMin = Math.min(qa * (c - qa), qb * (c - qb));
    // (the margin covers rounding in the bound itself)
    if (qa > qb || bound * bound * (1 + 1e-9) < best * wMin) {
      sl += bs;
      last = ints[ranks + ints[list + q1 - 1]];
      continue;
    }
    for (let q = q0; q < q1; q++) {
      const i = ints[list + q],
        b = ints[ranks + i];
      if (b !== last) {
        const diff = c * sl - total * q,
          w = q * (c - q);
        if (diff * diff > best * w) {
          best = (diff * diff) / w;
          bestAt = q;
        }
        last = b;
      }
      sl += r[i];
    }
  }
  out.proxy = best;
  out.at = bestAt;
}
