/**
 * UDR (Duan et al., ICLR 2020), unsupervised model selection: two models are similar when their informative
 * latents correspond one-to-one. For models a and b encoded on the same inputs, R = |Spearman correlation|
 * between their latents (D_a × D_b), I(·) = 1 for latents with KL > threshold, and
 *   UDR_ab = [Σ_b I(b)·(max_a R_ab)²/Σ_a R_ab + Σ_a I(a)·(max_b R_ab)²/Σ_b R_ab] / (d_a + d_b),
 * d = number of informative latents. A model's score is the median of its UDR with the others.
 */
import { pearsonOr0, rankData } from './stats.js';

export interface UdrModel {
  /** Codes N × dim (row-major), all models on the same N inputs in the same order. */
  codes: ArrayLike<number>;
  dim: number;
  /** Per-latent KL; latents above `klThreshold` count as informative (all do when omitted). */
  kl?: number[];
}

/**
 * s + Σ over the informative latents x of one model (count of them) of (max_y R_xy)² / Σ_y R_xy, y over the
 * other model's latents (others of them); R_xy = r(x, y).
 */
function addSharpness(
  s: number,
  count: number,
  others: number,
  informative: boolean[],
  r: (x: number, y: number) => number,
): number {
  for (let x = 0; x < count; x++) {
    if (!informative[x]) continue;
    let mx = 0,
      sum = 0;
    for (let y = 0; y < others; y++) {
      mx = Math.max(mx, r(x, y));
      sum += r(x, y);
    }
    if (sum > 0) s += (mx * mx) / sum;
  }
  return s;
}

export function udr(models: UdrModel[], n: number, klThreshold = 0.01): { pairwise: Float64Array; scores: number[] } {
  const M = models.length;
  const ranked = models.map((m) =>
    Array.from({ length: m.dim }, (_, j) =>
      rankData(Float64Array.from({ length: n }, (_, i) => m.codes[i * m.dim + j])),
    ),
  );
  const informative = models.map((m) => Array.from({ length: m.dim }, (_, j) => (m.kl ? m.kl[j] > klThreshold : true)));
  const pairwise = new Float64Array(M * M);
  for (let a = 0; a < M; a++)
    for (let b = 0; b < M; b++) {
      if (a === b) {
        pairwise[a * M + b] = 1;
        continue;
      }
      const Da = models[a].dim,
        Db = models[b].dim;
      const R = Array.from({ length: Da }, (_, i) =>
        Array.from({ length: Db }, (_, j) => Math.abs(pearsonOr0(ranked[a][i], ranked[b][j]))),
      );
      // b's informative latents against a's, then a's against b's
      let s = addSharpness(0, Db, Da, informative[b], (j, i) => R[i][j]);
      s = addSharpness(s, Da, Db, informative[a], (i, j) => R[i][j]);
      const d = informative[a].filter(Boolean).length + informative[b].filter(Boolean).length;
      pairwise[a * M + b] = d > 0 ? s / d : 0;
    }
  const scores = Array.from({ length: M }, (_, a) => {
    const others = Array.from({ length: M }, (_, b) => b)
      .filter((b) => b !== a)
      .map((b) => pairwise[a * M + b])
      .sort((x, y) => x - y);
    if (!others.length) return 1;
    const m = others.length;
    return m % 2 ? others[(m - 1) / 2] : (others[m / 2 - 1] + others[m / 2]) / 2;
  });
  return { pairwise, scores };
}
