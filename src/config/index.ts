export { configSchema, validateConfig, setPath, type RunConfig } from './schema.js';
export { evalSchema, evalMetricNames, datasetScoreNames, type EvalConfig } from './eval.js';
