/**
 * Linear learners on typed arrays:
 *  - multinomial logistic regression with L2 penalty (scikit-learn's LogisticRegression defaults: C = 1,
 *    intercept unpenalised), fitted by L-BFGS on the full batch;
 *  - a linear SVM on one feature as scikit-learn's LinearSVC fits it (squared hinge, one-vs-rest, the
 *    intercept treated as a penalised feature of value 1, C = 0.01, 'balanced' class weights), by Newton steps
 *    on the 2-parameter primal.
 */

import { lbfgs } from './lbfgs.js';

export { lbfgs };

export interface LogisticModel {
  classes: number[];
  predictProba(X: ArrayLike<number>, n: number): Float64Array;
  predict(X: ArrayLike<number>, n: number): Int32Array;
}

export function fitLogisticRegression(
  X: ArrayLike<number>,
  n: number,
  d: number,
  y: Int32Array,
  opts: {
    C?: number;
    maxIter?: number;
    tol?: number;
    /** false: no L2 term at all (scikit-learn's penalty=None; C is then ignored). */
    penalty?: boolean;
    /** 'balanced': sample weights n / (K · count of the sample's class), as scikit-learn's class_weight. */
    classWeight?: 'balanced';
  } = {},
): LogisticModel {
  const penalised = opts.penalty ?? true;
  const C = penalised ? (opts.C ?? 1) : 1;
  const lam = penalised ? 1 : 0;
  const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
  const K = classes.length;
  const classIndex = new Map(classes.map((c, k) => [c, k]));
  const yi = Int32Array.from(y, (v) => classIndex.get(v)!);
  const sw = new Float64Array(n).fill(1);
  if (opts.classWeight === 'balanced') {
    const counts = new Float64Array(K);
    for (let i = 0; i < n; i++) counts[yi[i]]++;
    for (let i = 0; i < n; i++) sw[i] = n / (K * counts[yi[i]]);
  }
  if (K === 1) {
    return {
      classes,
      predictProba: (_X, m) => new Float64Array(m).fill(1),
      predict: (_X, m) => new Int32Array(m).fill(classes[0]),
    };
  }
  const P = (d + 1) * K; // weights d×K then intercepts K
  // Codes both row-major (scores: a sample's row against four classes' weight rows at once, sums in
  // registers) and column-major (gradient: each entry a dot product of a residual column and a code column).
  const Xr = Float64Array.from({ length: n * d }, (_, i) => X[i]);
  const Xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Xc[j * n + i] = Xr[i * d + j];
  const Wt = new Float64Array(K * d),
    sc = new Float64Array(K),
    ex = new Float64Array(K),
    E = new Float64Array(K * n);
  // C·Σ_i (logsumexp(s_i) − s_i,y_i) + ½‖W‖² (intercepts unpenalised)
  const objective = (w: Float64Array, g: Float64Array): number => {
    const b0 = d * K;
    for (let j = 0; j < d; j++) for (let k = 0; k < K; k++) Wt[k * d + j] = w[j * K + k];
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        let s0 = w[b0 + k],
          s1 = w[b0 + k + 1],
          s2 = w[b0 + k + 2],
          s3 = w[b0 + k + 3];
        const o0 = k * d;
        for (let j = 0; j < d; j++) {
          const x = Xr[xo + j];
          s0 += x * Wt[o0 + j];
          s1 += x * Wt[o0 + d + j];
          s2 += x * Wt[o0 + 2 * d + j];
          s3 += x * Wt[o0 + 3 * d + j];
        }
        sc[k] = s0;
        sc[k + 1] = s1;
        sc[k + 2] = s2;
        sc[k + 3] = s3;
      }
      for (; k < K; k++) {
        let s0 = w[b0 + k];
        for (let j = 0; j < d; j++) s0 += Xr[xo + j] * Wt[k * d + j];
        sc[k] = s0;
      }
      let mx = -Infinity;
      for (let q = 0; q < K; q++) if (sc[q] > mx) mx = sc[q];
      let z = 0;
      for (let q = 0; q < K; q++) {
        const v = Math.exp(sc[q] - mx);
        ex[q] = v;
        z += v;
      }
      const yk = yi[i];
      loss += sw[i] * (mx + Math.log(z) - sc[yk]); // logsumexp − score of the label
      const cw = C * sw[i],
        cz = cw / z;
      for (let q = 0; q < K; q++) E[q * n + i] = ex[q] * cz; // C·w_i·p_k
      E[yk * n + i] -= cw;
    }
    loss *= C;
    for (let k = 0; k < K; k++) {
      const eo = k * n;
      let b = 0;
      for (let i = 0; i < n; i++) b += E[eo + i];
      g[b0 + k] = b;
      for (let j = 0; j < d; j++) {
        const xo = j * n;
        let t0 = 0,
          t1 = 0,
          t2 = 0,
          t3 = 0,
          i = 0;
        for (; i + 4 <= n; i += 4) {
          t0 += E[eo + i] * Xc[xo + i];
          t1 += E[eo + i + 1] * Xc[xo + i + 1];
          t2 += E[eo + i + 2] * Xc[xo + i + 2];
          t3 += E[eo + i + 3] * Xc[xo + i + 3];
        }
        for (; i < n; i++) t0 += E[eo + i] * Xc[xo + i];
        const q = j * K + k;
        g[q] = t0 + t1 + (t2 + t3) + lam * w[q];
        loss += 0.5 * lam * w[q] * w[q];
      }
    }
    return loss;
  };
  // scikit-learn's stopping rule: tol (1e-4) on the largest gradient entry of the sample-averaged objective;
  // unpenalised, scikit-learn 1.2's lbfgs applies it to the summed objective's gradient as it stands
  const tol = (opts.tol ?? 1e-4) * (penalised ? C * n : 1);
  const w = lbfgs(objective, new Float64Array(P), opts.maxIter ?? 300, tol);
  const predictProba = (Xp: ArrayLike<number>, m: number) => {
    const out = new Float64Array(m * K);
    for (let i = 0; i < m; i++) {
      let mx = -Infinity;
      for (let k = 0; k < K; k++) {
        let s = w[d * K + k];
        for (let j = 0; j < d; j++) s += Xp[i * d + j] * w[j * K + k];
        out[i * K + k] = s;
        mx = Math.max(mx, s);
      }
      let z = 0;
      for (let k = 0; k < K; k++) {
        out[i * K + k] = Math.exp(out[i * K + k] - mx);
        z += out[i * K + k];
      }
      for (let k = 0; k < K; k++) out[i * K + k] /= z;
    }
    return out;
  };
  const predict = (Xp: ArrayLike<number>, m: number) => {
    const p = predictProba(Xp, m);
    return Int32Array.from({ length: m }, (_, i) => {
      let b = 0;
      for (let k = 1; k < K; k++) if (p[i * K + k] > p[i * K + b]) b = k;
      return classes[b];
    });
  };
  return { classes, predictProba, predict };
}

