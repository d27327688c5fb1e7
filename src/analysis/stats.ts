/** Small statistics on plain arrays (float64 accumulation). */

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return x.length ? s / x.length : NaN;
}

/** Population standard deviation (ddof 0), as numpy's default. */
export function std(x: ArrayLike<number>, ddof = 0): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return x.length - ddof > 0 ? Math.sqrt(s / (x.length - ddof)) : NaN;
}

/**
 * Pearson correlation. Returns NaN when either side is constant (the correlation is undefined);
 * callers decide how to report that.
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

/** Spearman rank correlation = Pearson correlation of average ranks (NaN when a side is constant). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(rankData(x), rankData(y));
}

/**
 * Round perceived distances to a relative precision before ranking: the same pixel difference computed
 * in float32 through different code paths can differ in the last bits, which would break ties that are
 * exact in the data (e.g. XYSquares' constant distances).
 */
export function roundRelative(x: Float64Array, digits = 6): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] === 0 ? 0 : Number(x[i].toPrecision(digits));
  return out;
}
