/**
 * DCI-ES (Eastwood, Nicolicioiu, von Kügelgen, Kekić, Träuble, Dittadi & Schölkopf, "DCI-ES: an extended
 * disentanglement framework with connections to identifiability", ICLR 2023): the explicitness E and size S that
 * it adds to DCI (D, C, I: dci.ts).
 *
 * Explicitness, per factor v_k: probes of increasing capacity c₁ < … < c_m predict v_k from the codes; ℓ(c) is a
 * probe's test loss, made non-increasing (ℓ̃(c_i) = min_{j≤i} ℓ(c_j), the best probe of at most that capacity);
 *   E_k = 1 − 2·∫ (ℓ̃(c) − ℓ̃(c_m)) dc / ((c_m − c₁)·ℓ_b),
 * ℓ_b the loss of the constant predictor (trapezoid rule between the capacities). E = mean over factors. E = 1
 * when the weakest probe is already the best; E = 0 for a curve falling linearly from ℓ_b to its minimum; a code
 * that needs the largest capacities can go below 0 (down to −1), as the formula allows. E measures how soon the
 * best probe's loss is reached, not how low it is: a code no probe reads (a flat curve at ℓ_b) has E = 1, so read
 * E beside DCI's informativeness.
 *
 * The probes here: capacity 0 a linear least-squares regression (the paper's "MLP of width 0"), capacity d ≥ 1
 * a least-squares regression tree of depth d (the paper's random forests of max depth d, as one tree: averaging
 * trees lowers a forest's variance, not its capacity, which the depth bounds at 2^d leaves); `nEstimators` > 1
 * boosts several such trees instead. Depths 1, 2, 3, 4, 8, 10, 12, 14, 16: the authors' grid up to 16, the deepest
 * our trees go (theirs goes on to 18, 20, 32). `probe: 'mlp'` uses the paper's other family instead: one-hidden-layer
 * tanh networks of width w (2, 4, 8, 16, 32 by default, a reduced grid of theirs), capacity 0 still linear. Loss = mean squared error on the test codes of the factor
 * standardised with train statistics (so ℓ_b ≈ 1), as the paper regresses factors with a squared loss.
 *
 * Size: S = K / L, the number of factors over the number of code dimensions (the paper's "size" of a
 * representation relative to that of the factors: 1 when the code is as small as the factors, towards 0 as it
 * grows; above 1 for a code smaller than the factors). We take this ratio-of-dimensions form because the paper
 * defines S from the code's and the factors' dimensions alone, with no estimator in it.
 */
import { fitGradientBoostingRegressor } from './learners/gbt-regress.js';
import { presortFeatures } from './learners/gbt-split.js';
import { jobHelper, runJobs } from './threads.js';
import { fitMlpRegressor } from './learners/mlp.js';
import { column, zScorer, type CodesAndFactors } from './utils.js';

export interface DciEsOptions {
  /** The probe family above the linear probe (capacity 0): regression trees by depth (default) or MLPs by width. */
  probe?: 'trees' | 'mlp';
  /** Depths of the tree probes (capacity d). */
  depths?: number[];
  /** Hidden widths of the MLP probes (capacity w). */
  widths?: number[];
  nEstimators?: number;
  learningRate?: number;
  seed?: number;
}

export const dciEsDefaults = {
  depths: [1, 2, 3, 4, 8, 10, 12, 14, 16],
  nEstimators: 1,
  learningRate: 1,
  /** A reduced grid of the authors' widths (14, 21, … 3603): one tanh layer by L-BFGS costs ≈ n·d·w per step. */
  widths: [2, 4, 8, 16, 32],
};

export interface LossCapacityCurve {
  /** The probes' capacities (0 = linear; then tree depths or MLP widths). */
  capacities: number[];
  /** Test loss of each probe. */
  loss: number[];
  /** The running minimum of `loss`. */
  minSoFar: number[];
  /** Test loss of the constant (train-mean) predictor. */
  baseline: number;
}

export interface DciEsResult {
  explicitness: number;
  size: number;
  /** E per factor. */
  perFactor: number[];
  curves: LossCapacityCurve[];
}

/** E of one loss–capacity curve (see the top of this file); the running minimum is taken here. */
export function explicitnessFromCurve(capacities: number[], loss: number[], baseline: number): number {
  const m = capacities.length;
  if (m < 2 || !(baseline > 0)) return 1;
  const best = runningMin(loss);
  const last = best[m - 1];
  let area = 0;
  for (let i = 1; i < m; i++)
    area += ((best[i - 1] - last + (best[i] - last)) / 2) * (capacities[i] - capacities[i - 1]);
  return 1 - (2 * area) / ((capacities[m - 1] - capacities[0]) * baseline);
}

function runningMin(v: number[]): number[] {
  let m = Infinity;
  return v.map((x) => (m = Math.min(m, x)));
}

/**
 * Least-squares linear regression with intercept: predictions on Xp. Normal equations with a ridge of 1e-9 of the
 * mean feature scale (only so that a constant or duplicated code leaves the system solvable), solved by Gaussian
 * elimination with partial pivoting (no package: the helper threads load no dependency).
 */
