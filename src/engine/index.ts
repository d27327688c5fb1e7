/**
 * The engine: the one place that chooses and starts the tfjs backend.
 * Backends: `wasm` (default), `torch` (native libtorch addon, when built), `cpu` (reference).
 */
import { registerBackendProvider } from './backends.js';
import { wasmProvider } from './wasm/index.js';
import { cpuProvider } from './cpu.js';
import { torchProvider } from './torch/provider.js';

registerBackendProvider(wasmProvider);
registerBackendProvider(torchProvider);
registerBackendProvider(cpuProvider);

export { adam } from './adam.js';
export {
  initEngine,
  engineInfo,
  backendNames,
  getBackendProvider,
  registerBackendProvider,
  type EngineOptions,
  type EngineInfo,
  type BackendProvider,
} from './backends.js';
