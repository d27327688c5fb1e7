/** Scoring and diagnosing trained runs (the library side of `disentangle evaluate` and `diagnose`). */
export { evaluateRun, evaluateLoaded, evaluateDefaults, type EvaluateOptions, type Evaluation } from './evaluate.js';
export { diagnoseRun, ACTIVE_KL, type DiagnoseOptions } from './diagnose.js';
