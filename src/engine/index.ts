/**
 * The engine: the one place that chooses and starts the tfjs backend.
 * Backends: `wasm` (default), `torch` (native libtorch addon, when built), `cpu` (reference).
 */
export { adam } from './adam.js';
export {
  initEngine,
  engineInfo,
  setPrecision,
  precisions,
  type Precision,
  backends,
  backendNames,
  type EngineOptions,
  type EngineInfo,
  type BackendProvider,
} from './backends.js';
