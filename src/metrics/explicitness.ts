/**
 * Explicitness (Ridgeway & Mozer): a logistic regression per factor on codes z-scored with train
 * statistics, one-vs-rest ROC-AUC of its class probabilities. In a module of its own (few imports), as
 * the worker threads that fit the factors' models load it.
 */
import { fitLogisticRegression } from './learners/linear.js';
import { jobHelper, runJobs } from './threads.js';
import { column, zScorer, type CodesAndFactors } from './utils.js';

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
  const pos = new Float64Array(np),
    neg = new Float64Array(nn);
  for (let i = 0, a = 0, b = 0; i < n; i++)
    if (positive[i]) pos[a++] = scores[i];
    else neg[b++] = scores[i];
  pos.sort();
  neg.sort();
  // for each positive: the negatives below it, plus half of those equal to it
  let below = 0,
    upTo = 0,
    wins = 0;
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
export function explicitness(
  train: CodesAndFactors,
  test: CodesAndFactors,
  threads?: number,
): { explicitness_train: number; explicitness_test: number } {
  const data = explicitnessData(train, test);
  const { F } = data;
  // the factors' models on several threads, those with most classes first
  const classes = Array.from({ length: F }, (_, k) => new Set(column(train.factors, train.n, F, k)).size);
  const order = [...Array(F).keys()].sort((a, b) => classes[b] - classes[a] || a - b);
  const auc = runJobs('explicitness', explicitnessJob, data, order, 2, threads);
  let sTr = 0,
    sTe = 0;
  for (let k = 0; k < F; k++) {
    sTr += auc[2 * k];
    sTe += auc[2 * k + 1];
  }
  return { explicitness_train: sTr / F, explicitness_test: sTe / F };
}

/** What each factor's job needs: the z-scored codes and the factors. */
export interface ExplicitnessData {
  ztr: Float64Array;
  zte: Float64Array;
  ftr: Int32Array;
  fte: Int32Array;
  nTrain: number;
  nTest: number;
  D: number;
  F: number;
}

/** Codes z-scored with train statistics, and the factors. */
export function explicitnessData(train: CodesAndFactors, test: CodesAndFactors): ExplicitnessData {
  // A constant code z-scores to 0 (the reference divides by 0 here and returns NaN).
  const z = zScorer(train);
  return {
    ztr: z(train),
    zte: z(test),
    ftr: train.factors,
    fte: test.factors,
    nTrain: train.n,
    nTest: test.n,
    D: train.numCodes,
    F: train.numFactors,
  };
}

/** Factor k's explicitness: [train AUC, test AUC] (a job for threads.ts runJobs). */
export function explicitnessJob(x: ExplicitnessData, k: number): number[] {
  const ytr = Int32Array.from(column(x.ftr, x.nTrain, x.F, k)),
    yte = Int32Array.from(column(x.fte, x.nTest, x.F, k));
  const model = fitLogisticRegression(x.ztr, x.nTrain, x.D, ytr);
  const auc = (X: Float64Array, y: Int32Array, n: number) => {
    if (model.classes.length < 2) return 1;
    const p = model.predictProba(X, n);
    const K = model.classes.length;
    let s = 0,
      c = 0;
    model.classes.forEach((cls, kk) => {
      const a = rocAuc(
        Float64Array.from({ length: n }, (_, i) => p[i * K + kk]),
        Array.from(y, (v) => v === cls),
      );
      if (Number.isFinite(a)) {
        s += a;
        c++;
      }
    });
    return c ? s / c : 0.5;
  };
  return [auc(x.ztr, ytr, x.nTrain), auc(x.zte, yte, x.nTest)];
}

/** The helpers' side (helper-worker.ts). */
export const explicitnessHelper = jobHelper(explicitnessJob);
