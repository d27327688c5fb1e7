/**
 * Gradient-boosted decision trees for classification, matching the common defaults (scikit-learn's
 * GradientBoostingClassifier): 100 stages, depth-3 regression trees, learning rate 0.1, multinomial
 * deviance (one tree per class per stage; binomial deviance with one tree for two classes), Friedman-MSE
 * split gain, min_samples_leaf 1, leaves set by one Newton step, initial scores = log class priors.
 * Impurity-based feature importances as scikit-learn averages them (unnormalised per tree, mean over trees,
 * normalised to sum 1).
 *
 * Splits are exact, as scikit-learn's 'best' splitter finds them: every boundary between distinct values
 * (closer than 1e-7 counts as equal) is a candidate, the threshold is the midpoint of the two values next
 * to it in the node. Speed comes from sorting each feature once per data set instead of once per node
 * (TreeGrower, gbt-grow.ts), from skipping the stretches of a scan that cannot hold the best split
 * (bestSplit, gbt-split.ts), and from threads that share each stage's trees (GbtTeam, gbt-team.ts).
 */
import { Rng } from '../../util/rng.js';
import { TreeGrower, type Trees } from './gbt-grow.js';
import { gbtScorer } from './gbt-predict.js';
import { presortFeatures, type SortedFeatures } from './gbt-split.js';
import { barrier, gbtBuffers, gbtShape, type GbtTeam } from './gbt-team.js';

export { presortFeatures, type SortedFeatures } from './gbt-split.js';
export { gbtBuffers, gbtShape, abortTeam, GbtTeamAborted, type GbtBuffers, type GbtTeam } from './gbt-team.js';

export interface GbtOptions {
  nEstimators?: number;
  /** At most 16 (trees are stored as complete binary trees). */
  maxDepth?: number;
  learningRate?: number;
  /** Seed for breaking ties between equally good splits (scikit-learn shuffles features per split). */
  seed?: number;
}

export interface GbtModel {
  classes: number[];
  /** Importances per feature (sum 1, or all 0 when no tree split). */
  featureImportances: Float64Array;
  predict(X: ArrayLike<number>, n: number): Int32Array;
  /** Predictions on the training data (from the boosted scores, no second pass). */
  trainPredictions: Int32Array;
  /** Predictions on `evalCodes` when the fit was given them (a team shares this work). */
  evalPredictions?: Int32Array;
}

