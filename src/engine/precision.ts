/**
 * The hook through which a run's `train.precision` reaches the running engine. Free of tensor-library imports:
 * the trainer imports it, and the page's worker imports the trainer (its wasm engine has fp32 only).
 */
import { UserError } from '../util/errors.js';

let apply: ((precision: string) => void) | null = null;

/** Called by the engine (backends.ts) once it can set precisions. */
export function onPrecision(f: (precision: string) => void): void {
  apply = f;
}

/** Set the compute precision for what follows; without an engine that has it, only 'fp32' is accepted. */
export function applyPrecision(precision: string): void {
  if (apply) apply(precision);
  else if (precision !== 'fp32')
    throw new UserError(`precision '${precision}' needs the torch backend; this engine computes in fp32`);
}
