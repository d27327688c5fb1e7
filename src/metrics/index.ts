/**
 * Disentanglement metrics (metrics.md). The registry (`metrics`) names every metric and runs it; the
 * functions below are the metrics themselves, on plain arrays, for use as a library.
 */
export { metrics, metricNames, parseMetricList, computeArrayMetrics, type ArrayMetricsResult } from './registry.js';
export { scoreRepresentation, type ScoreOptions, type Scores } from './score.js';
export {
  defineCodesMetric,
  defineModelMetric,
  evalPresets,
  scoreDefaults,
  type MetricDefinition,
  type CodesMetricDefinition,
  type ModelMetricDefinition,
  type MetricResult,
  type CodeFactorMatrix,
  type MetricCurves,
  type EvalPreset,
  type EvalPresetName,
} from './define.js';
export {
  checkCodes,
  MIN_ROWS,
  singleValuedFactors,
  selectFactors,
  histogramDiscretize,
  discreteMutualInfo,
  discreteEntropy,
  mutualInfoMatrix,
  column,
  type CodesAndFactors,
} from './utils.js';
export {
  mig,
  migKsg,
  migFromMi,
  modularity,
  modularityFromMi,
  sapContinuous,
  sapFromScores,
  unsupervised,
} from './array-metrics.js';
export { dci, dciLasso, dciFromImportance, type DciResult } from './dci.js';
export {
  dciEs,
  dciEsDefaults,
  explicitnessFromCurve,
  type DciEsOptions,
  type DciEsResult,
  type LossCapacityCurve,
} from './dci-es.js';
export { infomec, activeLatents, type InfomecOptions, type InfomecResult } from './infomec.js';
export { knnMutualInfo, knnMutualInfoMatrix, digamma } from './knn-mi.js';
export { udr, type UdrModel } from './udr.js';
export { fitLasso } from './learners/lasso.js';
export { fitGradientBoosting, type GbtModel, type GbtOptions } from './learners/gbt.js';
export { sampleCodesAndFactors, factorVaeScore, type RepresentationFn } from './dataset-metrics.js';
export { sapDiscrete, explicitness, irs, hoyer, rocAuc, betaVaeScore } from './learned-metrics.js';
export { fitLogisticRegression, fitLinearSvm1d, lbfgs, type LogisticModel } from './learners/linear.js';
export { factoredComponents, jacobianOrthogonality } from './model-metrics.js';
