/**
 * A one-hidden-layer tanh network for regression (as scikit-learn's MLPRegressor with solver 'lbfgs'): squared
 * loss 1/(2n)·Σ(p − y)² + α/(2n)·‖W‖² (α = 1e-4, biases unpenalised), Glorot-uniform initial weights from `seed`,
 * full-batch L-BFGS. The MLP probes of DCI-ES (capacity = hidden width). X: n × d row-major.
 */
import { Rng } from '../../util/rng.js';
import { lbfgs } from './lbfgs.js';

export interface MlpRegressionOptions {
  alpha?: number;
  maxIter?: number;
  seed?: number;
}

/** Fit; returns a predictor for m × d inputs. */
export function fitMlpRegressor(
  X: ArrayLike<number>,
  n: number,
  d: number,
  y: ArrayLike<number>,
  width: number,
  o: MlpRegressionOptions = {},
): (Xp: ArrayLike<number>, m: number) => Float64Array {
  const h = width,
    alpha = o.alpha ?? 1e-4;
  // parameters: W1 (d × h) | b1 (h) | w2 (h) | b2
  const oB1 = d * h,
    oW2 = oB1 + h,
    oB2 = oW2 + h,
    P = oB2 + 1;
  const rng = new Rng(o.seed ?? 0);
  const w0 = new Float64Array(P);
  const bound1 = Math.sqrt(6 / (d + h)),
    bound2 = Math.sqrt(6 / (h + 1));
  for (let i = 0; i < oW2; i++) w0[i] = (2 * rng.uniform() - 1) * bound1;
  for (let i = oW2; i < P; i++) w0[i] = (2 * rng.uniform() - 1) * bound2;
  const a = new Float64Array(n * h),
    r = new Float64Array(n);
  const objective = (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let p = w[oB2];
      for (let u = 0; u < h; u++) {
        let s = w[oB1 + u];
        for (let j = 0; j < d; j++) s += X[i * d + j] * w[j * h + u];
        const t = Math.tanh(s);
        a[i * h + u] = t;
        p += t * w[oW2 + u];
      }
      const e = p - y[i];
      loss += e * e;
      r[i] = e / n;
    }
    loss /= 2 * n;
    for (let i = 0; i < n; i++) {
      const ri = r[i];
      g[oB2] += ri;
      for (let u = 0; u < h; u++) {
        const t = a[i * h + u];
        g[oW2 + u] += ri * t;
        const da = ri * w[oW2 + u] * (1 - t * t);
        g[oB1 + u] += da;
        for (let j = 0; j < d; j++) g[j * h + u] += da * X[i * d + j];
      }
    }
    let sq = 0;
    for (let q = 0; q < oB1; q++) {
      sq += w[q] * w[q];
      g[q] += (alpha / n) * w[q];
    }
    for (let q = oW2; q < oB2; q++) {
      sq += w[q] * w[q];
      g[q] += (alpha / n) * w[q];
    }
    return loss + (alpha / (2 * n)) * sq;
  };
  const w = lbfgs(objective, w0, o.maxIter ?? 200, 1e-7);
  return (Xp, m) =>
    Float64Array.from({ length: m }, (_, i) => {
      let p = w[oB2];
      for (let u = 0; u < h; u++) {
        let s = w[oB1 + u];
        for (let j = 0; j < d; j++) s += Xp[i * d + j] * w[j * h + u];
        p += Math.tanh(s) * w[oW2 + u];
      }
      return p;
    });
}
