/** Small statistics on plain arrays (float64 accumulation). */
import { mean, pearson, rankData } from '../metrics/stats.js';

// one implementation, shared with the metrics (which must not import the analysis)
export { mean, pearson, rankData };

/** Population standard deviation (ddof 0), as numpy's default. */
export function std(x: ArrayLike<number>, ddof = 0): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return x.length - ddof > 0 ? Math.sqrt(s / (x.length - ddof)) : NaN;
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
