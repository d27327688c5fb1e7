/**
 * What a backend provider is, and the engine's options: the types both the registry and the providers need,
 * in a module of their own so that the registry depends on the providers and never the other way.
 */
import type { Definition } from '../registry/index.js';

/** Options every computing command accepts (`--backend`, `--threads`, `--device`). */
export interface EngineOptions {
  /** 'auto' (default), 'wasm', 'torch' or 'cpu'. Falls back to DISENTANGLE_BACKEND, then 'auto'. */
  backend?: string;
  /** Intra-op threads for native backends (default 1). */
  threads?: number;
  /** 'cpu' (default) or 'cuda' (torch backend with a CUDA libtorch). */
  device?: string;
  /** Print nothing (the CLI prints the chosen backend on stderr otherwise). */
  quiet?: boolean;
}

/** One tfjs backend the toolkit knows how to start. */
export interface BackendProvider extends Definition {
  /** Start the backend and make it tf's active backend; throw with a clear message if it cannot start. */
  init(opts: EngineOptions): Promise<void>;
  /** Whether `auto` may pick it: a reason string when not. */
  unavailableReason?(): Promise<string | null>;
}