/** LinearSVC on a single feature: returns a predictor of class labels. */
export function fitLinearSvm1d(
  x: ArrayLike<number>,
  y: Int32Array,
  opts: { C?: number; balanced?: boolean } = {},
): (v: ArrayLike<number>) => Int32Array {
  const C = opts.C ?? 0.01;
  const n = x.length;
  const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
  const K = classes.length;
  if (K === 1) return (v) => new Int32Array(v.length).fill(classes[0]);
  const classIndex = new Map(classes.map((c, k) => [c, k]));
  const label = Int32Array.from(y, (v) => classIndex.get(v)!);
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) counts[label[i]]++;
  // per sample: C times its class weight (computed once, not in every Newton step)
  const cw = Float64Array.from(label, (k) => C * ((opts.balanced ?? true) ? n / (K * counts[k]) : 1));
  const xs = Float64Array.from({ length: n }, (_, i) => x[i]);
  const models: Array<[number, number]> = [];
  const binary = K === 2;
  for (let c = 0; c < (binary ? 1 : K); c++) {
    const pos = binary ? 1 : c;
    let w = 0,
      b = 0;
    // Newton on ½(w² + b²) + C Σ c_i max(0, 1 − y_i(w x_i + b))² (piecewise quadratic: converges in a few steps)
    for (let it = 0; it < 50; it++) {
      let gw = w,
        gb = b,
        hww = 1,
        hwb = 0,
        hbb = 1;
      for (let i = 0; i < n; i++) {
        const yi = label[i] === pos ? 1 : -1;
        const ci = cw[i],
          xi = xs[i];
        const m = 1 - yi * (w * xi + b);
        if (m > 0) {
          gw -= 2 * ci * m * yi * xi;
          gb -= 2 * ci * m * yi;
          hww += 2 * ci * xi * xi;
          hwb += 2 * ci * xi;
          hbb += 2 * ci;
        }
      }
      const det = hww * hbb - hwb * hwb;
      const dw = (hbb * gw - hwb * gb) / det,
        db = (hww * gb - hwb * gw) / det;
      w -= dw;
      b -= db;
      if (Math.abs(dw) + Math.abs(db) < 1e-10) break;
    }
    models.push([w, b]);
  }
  return (v) =>
    Int32Array.from({ length: v.length }, (_, i) => {
      if (binary) return classes[models[0][0] * v[i] + models[0][1] > 0 ? 1 : 0];
      let best = 0,
        bs = -Infinity;
      models.forEach(([w, b], c) => {
        const s = w * v[i] + b;
        if (s > bs) {
          bs = s;
          best = c;
        }
      });
      return classes[best];
    });
}
