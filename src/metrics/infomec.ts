/**
 * InfoMEC (Hsu, Dorrell, Whittington, Wu & Finn, "Disentanglement via latent quantization", NeurIPS 2023),
 * as the authors' infomec.py computes it (metrics.md, last section):
 *  - latents whose range (max − min) is at most max range / 20 are inactive and dropped; the rest standardised;
 *  - NMI[k, j] = I(v_k; z_j) / H(v_k), with I estimated by the kNN estimator for a discrete target and a continuous
 *    feature (Ross 2014, scikit-learn's mutual_info_classif, 10 neighbours; knn-mi.ts), or the plug-in
 *    estimate for discrete latents;
 *  - InfoM = (mean_j max_k NMI[k, j] / Σ_k NMI[k, j] − 1/K) / (1 − 1/K)   (K factors; modularity),
 *  - InfoC = (mean_k max_j NMI[k, j] / Σ_j NMI[k, j] − 1/L) / (1 − 1/L)   (L active latents; compactness),
 *  - InfoE = mean_k (H_null − H_pred) / H_null, the log losses of an unpenalised multinomial logistic regression
 *    (balanced class weights, L-BFGS, 100 iterations) on the standardised latents and on zeros (explicitness).
 * Plain data in and out: codes N×D, factors N×F (row-major).
 */
import { fitLogisticRegression } from './learners/linear.js';
import { column, discreteEntropy, discreteMutualInfo, type CodesAndFactors } from './utils.js';
import { knnMutualInfo } from './knn-mi.js';
import { jobHelper, runJobs } from './threads.js';
import { Rng } from '../util/rng.js';

export interface InfomecOptions {
  /** Neighbours of the kNN estimator (the authors': 10). */
  nNeighbors?: number;
  /**
   * Latents are discrete labels: plug-in MI instead of kNN (InfoE still regresses on their standardised values;
   * the fixtures check the continuous case only).
   */
  discreteLatents?: boolean;
  /** A latent is active when its range exceeds max range / `activeRatio` (the authors': 20). */
  activeRatio?: number;
  /** Seed of the 1e-10 jitter that breaks ties between equal latent values (scikit-learn adds the same). */
  seed?: number;
}

export interface InfomecResult {
  infom: number;
  infoe: number;
  infoc: number;
  /** NMI, active latents × factors (row-major), as the other code × factor matrices. */
  nmi: Float64Array;
  /** Indices of the active latents (the rows of `nmi`). */
  active: number[];
  /** Per factor: (H_null − H_pred) / H_null. */
  infoePerFactor: number[];
}

