/**
 * DCI (Eastwood & Williams 2018), as disentanglement_lib computes it: one gradient-boosted classifier per
 * factor on all codes; importance matrix R[code, factor], total S = Σ R;
 *   disentanglement = Σ_i ρ_i (1 − H_F(P_i·)),  ρ_i = Σ_k R_ik / S,  P_i· = R_i· / Σ_k R_ik,
 *   completeness    = Σ_k ρ_k (1 − H_D(P_·k)),  ρ_k = Σ_i R_ik / S,  P_·k = R_·k / Σ_i R_ik,
 * (H_B: entropy in base B; F factors, D codes); informativeness = mean train/test accuracy. 1e-11 is added
 * to R inside the entropies (the reference's guard). Each gradient-boosting column sums to 1 (or 0 when no
 * tree split), so its completeness weights are equal except for such a factor; lasso columns differ always.
 */
import { availableParallelism } from 'node:os';
import { DciTeam } from './dci-team.js';
import { presortFeatures, type GbtOptions } from './learners/gbt.js';
import { fitLasso } from './learners/lasso.js';
import { column, zScorer, type CodesAndFactors } from './utils.js';

/** 1 − H_B(p / Σp) of the B values p[at + q·stride] + eps (q < B): one code's or one factor's score. */
function oneMinusEntropy(R: ArrayLike<number>, at: number, stride: number, B: number, eps: number): number {
  if (B < 2) return 1; // one value: nothing to spread over
  let s = 0;
  for (let q = 0; q < B; q++) s += R[at + q * stride] + eps;
  let h = 0;
  for (let q = 0; q < B; q++) {
    const p = (R[at + q * stride] + eps) / s;
    if (p > 0) h -= p * Math.log(p);
  }
  return 1 - h / Math.log(B);
}

/** Disentanglement and completeness from an importance matrix R (numCodes × numFactors, row-major). */
export function dciFromImportance(
  R: ArrayLike<number>,
  numCodes: number,
  numFactors: number,
): { disentanglement: number; completeness: number } {
  const eps = 1e-11,
    D = numCodes,
    F = numFactors;
  let total = 0;
  for (let i = 0; i < D * F; i++) total += R[i];
  // All-zero importances: nothing is explained; the reference then weighs uniformly the scores of a uniform
  // spread, which are 0.
  if (!(total > 0)) return { disentanglement: 0, completeness: 0 };
  let dis = 0;
  for (let i = 0; i < D; i++) {
    let row = 0;
    for (let k = 0; k < F; k++) row += R[i * F + k];
    dis += (row / total) * oneMinusEntropy(R, i * F, 1, F, eps);
  }
  let comp = 0;
  for (let k = 0; k < F; k++) {
    let col = 0;
    for (let i = 0; i < D; i++) col += R[i * F + k];
    comp += (col / total) * oneMinusEntropy(R, k, F, D, eps);
  }
  return { disentanglement: dis, completeness: comp };
}

export interface DciResult {
  disentanglement: number;
  completeness: number;
  informativeness_train: number;
  informativeness_test: number;
  importance: Float64Array;
}

export interface DciOptions extends GbtOptions {
  /**
   * Threads fitting each factor's model together (the calling one included; each takes a share of every
   * stage's trees); default: one per core. The result does not depend on it.
   */
  threads?: number;
}

export function dci(train: CodesAndFactors, test: CodesAndFactors, opts: DciOptions = {}): DciResult {
  const D = train.numCodes,
    F = train.numFactors;
  const { threads = availableParallelism(), ...gbt } = opts;
  const presorted = presortFeatures(train.codes, train.n, D);
  // starting workers costs ≈ 0.1 s: worth it from about a second of single-threaded fitting
  const small = train.n * F * (gbt.nEstimators ?? 100) < 2e5;
  const team = new DciTeam(small ? 0 : Math.max(1, Math.min(threads, 64)) - 1, train, test, gbt);
  const R = new Float64Array(D * F);
  let accTrain = 0,
    accTest = 0;
  try {
    for (let k = 0; k < F; k++) {
      const ytr = Int32Array.from(column(train.factors, train.n, F, k));
      const yte = Int32Array.from(column(test.factors, test.n, F, k));
      const model = team.fit(ytr, presorted, test);
      for (let i = 0; i < D; i++) R[i * F + k] = Math.abs(model.featureImportances[i]);
      const ptr = model.trainPredictions;
      const pte = model.evalPredictions!;
      accTrain += ptr.reduce((a, v, i) => a + (v === ytr[i] ? 1 : 0), 0) / train.n;
      accTest += pte.reduce((a, v, i) => a + (v === yte[i] ? 1 : 0), 0) / test.n;
    }
  } finally {
    team.close();
  }
  return {
    ...dciFromImportance(R, D, F),
    informativeness_train: accTrain / F,
    informativeness_test: accTest / F,
    importance: R,
  };
}

/**
 * DCI, lasso variant: per factor, a lasso regression (α = 0.01 by default) from the codes, z-scored with
 * train statistics, to the factor's label; importance = |coefficient|; informativeness = R² on train/test.
 */
export function dciLasso(train: CodesAndFactors, test: CodesAndFactors, alpha = 0.01): DciResult {
  const D = train.numCodes,
    F = train.numFactors;
  const z = zScorer(train);
  const ztr = z(train),
    zte = z(test);
  const R = new Float64Array(D * F);
  let r2tr = 0,
    r2te = 0;
  const r2 = (X: Float64Array, y: Float64Array, n: number, w: Float64Array, b: number) => {
    const my = y.reduce((a, v) => a + v, 0) / n;
    let ss = 0,
      st = 0;
    for (let i = 0; i < n; i++) {
      let p = b;
      for (let j = 0; j < D; j++) p += X[i * D + j] * w[j];
      ss += (y[i] - p) ** 2;
      st += (y[i] - my) ** 2;
    }
    return st > 0 ? 1 - ss / st : 0;
  };
  for (let k = 0; k < F; k++) {
    const ytr = column(train.factors, train.n, F, k),
      yte = column(test.factors, test.n, F, k);
    const { coef, intercept } = fitLasso(ztr, train.n, D, ytr, alpha);
    for (let i = 0; i < D; i++) R[i * F + k] = Math.abs(coef[i]);
    r2tr += r2(ztr, ytr, train.n, coef, intercept);
    r2te += r2(zte, yte, test.n, coef, intercept);
  }
  return {
    ...dciFromImportance(R, D, F),
    informativeness_train: r2tr / F,
    informativeness_test: r2te / F,
    importance: R,
  };
}
