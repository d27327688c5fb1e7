/**
 * Gradient-boosted regression trees with squared loss (scikit-learn's GradientBoostingRegressor, loss
 * 'squared_error'): F₀ = mean(y); each stage a depth-limited tree on the residuals y − F (Friedman-MSE split
 * gain), leaves = mean residual, F += learning rate · leaf. The probes of DCI-ES's loss–capacity curves
 * (capacity = tree depth). The same tree grower as the classifier (gbt-grow.ts), single-threaded.
 */
import { Rng } from '../../util/rng.js';
import { TreeGrower, type Trees } from './gbt-grow.js';
import { gbtScorer } from './gbt-predict.js';
import { presortFeatures, type SortedFeatures } from './gbt-split.js';

export interface GbtRegressionOptions {
  nEstimators?: number;
  /** 1 … 16. */
  maxDepth?: number;
  learningRate?: number;
  seed?: number;
  presorted?: SortedFeatures;
}

export interface GbtRegressor {
  /** Predictions for Xp (m × d, row-major). */
  predict(Xp: ArrayLike<number>, m: number): Float64Array;
  /** Predictions on the training data. */
  trainPredictions: Float64Array;
}

/** X: n × d row-major, y: n targets. */
export function fitGradientBoostingRegressor(
  X: ArrayLike<number>,
  n: number,
  d: number,
  y: ArrayLike<number>,
  opts: GbtRegressionOptions = {},
): GbtRegressor {
  const nEst = opts.nEstimators ?? 100,
    depth = opts.maxDepth ?? 3,
    lr = opts.learningRate ?? 0.1;
  if (!(depth >= 1 && depth <= 16)) throw new RangeError(`gradient boosting: maxDepth must be 1…16, got ${depth}`);
  const sorted = opts.presorted ?? presortFeatures(X, n, d);
  const size = (2 << depth) - 1;
  const trees: Trees = {
    feature: new Int32Array(nEst * size),
    threshold: new Float64Array(nEst * size),
    value: new Float64Array(nEst * size),
    size,
  };
  const grower = new TreeGrower(X, sorted, depth);
  // the grower's leaves are scale·Σr / Σp(1−p): p = ½ and scale ¼ make them the mean residual
  grower.prob.fill(0.5);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] / n;
  const F = new Float64Array(n).fill(mean);
  const importance = new Float64Array(nEst * d);
  const hints = new Int32Array(size).fill(-1);
  for (let stage = 0; stage < nEst; stage++) {
    for (let i = 0; i < n; i++) grower.residual[i] = y[i] - F[i];
    const at = stage * size;
    grower.grow(trees, at, importance, stage * d, 0.25, hints, 0, new Rng(`${opts.seed ?? 0}/${stage}`));
    for (let i = 0; i < n; i++) F[i] += lr * trees.value[at + grower.node[i]];
  }
  const scorer = gbtScorer(trees, { classes: [0, 1], T: 1, nEst, depth, d, lr, init: [mean] });
  return {
    predict: (Xp, m) => {
      const s = new Float64Array(m);
      scorer.scores(Xp, m, 0, m, s);
      return s;
    },
    trainPredictions: F,
  };
}
