/**
 * Metrics on codes and factors made anywhere (metrics.md): MIG, modularity, SAP (continuous), and the
 * unsupervised ones. Each returns plain numbers; degenerate inputs get defined values, documented here.
 */
import { EigenvalueDecomposition, Matrix, determinant } from 'ml-matrix';
import {
  histogramDiscretize,
  mutualInfoMatrix,
  discreteEntropy,
  discreteMutualInfo,
  column,
  type CodesAndFactors,
} from './utils.js';
import { knnMutualInfoMatrix } from './knn-mi.js';

/**
 * MIG (Chen et al.): per factor, (largest MI − second largest MI) / H(factor), averaged.
 * A factor with one value (H = 0) is skipped; if every factor is, MIG = 0.
 */
export function mig(d: CodesAndFactors, bins = 20): { mig: number; mi: Float64Array; entropies: number[] } {
  const disc = histogramDiscretize(d.codes, d.n, d.numCodes, bins);
  return migFromMi(d, mutualInfoMatrix(disc, d.factors, d.n, d.numCodes, d.numFactors));
}

/**
 * MIG with the mutual information estimated by nearest neighbours (knn-mi.ts: Ross 2014 / scikit-learn's
 * mutual_info_classif, 10 neighbours) on the continuous codes instead of a 20-bin histogram: no binning error
 * (a perfect code of 40-valued factors scores ≈ 1, not 0.9), but the estimator's own bias at small samples.
 */
export function migKsg(
  d: CodesAndFactors,
  nNeighbors = 10,
  seed = 0,
): { mig: number; mi: Float64Array; entropies: number[] } {
  return migFromMi(d, knnMutualInfoMatrix(d, nNeighbors, seed));
}

/** MIG from an MI matrix m[code, factor] (nats). */
export function migFromMi(
  d: CodesAndFactors,
  mi: Float64Array,
): { mig: number; mi: Float64Array; entropies: number[] } {
  const entropies: number[] = [];
  let sum = 0,
    count = 0;
  for (let k = 0; k < d.numFactors; k++) {
    const h = discreteEntropy(column(d.factors, d.n, d.numFactors, k));
    entropies.push(h);
    if (h <= 0) continue;
    const col = [...Array(d.numCodes).keys()].map((j) => mi[j * d.numFactors + k]).sort((a, b) => b - a);
    sum += ((col[0] ?? 0) - (col[1] ?? 0)) / h;
    count++;
  }
  return { mig: count ? sum / count : 0, mi, entropies };
}

/**
 * Modularity (Ridgeway & Mozer) from the 20-bin MI matrix: per code θ = max_k m, δ = Σ_k m² − θ²,
 * 1 − δ/(θ²(F − 1)); a code with θ = 0 scores 0; averaged over codes. One factor: 1 by definition.
 */
export function modularityFromMi(mi: Float64Array, numCodes: number, numFactors: number): number {
  let total = 0;
  for (let j = 0; j < numCodes; j++) {
    let theta = 0,
      sq = 0;
    for (let k = 0; k < numFactors; k++) {
      const v = mi[j * numFactors + k];
      theta = Math.max(theta, v);
      sq += v * v;
    }
    if (theta === 0) continue;
    total += numFactors > 1 ? 1 - (sq - theta * theta) / (theta * theta * (numFactors - 1)) : 1;
  }
  return numCodes ? total / numCodes : 0;
}

export function modularity(d: CodesAndFactors, bins = 20): number {
  const disc = histogramDiscretize(d.codes, d.n, d.numCodes, bins);
  return modularityFromMi(mutualInfoMatrix(disc, d.factors, d.n, d.numCodes, d.numFactors), d.numCodes, d.numFactors);
}

/**
 * Continuous SAP (Kumar et al.): score[i, j] = cov(code_i, factor_j)² / (var(code_i)·var(factor_j)),
 * 0 when var(code_i) ≤ 1e-12; SAP = mean over factors of (top − second) score.
 */
