/** Training objectives as modules on one shared training step (cf. disent), and weight schedules. */
export type { Framework, FrameworkFactoryArgs, StepContext, LossOutput, BatchKind } from './types.js';
export { frameworks, createFramework } from './registry.js';
export { defineFramework, type FrameworkDefinition } from './define.js';
export { scheduleSchema, scheduleValue, type Schedule } from './schedules.js';
export {
  splitPosterior,
  sampleNormal,
  klPerDim,
  klMean,
  perLatentKl,
  covariance,
  mmdRbf,
  vaeFramework,
  meanRepresentation,
  type Posterior,
} from './common.js';
