/**
 * Metrics that fit linear learners (metrics.md): SAP with discrete factors (a linear SVM per code and
 * factor), explicitness (Ridgeway & Mozer: logistic regression on z-scored codes, one-vs-rest ROC-AUC),
 * IRS (Suter et al.), Hoyer sparsity (Mathieu et al.) and the BetaVAE score (Higgins et al.).
 */
import type { GroundTruthDataset } from '../data/types.js';
import { renderObservations } from '../data/index.js';
import type { Rng } from '../util/rng.js';
import { fitLinearSvm1d, fitLogisticRegression } from './learners/linear.js';
import { column, histogramDiscretize, type CodesAndFactors } from './utils.js';
import { sapFromScores } from './array-metrics.js';
import { runJobs } from './parallel.js';
import type { RepresentationFn } from './dataset-metrics.js';

/** SAP, discrete factors: score[i, j] = test accuracy of a linear SVM on code i alone predicting factor j. */
export function sapDiscrete(train: CodesAndFactors, test: CodesAndFactors): { sap: number; scores: Float64Array } {
  const D = train.numCodes, F = train.numFactors;
  const scores = new Float64Array(D * F);
  for (let i = 0; i < D; i++) {
    const xtr = column(train.codes, train.n, D, i), xte = column(test.codes, test.n, D, i);
    // A constant code carries no information: score 0, as the reference does for zero-variance codes.
    let lo = Infinity, hi = -Infinity;
    for (const v of xtr) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    for (let j = 0; j < F; j++) {
      if (hi - lo <= 1e-12) continue;
      const ytr = Int32Array.from(column(train.factors, train.n, F, j)), yte = Int32Array.from(column(test.factors, test.n, F, j));
      const pred = fitLinearSvm1d(xtr, ytr, { C: 0.01, balanced: true })(xte);
      scores[i * F + j] = pred.reduce((a, v, k) => a + (v === yte[k] ? 1 : 0), 0) / test.n;
    }
  }
  return { sap: sapFromScores(scores, D, F), scores };
}

/**
 * ROC-AUC of scores for binary labels (ties count one half): P(score of a positive > score of a negative),
 * counted by merging the sorted scores of the two groups (native typed-array sorts, no comparator).
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  let np = 0;
  for (let i = 0; i < n; i++) if (positive[i]) np++;
  const nn = n - np;
  if (np === 0 || nn === 0) return NaN;
  const pos = new Float64Array(np), neg = new Float64Array(nn);
  for (let i = 0, a = 0, b = 0; i < n; i++) if (positive[i]) pos[a++] = scores[i]; else neg[b++] = scores[i];
  pos.sort();
  neg.sort();
  // for each positive: the negatives below it, plus half of those equal to it
  let below = 0, upTo = 0, wins = 0;
  for (let a = 0; a < np; a++) {
    const v = pos[a];
    while (below < nn && neg[below] < v) below++;
    if (upTo < below) upTo = below;
    while (upTo < nn && neg[upTo] === v) upTo++;
    wins += below + (upTo - below) / 2;
  }
  return wins / (np * nn);
}

/** Explicitness: per factor, logistic regression on codes z-scored with train statistics; mean one-vs-rest AUC. */
export function explicitness(train: CodesAndFactors, test: CodesAndFactors, threads?: number): { explicitness_train: number; explicitness_test: number } {
  const D = train.numCodes, F = train.numFactors;
  const mean = new Float64Array(D), sd = new Float64Array(D);
  for (let j = 0; j < D; j++) {
    const c = column(train.codes, train.n, D, j);
    mean[j] = c.reduce((a, v) => a + v, 0) / train.n;
    sd[j] = Math.sqrt(c.reduce((a, v) => a + (v - mean[j]) ** 2, 0) / train.n);
  }
  // A constant code z-scores to 0 (the reference divides by 0 here and returns NaN).
  const z = (d: CodesAndFactors) => Float64Array.from(d.codes, (v, i) => (sd[i % D] > 0 ? (v - mean[i % D]) / sd[i % D] : 0));
  const data: ExplicitnessData = { ztr: z(train), zte: z(test), ftr: train.factors, fte: test.factors, nTrain: train.n, nTest: test.n, D, F };
  // the factors' models on several threads, those with most classes first
  const classes = Array.from({ length: F }, (_, k) => new Set(column(train.factors, train.n, F, k)).size);
  const order = [...Array(F).keys()].sort((a, b) => classes[b] - classes[a] || a - b);
  const auc = runJobs('explicitness', explicitnessJob, data, order, 2, threads);
  let sTr = 0, sTe = 0;
  for (let k = 0; k < F; k++) { sTr += auc[2 * k]; sTe += auc[2 * k + 1]; }
  return { explicitness_train: sTr / F, explicitness_test: sTe / F };
}

interface ExplicitnessData { ztr: Float64Array; zte: Float64Array; ftr: Int32Array; fte: Int32Array; nTrain: number; nTest: number; D: number; F: number }

/** Factor k's explicitness: [train AUC, test AUC] (a job for parallel.ts). */
export function explicitnessJob(x: ExplicitnessData, k: number): number[] {
  const ytr = Int32Array.from(column(x.ftr, x.nTrain, x.F, k)), yte = Int32Array.from(column(x.fte, x.nTest, x.F, k));
  const model = fitLogisticRegression(x.ztr, x.nTrain, x.D, ytr);
  const auc = (X: Float64Array, y: Int32Array, n: number) => {
    if (model.classes.length < 2) return 1;
    const p = model.predictProba(X, n);
    const K = model.classes.length;
    let s = 0, c = 0;
    model.classes.forEach((cls, kk) => {
      const a = rocAuc(Float64Array.from({ length: n }, (_, i) => p[i * K + kk]), Array.from(y, (v) => v === cls));
      if (Number.isFinite(a)) { s += a; c++; }
    });
    return c ? s / c : 0.5;
  };
  return [auc(x.ztr, ytr, x.nTrain), auc(x.zte, yte, x.nTest)];
}

