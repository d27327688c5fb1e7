/** Run configs: the schema (defaults written once), validation at the door, `--set` assignments. */
export { configSchema, validateConfig, type RunConfig } from './schema.js';
export { parseParamAssignments, parseScalar, setPath } from './assignments.js';
export { evalSchema, scoreOptions, type EvalConfig } from './eval.js';