export function sapContinuous(d: CodesAndFactors): { sap: number; scores: Float64Array } {
  const scores = new Float64Array(d.numCodes * d.numFactors);
  const codeCols = [...Array(d.numCodes).keys()].map((j) => column(d.codes, d.n, d.numCodes, j));
  for (let k = 0; k < d.numFactors; k++) {
    const f = column(d.factors, d.n, d.numFactors, k);
    const mf = f.reduce((a, b) => a + b, 0) / d.n;
    let vf = 0;
    for (let i = 0; i < d.n; i++) vf += (f[i] - mf) ** 2;
    vf /= d.n - 1;
    for (let j = 0; j < d.numCodes; j++) {
      const c = codeCols[j];
      const mc = c.reduce((a, b) => a + b, 0) / d.n;
      let vc = 0,
        cov = 0;
      for (let i = 0; i < d.n; i++) {
        vc += (c[i] - mc) ** 2;
        cov += (c[i] - mc) * (f[i] - mf);
      }
      vc /= d.n - 1;
      cov /= d.n - 1;
      scores[j * d.numFactors + k] = vc > 1e-12 && vf > 0 ? (cov * cov) / (vc * vf) : 0;
    }
  }
  return { sap: sapFromScores(scores, d.numCodes, d.numFactors), scores };
}

export function sapFromScores(scores: Float64Array, numCodes: number, numFactors: number): number {
  let s = 0;
  for (let k = 0; k < numFactors; k++) {
    const col = [...Array(numCodes).keys()].map((j) => scores[j * numFactors + k]).sort((a, b) => b - a);
    s += (col[0] ?? 0) - (col[1] ?? 0);
  }
  return numFactors ? s / numFactors : 0;
}

/** Covariance (ddof 1) of the codes. */
function codeCovariance(codes: ArrayLike<number>, n: number, d: number): Matrix {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += codes[i * d + j] / n;
  const c = Matrix.zeros(d, d);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++) {
      const da = codes[i * d + a] - mean[a];
      for (let b = a; b < d; b++) c.set(a, b, c.get(a, b) + da * (codes[i * d + b] - mean[b]));
    }
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      const v = c.get(a, b) / (n - 1);
      c.set(a, b, v);
      c.set(b, a, v);
    }
  return c;
}

/** Symmetric PSD square root via eigen-decomposition. */
function sqrtPsd(m: Matrix): Matrix {
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const v = e.eigenvectorMatrix;
  const l = e.realEigenvalues.map((x) => Math.sqrt(Math.max(0, x)));
  return v.mmul(Matrix.diag(l)).mmul(v.transpose());
}

/**
 * Unsupervised metrics (no factors): Gaussian total correlation ½(Σ log diag Σ − log det Σ), the Gaussian
 * Wasserstein dependency 2 tr Σ − 2 tr sqrt(Σ·diag Σ) divided by tr Σ, and the mean pairwise MI of
 * 20-bin-discretised code dimensions. Dimensions with zero variance are dropped for the Gaussian ones
 * (the reference returns NaN there); all-constant codes give 0.
 */
export function unsupervised(
  d: CodesAndFactors,
  bins = 20,
): {
  gaussian_total_correlation: number;
  gaussian_wasserstein_correlation: number;
  gaussian_wasserstein_correlation_norm: number;
  mutual_info_score: number;
} {
  const cov = codeCovariance(d.codes, d.n, d.numCodes);
  const keep = [...Array(d.numCodes).keys()].filter((j) => cov.get(j, j) > 1e-12);
  let tc = 0,
    w = 0,
    wn = 0;
  if (keep.length > 0) {
    const c = new Matrix(keep.map((a) => keep.map((b) => cov.get(a, b))));
    const diag = keep.map((_, i) => c.get(i, i));
    const logdet = Math.log(Math.max(determinant(c), 1e-300));
    tc = 0.5 * (diag.reduce((a, v) => a + Math.log(v), 0) - logdet);
    const sq = sqrtPsd(
      Matrix.diag(diag.map(Math.sqrt))
        .mmul(c)
        .mmul(Matrix.diag(diag.map(Math.sqrt))),
    );
    const tr = diag.reduce((a, v) => a + v, 0);
    w = 2 * tr - 2 * sq.trace();
    wn = w / tr;
  }
  const disc = histogramDiscretize(d.codes, d.n, d.numCodes, bins);
  const cols = [...Array(d.numCodes).keys()].map((j) => column(disc, d.n, d.numCodes, j));
  let mi = 0,
    pairs = 0;
  for (let a = 0; a < d.numCodes; a++)
    for (let b = 0; b < d.numCodes; b++)
      if (a !== b) {
        mi += discreteMutualInfo(cols[a], cols[b]);
        pairs++;
      }
  return {
    gaussian_total_correlation: tc,
    gaussian_wasserstein_correlation: w,
    gaussian_wasserstein_correlation_norm: wn,
    mutual_info_score: pairs ? mi / pairs : 0,
  };
}
