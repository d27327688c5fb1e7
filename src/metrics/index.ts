/**
 * The metrics registry: array metrics (codes and factors made anywhere) by name, and the metrics that
 * sample from a dataset. `computeArrayMetrics` returns one flat record (the keys of `disentangle metrics --json`).
 */
import { UserError, listChoices } from '../util/errors.js';
import { checkCodes, type CodesAndFactors } from './utils.js';
import { mig, modularity, sapContinuous, unsupervised } from './array-metrics.js';
import { dci, dciLasso } from './dci.js';
import { sapDiscrete, explicitness, irs, hoyer } from './learned-metrics.js';

export type ArrayMetric = (train: CodesAndFactors, test: CodesAndFactors) => Record<string, number>;

export const arrayMetrics: Record<string, { description: string; run: ArrayMetric }> = {
  mig: { description: 'mutual information gap (Chen et al.), 20 bins', run: (tr) => ({ mig: mig(tr).mig }) },
  dci: {
    description: 'DCI disentanglement, completeness, informativeness (gradient-boosted trees)',
    run: (tr, te) => {
      const r = dci(tr, te);
      return {
        dci_disentanglement: r.disentanglement,
        dci_completeness: r.completeness,
        dci_informativeness_train: r.informativeness_train,
        dci_informativeness_test: r.informativeness_test,
      };
    },
  },
  dci_lasso: {
    description: 'DCI with lasso regression importances (α = 0.01; informativeness = R²)',
    run: (tr, te) => {
      const r = dciLasso(tr, te);
      return {
        dci_lasso_disentanglement: r.disentanglement,
        dci_lasso_completeness: r.completeness,
        dci_lasso_informativeness_train: r.informativeness_train,
        dci_lasso_informativeness_test: r.informativeness_test,
      };
    },
  },
  sap: {
    description: 'SAP score with discrete factors (linear SVM per code, C = 0.01, balanced)',
    run: (tr, te) => ({ sap: sapDiscrete(tr, te).sap }),
  },
  sap_continuous: {
    description: 'SAP score, continuous variant (cov² / var·var)',
    run: (tr) => ({ sap_continuous: sapContinuous(tr).sap }),
  },
  explicitness: {
    description: 'explicitness (Ridgeway & Mozer): logistic regression, one-vs-rest ROC-AUC',
    run: (tr, te) => explicitness(tr, te),
  },
  irs: { description: 'interventional robustness score (Suter et al.)', run: (tr) => ({ irs: irs(tr) }) },
  hoyer: {
    description: 'normalised Hoyer sparsity of std-scaled codes (Mathieu et al.)',
    run: (tr) => ({ hoyer: hoyer(tr) }),
  },
  modularity: {
    description: 'modularity (Ridgeway & Mozer), 20-bin MI',
    run: (tr) => ({ modularity: modularity(tr) }),
  },
  unsupervised: {
    description: 'Gaussian total correlation, Wasserstein dependency, mean pairwise MI of codes',
    run: (tr) => {
      const u = unsupervised(tr);
      return {
        gaussian_total_correlation: u.gaussian_total_correlation,
        gaussian_wasserstein_correlation: u.gaussian_wasserstein_correlation,
        gaussian_wasserstein_correlation_norm: u.gaussian_wasserstein_correlation_norm,
        mutual_info_score: u.mutual_info_score,
      };
    },
  },
};

export function metricNames(): string[] {
  return Object.keys(arrayMetrics);
}

export function parseMetricList(list: string | undefined): string[] {
  if (!list) return metricNames();
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!arrayMetrics[n]) throw new UserError(`unknown metric '${n}': choose ${listChoices(metricNames())}`);
  return names;
}

export function computeArrayMetrics(
  train: CodesAndFactors,
  test: CodesAndFactors,
  names = metricNames(),
): Record<string, number> {
  checkCodes(train, 'train codes');
  checkCodes(test, 'test codes');
  if (train.numCodes !== test.numCodes || train.numFactors !== test.numFactors) {
    throw new UserError(
      `train and test differ in shape: ${train.numCodes} vs ${test.numCodes} codes, ${train.numFactors} vs ${test.numFactors} factors`,
    );
  }
  const out: Record<string, number> = {};
  for (const n of names) Object.assign(out, arrayMetrics[n].run(train, test));
  return out;
}

export {
  checkCodes,
  histogramDiscretize,
  discreteMutualInfo,
  discreteEntropy,
  mutualInfoMatrix,
  column,
  type CodesAndFactors,
} from './utils.js';
export { mig, modularity, modularityFromMi, sapContinuous, sapFromScores, unsupervised } from './array-metrics.js';
export { dci, dciLasso, dciFromImportance, type DciResult } from './dci.js';
export { udr, type UdrModel } from './udr.js';
export { fitLasso } from './learners/lasso.js';
export { fitGradientBoosting, type GbtModel, type GbtOptions } from './learners/gbt.js';
export { sampleCodesAndFactors, factorVaeScore, type RepresentationFn } from './dataset-metrics.js';
export { sapDiscrete, explicitness, irs, hoyer, rocAuc, betaVaeScore } from './learned-metrics.js';
export { fitLogisticRegression, fitLinearSvm1d, lbfgs, type LogisticModel } from './learners/linear.js';
export { factoredComponents, jacobianOrthogonality } from './model-metrics.js';
