/**
 * Small statistics on plain arrays (float64 accumulation), shared by the metrics and the analysis (which
 * re-exports them from analysis/stats.ts). No imports: the metrics' worker threads may load it.
 */

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return x.length ? s / x.length : NaN;
}

/**
 * Pearson correlation. Returns NaN when either side is constant (the correlation is undefined);
 * callers decide how to report that (the metrics report 0: `pearsonOr0`).
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new Error(`pearson: lengths differ (${n} vs ${y.length})`);
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx,
      dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // Relative tolerance: floating-point noise on "constant" data must not produce a correlation.
  if (sxx <= 1e-24 * Math.max(1, mx * mx) * n || syy <= 1e-24 * Math.max(1, my * my) * n) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Pearson correlation, 0 when a side is constant (how the metrics count "no linear relation"). */
export function pearsonOr0(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const r = pearson(x, y);
  return Number.isNaN(r) ? 0 : r;
}

/** Ranks 1..n with ties given their average rank (scipy's rankdata 'average'). */
export function rankData(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}