/** Latents whose range is above max range / ratio (none when every latent is constant). */
export function activeLatents(d: CodesAndFactors, ratio = 20): number[] {
  const range = [...Array(d.numCodes).keys()].map((j) => {
    let lo = Infinity,
      hi = -Infinity;
    for (let i = 0; i < d.n; i++) {
      const v = d.codes[i * d.numCodes + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return hi - lo;
  });
  const max = Math.max(...range);
  return range.flatMap((r, j) => (max > 0 && r > max / ratio ? [j] : []));
}

/** (mean over groups of max / sum − 1/B) / (1 − 1/B); a group whose sum is 0 counts as uniform (1/B). */
function ratioScore(groups: number[][], B: number): number {
  if (B < 2) return 1; // one factor (or one latent): nothing to share it with
  let s = 0;
  for (const g of groups) {
    const sum = g.reduce((a, v) => a + v, 0);
    s += sum > 0 ? Math.max(...g) / sum : 1 / B;
  }
  return (s / groups.length - 1 / B) / (1 - 1 / B);
}

/** What each factor's job needs: the standardised active latents (jittered for the kNN) and the factors. */
export interface InfomecData {
  /** Standardised active latents, N × L row-major (the logistic regression's input). */
  z: Float64Array;
  /** The same, column by column, plus the jitter (the kNN estimator's input): L × N. */
  jittered: Float64Array;
  factors: Int32Array;
  n: number;
  L: number;
  K: number;
  nNeighbors: number;
  discreteLatents: boolean;
}

/** Factor k's job (threads.ts runJobs): its NMI with each active latent (L values), then its InfoE. */
export function infomecJob(x: InfomecData, k: number): number[] {
  const { n, L, K } = x;
  const y = Int32Array.from(column(x.factors, n, K, k));
  const h = discreteEntropy(y);
  const out: number[] = [];
  for (let a = 0; a < L; a++) {
    const lat = x.jittered.subarray(a * n, (a + 1) * n);
    const mi = x.discreteLatents ? discreteMutualInfo(lat, y) : knnMutualInfo(lat, y, x.nNeighbors);
    out.push(h > 0 ? mi / h : 0);
  }
  const hPred = logLoss(x.z, n, L, y);
  const hNull = logLoss(new Float64Array(n), n, 1, y);
  out.push(hNull > 0 ? (hNull - hPred) / hNull : 0);
  return out;
}

/** The helpers' side (helper-worker.ts). */
export const infomecHelper = jobHelper(infomecJob);

/**
 * InfoM, InfoE, InfoC of codes (the authors compute them on one set of codes; the registry passes the train codes).
 * The factors' jobs run on `threads` threads (default: one per core); the result does not depend on them.
 * No active latent: every score is 0 (the reference divides by zero there).
 */
export function infomec(d: CodesAndFactors, o: InfomecOptions = {}, threads?: number): InfomecResult {
  const K = d.numFactors,
    n = d.n;
  const active = activeLatents(d, o.activeRatio ?? 20);
  const L = active.length;
  if (L === 0)
    return { infom: 0, infoe: 0, infoc: 0, nmi: new Float64Array(0), active, infoePerFactor: new Array(K).fill(0) };
  const rng = new Rng(o.seed ?? 0);
  // standardised active latents (ddof 0, StandardScaler's)
  const z = new Float64Array(n * L),
    jittered = new Float64Array(L * n);
  active.forEach((j, a) => {
    const c = column(d.codes, n, d.numCodes, j);
    const mean = c.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(c.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    let absMean = 0;
    for (let i = 0; i < n; i++) {
      z[i * L + a] = (c[i] - mean) / sd;
      absMean += Math.abs(z[i * L + a]) / n;
    }
    // mutual_info_classif: divide by the std (1 here), then add 1e-10·max(1, mean |x|)·N(0, 1)
    const scale = o.discreteLatents ? 0 : 1e-10 * Math.max(1, absMean);
    for (let i = 0; i < n; i++) jittered[a * n + i] = z[i * L + a] + (scale ? scale * rng.normal() : 0);
  });
  const data: InfomecData = {
    z,
    jittered,
    factors: d.factors,
    n,
    L,
    K,
    nNeighbors: o.nNeighbors ?? 10,
    discreteLatents: o.discreteLatents ?? false,
  };
  // the factors with most classes (the costliest regressions) first
  const classes = [...Array(K).keys()].map((k) => new Set(column(d.factors, n, K, k)).size);
  const order = [...Array(K).keys()].sort((a, b) => classes[b] - classes[a] || a - b);
  const res = runJobs('infomec', infomecJob, data, order, L + 1, threads);
  const nmi = new Float64Array(L * K);
  for (let k = 0; k < K; k++) for (let a = 0; a < L; a++) nmi[a * K + k] = res[k * (L + 1) + a];
  const infoePerFactor = [...Array(K).keys()].map((k) => res[k * (L + 1) + L]);
  const infom = ratioScore(
    [...Array(L).keys()].map((a) => [...Array(K).keys()].map((k) => nmi[a * K + k])),
    K,
  );
  const infoc = ratioScore(
    [...Array(K).keys()].map((k) => [...Array(L).keys()].map((a) => nmi[a * K + k])),
    L,
  );
  const infoe = infoePerFactor.reduce((s, v) => s + v, 0) / K;
  return { infom, infoe, infoc, nmi, active, infoePerFactor };
}

/** Mean log loss on X of an unpenalised multinomial logistic regression fitted to X (the authors' recipe). */
function logLoss(X: Float64Array, n: number, dim: number, y: Int32Array): number {
  const model = fitLogisticRegression(X, n, dim, y, { penalty: false, classWeight: 'balanced', maxIter: 100 });
  const K = model.classes.length;
  if (K < 2) return 0;
  const p = model.predictProba(X, n);
  const idx = new Map(model.classes.map((c, k) => [c, k]));
  let s = 0;
  // log_loss clips probabilities to [eps, 1 − eps] (eps of float64)
  const eps = 2.220446049250313e-16;
  for (let i = 0; i < n; i++) s -= Math.log(Math.min(1 - eps, Math.max(eps, p[i * K + idx.get(y[i])!])));
  return s / n;
}