export function fitGradientBoosting(
  X: ArrayLike<number>,
  n: number,
  d: number,
  y: Int32Array,
  opts: GbtOptions & { presorted?: SortedFeatures; team?: GbtTeam; evalCodes?: ArrayLike<number>; nEval?: number } = {},
): GbtModel {
  const nEst = opts.nEstimators ?? 100,
    depth = opts.maxDepth ?? 3,
    lr = opts.learningRate ?? 0.1;
  if (!(depth >= 1 && depth <= 16)) throw new RangeError(`gradient boosting: maxDepth must be 1…16, got ${depth}`);
  const { classes, trees: T } = gbtShape(y); // binomial deviance: one tree on the positive class
  const K = classes.length;
  if (K === 1) {
    const evalPredictions = opts.evalCodes ? new Int32Array(opts.nEval ?? 0).fill(classes[0]) : undefined;
    return {
      classes,
      featureImportances: new Float64Array(d),
      predict: (_X, m) => new Int32Array(m).fill(classes[0]),
      trainPredictions: new Int32Array(n).fill(classes[0]),
      evalPredictions,
    };
  }
  const team = opts.team,
    threads = team?.threads ?? 1,
    rank = team?.rank ?? 0;
  const sync = () => {
    if (team && threads > 1) barrier(team);
  };
  const classIndex = new Map(classes.map((c, k) => [c, k]));
  const yi = Int32Array.from(y, (v) => classIndex.get(v)!);
  const sorted = opts.presorted ?? presortFeatures(X, n, d);
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) counts[yi[i]]++;
  const init = K === 2 ? [Math.log(counts[1] / counts[0])] : Array.from(counts, (c) => Math.log(c / n));
  const nEval = opts.evalCodes ? (opts.nEval ?? 0) : 0;
  const buf = team?.buffers ?? gbtBuffers(n, d, T, nEst, depth, false, nEval);
  const { F, p, treeImportance } = buf;
  const size = (2 << depth) - 1;
  const trees: Trees = { feature: buf.feature, threshold: buf.threshold, value: buf.value, size };
  const grower = new TreeGrower(X, sorted, depth);
  const { residual, prob } = grower;
  const { hints, claims } = buf;
  const mx = new Float64Array(n),
    z = new Float64Array(n);
  const lo = Math.floor((rank * n) / threads),
    hi = Math.floor(((rank + 1) * n) / threads); // this thread's samples
  for (let t = 0; t < T; t++) F.fill(init[t], t * n + lo, t * n + hi);

  for (let stage = 0; stage < nEst; stage++) {
    // class probabilities from the current scores (softmax over the rows, row by row)
    if (T === 1) for (let i = lo; i < hi; i++) p[i] = 1 / (1 + Math.exp(-F[i]));
    else {
      mx.fill(-Infinity, lo, hi);
      z.fill(0, lo, hi);
      for (let o = 0; o < n * T; o += n) for (let i = lo; i < hi; i++) if (F[o + i] > mx[i]) mx[i] = F[o + i];
      for (let o = 0; o < n * T; o += n)
        for (let i = lo; i < hi; i++) {
          const e = Math.exp(F[o + i] - mx[i]);
          p[o + i] = e;
          z[i] += e;
        }
      for (let o = 0; o < n * T; o += n) for (let i = lo; i < hi; i++) p[o + i] /= z[i];
    }
    sync();
    // each thread takes the stage's next class until none is left (the fastest thread takes more)
    for (let t = Atomics.add(claims, stage, 1); t < T; t = Atomics.add(claims, stage, 1)) {
      const target = T === 1 ? 1 : t,
        o = t * n,
        tr = stage * T + t,
        at = tr * size;
      for (let i = 0; i < n; i++) {
        const pi = p[o + i];
        prob[i] = pi;
        residual[i] = (yi[i] === target ? 1 : 0) - pi;
      }
      treeImportance.fill(0, tr * d, (tr + 1) * d);
      // a tie-breaking stream per tree: the same draws whichever thread grows it
      const rng = new Rng(`${opts.seed ?? 0}/${tr}`);
      grower.grow(trees, at, treeImportance, tr * d, T === 1 ? 1 : (K - 1) / K, hints, t * size, rng);
      const leaf = grower.node,
        value = trees.value;
      for (let i = 0; i < n; i++) F[o + i] += lr * value[at + leaf[i]];
    }
    sync();
  }
  // importances summed in tree order (so that they do not depend on the threads); trees that did not
  // split are left out of the mean, as scikit-learn does
  const importanceSum = new Float64Array(d);
  let relevantTrees = 0;
  for (let tr = 0; tr < nEst * T; tr++) {
    if (trees.feature[tr * size] < 0) continue;
    relevantTrees++;
    for (let j = 0; j < d; j++) importanceSum[j] += treeImportance[tr * d + j];
  }
  const imp = new Float64Array(d);
  let total = 0;
  for (let j = 0; j < d; j++) {
    imp[j] = relevantTrees ? importanceSum[j] / relevantTrees : 0;
    total += imp[j];
  }
  if (total > 0) for (let j = 0; j < d; j++) imp[j] /= total;

  const { decide, scores, predict } = gbtScorer(trees, { classes, T, nEst, depth, d, lr, init });
  const trainPredictions = new Int32Array(n);
  for (let i = 0; i < n; i++) trainPredictions[i] = decide(F, n, i);
  let evalPredictions: Int32Array | undefined;
  if (opts.evalCodes) {
    // each thread scores its share of the evaluation samples
    scores(
      opts.evalCodes,
      nEval,
      Math.floor((rank * nEval) / threads),
      Math.floor(((rank + 1) * nEval) / threads),
      buf.evalScore,
    );
    sync();
    evalPredictions = Int32Array.from({ length: nEval }, (_, i) => decide(buf.evalScore, nEval, i));
  }
  return { classes, featureImportances: imp, predict, trainPredictions, evalPredictions };
}
