/** Run configs: the schema (defaults written once), validation at the door, `--set` assignments. */
export { configSchema, validateConfig, setPath, type RunConfig } from './schema.js';
export { parseParamAssignments, parseScalar } from './assignments.js';
export { evalSchema, scoreOptions, type EvalConfig } from './eval.js';
