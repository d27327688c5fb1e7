/**
 * The backend registry and the engine's options, without tfjs: the CLI reads the backend names from here to
 * build its options, so a command that fails at parsing never loads a tensor library.
 */
import { Registry } from '../registry/index.js';
import type { BackendProvider } from './provider.js';

export { precisions } from './provider.js';
export type { BackendProvider, EngineOptions, Precision } from './provider.js';

/** The backends the toolkit can start, each imported on first use (the native addon is loaded only if asked). */
export const backends = new Registry<BackendProvider>('backend', ' (via --backend or DISENTANGLE_BACKEND)')
  .add('wasm', () => import('./wasm/index.js').then((m) => m.wasmProvider))
  .add('torch', () => import('./torch/provider.js').then((m) => m.torchProvider))
  .add('cpu', () => import('./cpu.js').then((m) => m.cpuProvider));

/** Backend names for `--backend`: 'auto', then every registered backend. */
export function backendNames(): string[] {
  return ['auto', ...backends.names()];
}
