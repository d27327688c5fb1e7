import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients (the umbrella package did): training needs them all
import './all-gradients.js';
import { UserError, listChoices } from '../util/errors.js';
import { onPrecision } from './precision.js';
import {
  backends,
  backendNames,
  precisions,
  type BackendProvider,
  type EngineOptions,
  type Precision,
} from './registry.js';

export {
  backends,
  backendNames,
  precisions,
  type EngineOptions,
  type BackendProvider,
  type Precision,
} from './registry.js';

export interface EngineInfo {
  backend: string;
  device: string;
  threads: number;
  /** Compute precision of convolutions and matrix products ('fp32' unless set to 'bf16'). */
  precision: Precision;
  /** Why `auto` did not pick the native backend, if it did not. */
  notice?: string;
}

let current: EngineInfo | null = null;
let currentProvider: BackendProvider | null = null;

/**
 * Choose and start the tensor backend. `auto` picks the native `torch` backend when it is built
 * and loads, else `wasm` (with a one-line notice saying why).
 */
export async function initEngine(opts: EngineOptions = {}): Promise<EngineInfo> {
  // tfjs prints a banner recommending tfjs-node on first use of its CPU backend; PROD mode silences its
  // warnings so that `--json` output stays clean.
  tf.env().set('PROD', true);
  const requested = (opts.backend ?? process.env.DISENTANGLE_BACKEND ?? 'auto').trim() || 'auto';
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1)
    throw new UserError(`--threads must be a positive integer, got ${opts.threads}`);
  const device = opts.device ?? 'cpu';
  if (device !== 'cpu' && device !== 'cuda') throw new UserError(`unknown device '${device}': choose cpu or cuda`);
  const precision = opts.precision ?? 'fp32';
  checkPrecision(precision);
  let name = requested;
  let notice: string | undefined;
  if (requested === 'auto') {
    const torch = await backends.get('torch');
    const reason = await (torch.unavailableReason?.() ?? Promise.resolve(null));
    if (reason === null) {
      try {
        await torch.init({ ...opts, threads, device });
        torch.setPrecision?.(precision);
        current = { backend: 'torch', device, threads, precision };
        currentProvider = torch;
        report(opts, current);
        return current;
      } catch (e) {
        notice = `native backend 'torch' failed to start (${(e as Error).message}); using wasm`;
      }
    } else {
      notice = `native backend 'torch' unavailable (${reason}); using wasm`;
    }
    name = 'wasm';
    if (device === 'cuda') throw new UserError(`--device cuda needs the torch backend: ${notice}`);
  }
  const provider = await backends.get(name);
  if (precision !== 'fp32' && !provider.setPrecision) throw new UserError(precisionRefusal(name, precision, notice));
  if (device === 'cuda' && name !== 'torch') throw new UserError(`--device cuda needs --backend torch (got '${name}')`);
  try {
    await provider.init({ ...opts, threads, device });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(
      `backend '${name}' failed to initialise: ${(e as Error).message}. ` +
        `Valid backends: ${listChoices(backendNames())}`,
    );
  }
  // always set (a process may start the engine again with another precision)
  provider.setPrecision?.(precision);
  current = { backend: name, device: name === 'torch' ? device : 'cpu', threads, precision, notice };
  currentProvider = provider;
  report(opts, current);
  return current;
}

function checkPrecision(p: string): asserts p is Precision {
  if (!(precisions as readonly string[]).includes(p))
    throw new UserError(`unknown precision '${p}': choose ${precisions.join(' or ')}`);
}

function precisionRefusal(backend: string, p: string, why?: string): string {
  return (
    `--precision ${p} needs the torch backend (bf16 convolutions and matrix products in libtorch); ` +
    `backend '${backend}' computes in fp32${why ? ` (${why})` : ''}: use --backend torch, or --precision fp32`
  );
}

/**
 * Set the compute precision of the running engine (a run's `train.precision`); 'bf16' needs the torch backend.
 * Throws UserError before the engine starts or where the backend has only fp32.
 */
export function setPrecision(p: string): void {
  checkPrecision(p);
  if (!current) throw new Error('setPrecision before initEngine');
  if (p === current.precision) return;
  if (!currentProvider?.setPrecision) throw new UserError(precisionRefusal(current.backend, p));
  currentProvider.setPrecision(p);
  current = { ...current, precision: p };
}

onPrecision(setPrecision);

function report(opts: EngineOptions, info: EngineInfo): void {
  if (opts.quiet) return;
  if (info.notice) process.stderr.write(`note: ${info.notice}\n`);
  const bf16 = info.precision === 'fp32' ? '' : `, ${info.precision}`;
  process.stderr.write(
    `backend: ${info.backend} (device ${info.device}, ${info.threads} thread${info.threads > 1 ? 's' : ''}${bf16})\n`,
  );
}

/** The running engine, or null before initEngine. */
export function engineInfo(): EngineInfo | null {
  return current;
}