/**
 * IRS (Suter et al. 2019): per code, the 99th percentile of |z − E[z | factor value]| averaged over values,
 * normalised by the code's largest deviation from its mean; score = max over factors of 1 − that, averaged
 * over active codes weighted by their largest deviation. Factors are discretised into 20 bins.
 */
export function irs(d: CodesAndFactors, quantile = 0.99): number {
  const D = d.numCodes, F = d.numFactors;
  const active = [...Array(D).keys()].filter((j) => { const c = column(d.codes, d.n, D, j); return Math.max(...c) - Math.min(...c) > 0; });
  if (active.length === 0) return 0;
  const fac = histogramDiscretize(d.factors, d.n, F, 20);
  const cols = active.map((j) => column(d.codes, d.n, D, j));
  const maxDev = cols.map((c) => { const m = c.reduce((a, v) => a + v, 0) / d.n; return c.reduce((a, v) => Math.max(a, Math.abs(v - m)), 0); });
  const scores = cols.map(() => -Infinity);
  for (let k = 0; k < F; k++) {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < d.n; i++) { const v = fac[i * F + k]; if (!groups.has(v)) groups.set(v, []); groups.get(v)!.push(i); }
    cols.forEach((c, a) => {
      let cum = 0;
      for (const rows of groups.values()) {
        const m = rows.reduce((s, i) => s + c[i], 0) / rows.length;
        const diffs = rows.map((i) => Math.abs(c[i] - m)).sort((x, y) => x - y);
        // numpy percentile, linear interpolation
        const pos = quantile * (diffs.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
        cum += diffs[lo] + (diffs[hi] - diffs[lo]) * (pos - lo);
      }
      const norm = cum / groups.size / maxDev[a];
      scores[a] = Math.max(scores[a], 1 - norm);
    });
  }
  const wsum = maxDev.reduce((a, v) => a + v, 0);
  return wsum > 0 ? scores.reduce((a, s, i) => a + s * maxDev[i], 0) / wsum : scores.reduce((a, s) => a + s, 0) / scores.length;
}

/** Normalised Hoyer sparsity (Mathieu et al.): mean over observations of (√D − ‖z‖₁/‖z‖₂)/(√D − 1), z divided by each dimension's std. */
export function hoyer(d: CodesAndFactors): number {
  const D = d.numCodes;
  if (D < 2) return 0;
  const sd = [...Array(D).keys()].map((j) => { const c = column(d.codes, d.n, D, j); const m = c.reduce((a, v) => a + v, 0) / d.n; return Math.sqrt(c.reduce((a, v) => a + (v - m) ** 2, 0) / d.n); });
  let s = 0;
  for (let i = 0; i < d.n; i++) {
    let l1 = 0, l2 = 0;
    for (let j = 0; j < D; j++) { const v = sd[j] > 0 ? d.codes[i * D + j] / sd[j] : 0; l1 += Math.abs(v); l2 += v * v; }
    s += l2 > 0 ? (Math.sqrt(D) - l1 / Math.sqrt(l2)) / (Math.sqrt(D) - 1) : 0;
  }
  return s / d.n;
}

/**
 * BetaVAE score (Higgins et al.): each point fixes a random factor k, draws `batch` pairs sharing k's value,
 * feature = mean |z₁ − z₂|, label k; a multinomial logistic regression is fitted on train points and scored on eval points.
 */
export function betaVaeScore(ds: GroundTruthDataset, rep: RepresentationFn, rng: Rng, o: { batch?: number; numTrain?: number; numEval?: number } = {}) {
  const batch = o.batch ?? 64, numTrain = o.numTrain ?? 10000, numEval = o.numEval ?? 5000;
  const F = ds.factors.length;
  const points = (count: number) => {
    let X: Float64Array | null = null, D = 0;
    const y = new Int32Array(count);
    for (let p = 0; p < count; p++) {
      const k = rng.int(F);
      const a = ds.stateSpace.sampleFactors(batch, rng), b = ds.stateSpace.sampleFactors(batch, rng);
      for (let i = 0; i < batch; i++) b[i * F + k] = a[i * F + k];
      const ia = Int32Array.from({ length: batch }, (_, i) => ds.stateSpace.toIndex(a.subarray(i * F, (i + 1) * F)));
      const ib = Int32Array.from({ length: batch }, (_, i) => ds.stateSpace.toIndex(b.subarray(i * F, (i + 1) * F)));
      const za = rep(renderObservations(ds, ia), batch), zb = rep(renderObservations(ds, ib), batch);
      if (!X) { D = za.length / batch; X = new Float64Array(count * D); }
      for (let i = 0; i < batch; i++) for (let j = 0; j < D; j++) X[p * D + j] += Math.abs(za[i * D + j] - zb[i * D + j]) / batch;
      y[p] = k;
    }
    return { X: X!, y, D };
  };
  const tr = points(numTrain), ev = points(numEval);
  const model = fitLogisticRegression(tr.X, numTrain, tr.D, tr.y);
  const acc = (X: Float64Array, y: Int32Array, n: number) => model.predict(X, n).reduce((a, v, i) => a + (v === y[i] ? 1 : 0), 0) / n;
  return { train_accuracy: acc(tr.X, tr.y, numTrain), eval_accuracy: acc(ev.X, ev.y, numEval) };
}
