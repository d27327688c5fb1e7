/**
 * Metrics that fit linear learners (metrics.md): SAP with discrete factors (a linear SVM per code and
 * factor), explicitness (Ridgeway & Mozer: logistic regression on z-scored codes, one-vs-rest ROC-AUC),
 * IRS (Suter et al.), Hoyer sparsity (Mathieu et al.) and the BetaVAE score (Higgins et al.).
 */
import type { GroundTruthDataset } from '../data/types.js';
import { renderObservations } from '../data/index.js';
import type { Rng } from '../util/rng.js';
import { fitLinearSvm1d, fitLogisticRegression } from './learners/linear.js';
export { rocAuc, explicitness } from './explicitness.js';
import { column, columnStats, histogramDiscretize, type CodesAndFactors } from './utils.js';
import { sapFromScores } from './array-metrics.js';
import type { RepresentationFn } from './dataset-metrics.js';

/** SAP, discrete factors: score[i, j] = test accuracy of a linear SVM on code i alone predicting factor j. */
export function sapDiscrete(train: CodesAndFactors, test: CodesAndFactors): { sap: number; scores: Float64Array } {
  const D = train.numCodes,
    F = train.numFactors;
  const scores = new Float64Array(D * F);
  for (let i = 0; i < D; i++) {
    const xtr = column(train.codes, train.n, D, i),
      xte = column(test.codes, test.n, D, i);
    // A constant code carries no information: score 0, as the reference does for zero-variance codes.
    let lo = Infinity,
      hi = -Infinity;
    for (const v of xtr) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    for (let j = 0; j < F; j++) {
      if (hi - lo <= 1e-12) continue;
      const ytr = Int32Array.from(column(train.factors, train.n, F, j)),
        yte = Int32Array.from(column(test.factors, test.n, F, j));
      const pred = fitLinearSvm1d(xtr, ytr, { C: 0.01, balanced: true })(xte);
      scores[i * F + j] = pred.reduce((a, v, k) => a + (v === yte[k] ? 1 : 0), 0) / test.n;
    }
  }
  return { sap: sapFromScores(scores, D, F), scores };
}

/**
 * IRS (Suter et al. 2019): per code, the 99th percentile of |z − E[z | factor value]| averaged over values,
 * normalised by the code's largest deviation from its mean; score = max over factors of 1 − that, averaged
 * over active codes weighted by their largest deviation. Factors are discretised into 20 bins.
 */
export function irs(d: CodesAndFactors, quantile = 0.99): number {
  const D = d.numCodes,
    F = d.numFactors;
  const active = [...Array(D).keys()].filter((j) => {
    const c = column(d.codes, d.n, D, j);
    return Math.max(...c) - Math.min(...c) > 0;
  });
  if (active.length === 0) return 0;
  const fac = histogramDiscretize(d.factors, d.n, F, 20);
  const cols = active.map((j) => column(d.codes, d.n, D, j));
  const maxDev = cols.map((c) => {
    const m = c.reduce((a, v) => a + v, 0) / d.n;
    return c.reduce((a, v) => Math.max(a, Math.abs(v - m)), 0);
  });
  const scores = cols.map(() => -Infinity);
  for (let k = 0; k < F; k++) {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < d.n; i++) {
      const v = fac[i * F + k];
      if (!groups.has(v)) groups.set(v, []);
      groups.get(v)!.push(i);
    }
    cols.forEach((c, a) => {
      let cum = 0;
      for (const rows of groups.values()) {
        const m = rows.reduce((s, i) => s + c[i], 0) / rows.length;
        const diffs = rows.map((i) => Math.abs(c[i] - m)).sort((x, y) => x - y);
        // numpy percentile, linear interpolation
        const pos = quantile * (diffs.length - 1),
          lo = Math.floor(pos),
          hi = Math.ceil(pos);
        cum += diffs[lo] + (diffs[hi] - diffs[lo]) * (pos - lo);
      }
      const norm = cum / groups.size / maxDev[a];
      scores[a] = Math.max(scores[a], 1 - norm);
    });
  }
  const wsum = maxDev.reduce((a, v) => a + v, 0);
  return wsum > 0
    ? scores.reduce((a, s, i) => a + s * maxDev[i], 0) / wsum
    : scores.reduce((a, s) => a + s, 0) / scores.length;
}

/** Normalised Hoyer sparsity (Mathieu et al.): mean over observations of (√D − ‖z‖₁/‖z‖₂)/(√D − 1), z divided by each dimension's std. */
export function hoyer(d: CodesAndFactors): number {
  const D = d.numCodes;
  if (D < 2) return 0;
  const { sd } = columnStats(d.codes, d.n, D);
  let s = 0;
  for (let i = 0; i < d.n; i++) {
    let l1 = 0,
      l2 = 0;
    for (let j = 0; j < D; j++) {
      const v = sd[j] > 0 ? d.codes[i * D + j] / sd[j] : 0;
      l1 += Math.abs(v);
      l2 += v * v;
    }
    s += l2 > 0 ? (Math.sqrt(D) - l1 / Math.sqrt(l2)) / (Math.sqrt(D) - 1) : 0;
  }
  return s / d.n;
}

/**
 * BetaVAE score (Higgins et al.): each point fixes a random factor k, draws `batch` pairs sharing k's value,
 * feature = mean |z₁ − z₂|, label k; a multinomial logistic regression is fitted on train points and scored on eval points.
 */
export function betaVaeScore(
  ds: GroundTruthDataset,
  rep: RepresentationFn,
  rng: Rng,
  o: { batch?: number; numTrain?: number; numEval?: number } = {},
) {
  const batch = o.batch ?? 64,
    numTrain = o.numTrain ?? 10000,
    numEval = o.numEval ?? 5000;
  const F = ds.factors.length;
  const points = (count: number) => {
    let X: Float64Array | null = null,
      D = 0;
    const y = new Int32Array(count);
    for (let p = 0; p < count; p++) {
      const k = rng.int(F);
      const a = ds.stateSpace.sampleFactors(batch, rng),
        b = ds.stateSpace.sampleFactors(batch, rng);
      for (let i = 0; i < batch; i++) b[i * F + k] = a[i * F + k];
      const ia = Float64Array.from({ length: batch }, (_, i) => ds.stateSpace.toIndex(a.subarray(i * F, (i + 1) * F)));
      const ib = Float64Array.from({ length: batch }, (_, i) => ds.stateSpace.toIndex(b.subarray(i * F, (i + 1) * F)));
      const za = rep(renderObservations(ds, ia), batch),
        zb = rep(renderObservations(ds, ib), batch);
      if (!X) {
        D = za.length / batch;
        X = new Float64Array(count * D);
      }
      for (let i = 0; i < batch; i++)
        for (let j = 0; j < D; j++) X[p * D + j] += Math.abs(za[i * D + j] - zb[i * D + j]) / batch;
      y[p] = k;
    }
    return { X: X!, y, D };
  };
  const tr = points(numTrain),
    ev = points(numEval);
  const model = fitLogisticRegression(tr.X, numTrain, tr.D, tr.y);
  const acc = (X: Float64Array, y: Int32Array, n: number) =>
    model.predict(X, n).reduce((a, v, i) => a + (v === y[i] ? 1 : 0), 0) / n;
  return { train_accuracy: acc(tr.X, tr.y, numTrain), eval_accuracy: acc(ev.X, ev.y, numEval) };
}
