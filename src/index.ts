/**
 * disentangle as a library. Each concern is a subpath of the package (`disentangle/data`, `disentangle/metrics`,
 * …, the same names the CLI uses) and a namespace here; the functions most scripts need are also exported by
 * name. Plain data in and out at the edges: typed arrays and shapes.
 *
 *   import { initEngine, createDataset, computeArrayMetrics } from 'disentangle';
 */
export * as registry from './registry/index.js';
export * as engine from './engine/index.js';
export * as data from './data/index.js';
export * as nn from './nn/index.js';
export * as losses from './losses/index.js';
export * as priors from './priors/index.js';
export * as frameworks from './frameworks/index.js';
export * as config from './config/index.js';
export * as train from './train/index.js';
export * as metrics from './metrics/index.js';
export * as evaluate from './evaluate/index.js';
export * as analysis from './analysis/index.js';
export * as viz from './viz/index.js';
export * as interop from './interop/index.js';

export { initEngine, type EngineOptions } from './engine/index.js';
export { createDataset, renderObservations, type GroundTruthDataset } from './data/index.js';
export { createFramework } from './frameworks/index.js';
export { parseLoss } from './losses/index.js';
export { validateConfig, type RunConfig } from './config/index.js';
export { startRun, openRun, trainRun, closeRun, loadRun } from './train/index.js';
export { computeArrayMetrics, mig, dci, sampleCodesAndFactors, type CodesAndFactors } from './metrics/index.js';
export { evaluateRun, diagnoseRun } from './evaluate/index.js';
export { analysePerceivedDistances } from './analysis/index.js';
export { UserError } from './util/errors.js';
export { Rng } from './util/rng.js';
