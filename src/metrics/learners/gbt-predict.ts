/**
 * Prediction with a fitted gradient-boosting model (gbt.ts): class scores = initial scores + learning
 * rate · Σ tree values; the class is the arg max (for one tree per stage: score > 0 is the second class).
 */
import type { Trees } from './gbt-grow.js';

export interface ScorerParams {
  classes: number[];
  /** Trees per stage. */
  T: number;
  nEst: number;
  depth: number;
  /** Features. */
  d: number;
  lr: number;
  /** Initial score of each tree's class. */
  init: number[];
}

export interface GbtScorer {
  /** Scores (class-major, m per class) of samples lo … hi−1 of Xp (m × d), written into score. */
  scores(Xp: ArrayLike<number>, m: number, lo: number, hi: number, score: Float64Array): void;
  /** The class of sample i (of m) from class-major scores. */
  decide(score: Float64Array, m: number, i: number): number;
  predict(Xp: ArrayLike<number>, m: number): Int32Array;
}

/** The fitted trees (nEst·T of `trees.size` nodes each) compiled for prediction. */
export function gbtScorer(trees: Trees, { classes, T, nEst, depth, d, lr, init }: ScorerParams): GbtScorer {
  const size = trees.size;
  const decide = (score: Float64Array, m: number, i: number) => {
    if (T === 1) return classes[score[i] > 0 ? 1 : 0];
    let best = 0;
    for (let t = 1; t < T; t++) if (score[t * m + i] > score[best * m + i]) best = t;
    return classes[best];
  };
  // For prediction every tree is made complete: a leaf above the last level becomes a chain of nodes that
  // always go left (threshold +∞) ending in a leaf with its value, so each sample takes exactly `depth` steps.
  const inner = (1 << depth) - 1;
  const cf = new Int32Array(nEst * T * inner),
    ct = new Float64Array(nEst * T * inner),
    cv = new Float64Array(nEst * T * (inner + 1));
  const leafOf = new Int32Array(size); // the first leaf on the path from the root to each node, or −1
  for (let tr = 0; tr < nEst * T; tr++) {
    const at = tr * size;
    for (let k = 0; k < size; k++) {
      const up = k > 0 ? leafOf[(k - 1) >> 1] : -1;
      leafOf[k] = up >= 0 ? up : trees.feature[at + k] < 0 ? k : -1;
      if (k < inner) {
        cf[tr * inner + k] = leafOf[k] >= 0 ? 0 : trees.feature[at + k];
        ct[tr * inner + k] = leafOf[k] >= 0 ? Infinity : trees.threshold[at + k];
      } else cv[tr * (inner + 1) + k - inner] = trees.value[at + leafOf[k]];
    }
  }
  /** Scores (class-major, m per class) of samples lo … hi−1 of Xp (m × d). */
  const scores = (Xp: ArrayLike<number>, m: number, lo: number, hi: number, score: Float64Array) => {
    // Tree by tree over a column-major copy of the codes: columns are read in order.
    const cols = new Float64Array(m * d);
    for (let i = lo; i < hi; i++) for (let j = 0; j < d; j++) cols[j * m + i] = Xp[i * d + j];
    for (let t = 0; t < T; t++) score.fill(init[t], t * m + lo, t * m + hi);
    for (let st = 0; st < nEst; st++) {
      for (let t = 0; t < T; t++) {
        const tr = st * T + t,
          fo = tr * inner,
          vo = tr * (inner + 1),
          so = t * m;
        let i = lo;
        for (; i + 4 <= hi; i += 4) {
          // four samples at once: four independent chains of dependent loads
          let k0 = 0,
            k1 = 0,
            k2 = 0,
            k3 = 0;
          for (let l = 0; l < depth; l++) {
            k0 = 2 * k0 + 2 - +(cols[cf[fo + k0] * m + i] <= ct[fo + k0]);
            k1 = 2 * k1 + 2 - +(cols[cf[fo + k1] * m + i + 1] <= ct[fo + k1]);
            k2 = 2 * k2 + 2 - +(cols[cf[fo + k2] * m + i + 2] <= ct[fo + k2]);
            k3 = 2 * k3 + 2 - +(cols[cf[fo + k3] * m + i + 3] <= ct[fo + k3]);
          }
          score[so + i] += lr * cv[vo + k0 - inner];
          score[so + i + 1] += lr * cv[vo + k1 - inner];
          score[so + i + 2] += lr * cv[vo + k2 - inner];
          score[so + i + 3] += lr * cv[vo + k3 - inner];
        }
        for (; i < hi; i++) {
          let k = 0;
          for (let l = 0; l < depth; l++) k = 2 * k + (cols[cf[fo + k] * m + i] <= ct[fo + k] ? 1 : 2);
          score[so + i] += lr * cv[vo + k - inner];
        }
      }
    }
  };
  const predict = (Xp: ArrayLike<number>, m: number): Int32Array => {
    const score = new Float64Array(m * T);
    scores(Xp, m, 0, m, score);
    return Int32Array.from({ length: m }, (_, i) => decide(score, m, i));
  };
  return { scores, decide, predict };
}
