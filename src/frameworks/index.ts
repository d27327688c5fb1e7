/** Training objectives as modules on one shared training step (cf. disent), and weight schedules. */
export type { Framework, FrameworkFactoryArgs, StepContext, LossOutput, BatchKind } from './types.js';
export {
  createFramework,
  frameworkNames,
  frameworkParamsSchema,
  frameworkDescriptions,
  totalCorrelation,
  perLatentKl,
} from './registry.js';
export { scheduleSchema, scheduleValue, type Schedule } from './schedules.js';
export {
  splitPosterior,
  sampleNormal,
  klPerDim,
  klMean,
  covariance,
  mmdRbf,
  logNormal,
  type Posterior,
} from './common.js';
