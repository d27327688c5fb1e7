/**
 * Analyses of datasets and models: perceived distances (Michlo et al.), local variance structure
 * (Zietlow et al.), reports.
 */
export { mean, std, pearson, spearman, rankData } from './stats.js';
export {
  analysePerceivedDistances,
  factorTraversalDistances,
  pairDistances,
  perceivedDefaults,
  verdictThresholds,
  type PerceivedOptions,
  type PerceivedReport,
  type FactorPerceived,
  type Verdict,
} from './perceived.js';
export { localVarianceStructure, type LocalVarianceReport, type LocalVarianceOptions } from './local-variance.js';
export { findPerturbation, type PerturbationOptions } from './perturbation.js';
export {
  perceivedReportHtml,
  perceivedSection,
  localVarianceSection,
  perceivedSummary,
  traversalGridImage,
} from './html-sections.js';
export {
  designLoss,
  checkDesignOptions,
  compareCandidates,
  defaultAlphas,
  designBases,
  paperAugment,
  type DesignOptions,
  type DesignProgress,
  type DesignCandidate,
  type DesignResult,
} from './design-loss.js';
export { designReportHtml } from './design-report.js';
export { PerceivedCells, type PixelLoss } from './perceived-cells.js';
