/** Defaults of `evaluate`, in a module without tensors (the CLI shows them in --help before loading anything). */
export { scoreDefaults as evaluateDefaults } from '../metrics/define.js';