function linearProbe(X: ArrayLike<number>, n: number, d: number, y: Float64Array, Xp: ArrayLike<number>, m: number) {
  const P = d + 1;
  const A = new Float64Array(P * (P + 1)); // [XᵀX | Xᵀy], the intercept as feature d
  const row = new Float64Array(P);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = X[i * d + j];
    row[d] = 1;
    for (let a = 0; a < P; a++) {
      const ra = row[a];
      for (let b = a; b < P; b++) A[a * (P + 1) + b] += ra * row[b];
      A[a * (P + 1) + P] += ra * y[i];
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) trace += A[a * (P + 1) + a];
  for (let a = 0; a < P; a++) {
    for (let b = 0; b < a; b++) A[a * (P + 1) + b] = A[b * (P + 1) + a];
    if (a < d) A[a * (P + 1) + a] += 1e-9 * (trace / Math.max(1, d) + 1);
  }
  for (let c = 0; c < P; c++) {
    let piv = c;
    for (let r = c + 1; r < P; r++) if (Math.abs(A[r * (P + 1) + c]) > Math.abs(A[piv * (P + 1) + c])) piv = r;
    if (piv !== c)
      for (let k = 0; k <= P; k++) {
        const t = A[c * (P + 1) + k];
        A[c * (P + 1) + k] = A[piv * (P + 1) + k];
        A[piv * (P + 1) + k] = t;
      }
    const p = A[c * (P + 1) + c];
    if (p === 0) continue;
    for (let r = 0; r < P; r++) {
      if (r === c) continue;
      const f = A[r * (P + 1) + c] / p;
      if (f !== 0) for (let k = c; k <= P; k++) A[r * (P + 1) + k] -= f * A[c * (P + 1) + k];
    }
  }
  const w = Float64Array.from({ length: P }, (_, a) => {
    const p = A[a * (P + 1) + a];
    return p !== 0 ? A[a * (P + 1) + P] / p : 0;
  });
  return Float64Array.from({ length: m }, (_, i) => {
    let s = w[d];
    for (let j = 0; j < d; j++) s += w[j] * Xp[i * d + j];
    return s;
  });
}

const mse = (p: Float64Array, y: Float64Array) => p.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / y.length;

/** What each factor's job needs. */
export interface DciEsData {
  train: CodesAndFactors;
  test: CodesAndFactors;
  probe: 'trees' | 'mlp';
  /** Tree depths or MLP widths. */
  depths: number[];
  nEstimators: number;
  learningRate: number;
  seed: number;
}

/** Factor k's job (threads.ts runJobs): the test loss of each probe (linear, then each depth), then the baseline. */
export function dciEsJob(x: DciEsData, k: number): number[] {
  const { train, test } = x;
  const D = train.numCodes,
    K = train.numFactors;
  const ftr = column(train.factors, train.n, K, k),
    fte = column(test.factors, test.n, K, k);
  const mean = ftr.reduce((s, v) => s + v, 0) / train.n;
  const sd = Math.sqrt(ftr.reduce((s, v) => s + (v - mean) ** 2, 0) / train.n) || 1;
  const ytr = Float64Array.from(ftr, (v) => (v - mean) / sd),
    yte = Float64Array.from(fte, (v) => (v - mean) / sd);
  const baseline = yte.reduce((s, v) => s + v * v, 0) / test.n; // the train mean is 0 after standardising
  const loss = [mse(linearProbe(train.codes, train.n, D, ytr, test.codes, test.n), yte)];
  if (x.probe === 'mlp') {
    // the MLPs read codes standardised with train statistics (their initial weights assume unit-scale inputs)
    const z = zScorer(train);
    const ztr = z(train),
      zte = z(test);
    for (const width of x.depths) {
      const predict = fitMlpRegressor(ztr, train.n, D, ytr, width, { seed: x.seed });
      loss.push(mse(predict(zte, test.n), yte));
    }
    return [...loss, baseline];
  }
  const presorted = presortFeatures(train.codes, train.n, D);
  for (const depth of x.depths) {
    const model = fitGradientBoostingRegressor(train.codes, train.n, D, ytr, {
      maxDepth: depth,
      nEstimators: x.nEstimators,
      learningRate: x.learningRate,
      seed: x.seed,
      presorted,
    });
    loss.push(mse(model.predict(test.codes, test.n), yte));
  }
  return [...loss, baseline];
}

/** The helpers' side (helper-worker.ts). */
export const dciEsHelper = jobHelper(dciEsJob);

/** E and S of train/test codes; the factors' probes run on `threads` threads (the result does not depend on them). */
export function dciEs(
  train: CodesAndFactors,
  test: CodesAndFactors,
  o: DciEsOptions = {},
  threads?: number,
): DciEsResult {
  const K = train.numFactors;
  const probe = o.probe ?? 'trees';
  const depths = probe === 'mlp' ? (o.widths ?? dciEsDefaults.widths) : (o.depths ?? dciEsDefaults.depths);
  for (const c of depths)
    if (!(Number.isInteger(c) && c >= 1 && (probe === 'mlp' || c <= 16)))
      throw new RangeError(
        `DCI-ES: probe ${probe === 'mlp' ? 'widths' : 'depths'} must be integers ≥ 1 (depths ≤ 16), got ${c}`,
      );
  const capacities = [0, ...depths];
  const m = capacities.length;
  const data: DciEsData = {
    train,
    test,
    probe,
    depths,
    nEstimators: o.nEstimators ?? dciEsDefaults.nEstimators,
    learningRate: o.learningRate ?? dciEsDefaults.learningRate,
    seed: o.seed ?? 0,
  };
  const res = runJobs('dci_es', dciEsJob, data, [...Array(K).keys()], m + 1, threads);
  const curves: LossCapacityCurve[] = [];
  const perFactor: number[] = [];
  for (let k = 0; k < K; k++) {
    const loss = Array.from(res.subarray(k * (m + 1), k * (m + 1) + m));
    const baseline = res[k * (m + 1) + m];
    curves.push({ capacities, loss, minSoFar: runningMin(loss), baseline });
    perFactor.push(explicitnessFromCurve(capacities, loss, baseline));
  }
  return {
    explicitness: perFactor.reduce((s, v) => s + v, 0) / Math.max(1, K),
    size: K / train.numCodes,
    perFactor,
    curves,
  };
}
