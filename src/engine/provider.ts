/**
 * What a backend provider is, and the engine's options: the types both the registry and the providers need,
 * in a module of their own so that the registry depends on the providers and never the other way.
 */
import type { Definition } from '../registry/index.js';

/**
 * Compute precision: 'fp32' everywhere (the default), or 'bf16' — autocast-style: convolutions and matrix
 * products take bfloat16 operands and return float32; weights, optimiser state, elementwise ops and reductions
 * stay float32. Only the torch backend has bf16 (fast on CPUs with AVX512-BF16/AMX and on CUDA).
 */
export const precisions = ['fp32', 'bf16'] as const;
export type Precision = (typeof precisions)[number];

/** Options every computing command accepts (`--backend`, `--threads`, `--device`, `--precision`). */
export interface EngineOptions {
  /** 'auto' (default), 'wasm', 'torch' or 'cpu'. Falls back to DISENTANGLE_BACKEND, then 'auto'. */
  backend?: string;
  /** Intra-op threads for native backends (default 1). */
  threads?: number;
  /** 'cpu' (default) or 'cuda' (torch backend with a CUDA libtorch). */
  device?: string;
  /** 'fp32' (default) or 'bf16' (torch backend only; see `precisions`). */
  precision?: Precision;
  /** Print nothing (the CLI prints the chosen backend on stderr otherwise). */
  quiet?: boolean;
}

/** One tfjs backend the toolkit knows how to start. */
export interface BackendProvider extends Definition {
  /** Start the backend and make it tf's active backend; throw with a clear message if it cannot start. */
  init(opts: EngineOptions): Promise<void>;
  /** Set the compute precision; absent: the backend computes in fp32 only. */
  setPrecision?(precision: Precision): void;
  /** Whether `auto` may pick it: a reason string when not. */
  unavailableReason?(): Promise<string | null>;
}
