/**
 * The papers' studies as shipped experiments (`experiments/*.yaml`): each a few steps (sweeps, a perturbation,
 * perceived distances, a latent picture) at three scales, with the claims it checks and the published numbers
 * it shows ours beside. `disentangle experiment list | run | report`.
 */
export { experiments, experimentsDir, readExperiment, type ExperimentDefinition } from './registry.js';
export { planExperiment, planText, formatSeconds, type Plan } from './plan.js';
export { runExperiment, readExperimentRecord, type ExperimentRunOptions } from './run.js';
export { sweepResults } from './results.js';
export { writeExperimentReport, type DistanceCase } from './report.js';
export { checkClaim, comparePublished, type ClaimResult, type PublishedComparison } from './claims.js';
export { experimentSchema, scaleNames, type ExperimentFile, type ScaleName } from './schema.js';
export { exportExperiment } from './export.js';
