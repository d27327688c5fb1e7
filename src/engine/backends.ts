import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients (the umbrella package did): training needs them all
import './all-gradients.js';
import { UserError, listChoices } from '../util/errors.js';
import { backends, backendNames, type EngineOptions } from './registry.js';

export { backends, backendNames, type EngineOptions, type BackendProvider } from './registry.js';

export interface EngineInfo {
  backend: string;
  device: string;
  threads: number;
  /** Why `auto` did not pick the native backend, if it did not. */
  notice?: string;
}

let current: EngineInfo | null = null;

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
  let name = requested;
  let notice: string | undefined;
  if (requested === 'auto') {
    const torch = await backends.get('torch');
    const reason = await (torch.unavailableReason?.() ?? Promise.resolve(null));
    if (reason === null) {
      try {
        await torch.init({ ...opts, threads, device });
        current = { backend: 'torch', device, threads };
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
  current = { backend: name, device: name === 'torch' ? device : 'cpu', threads, notice };
  report(opts, current);
  return current;
}

function report(opts: EngineOptions, info: EngineInfo): void {
  if (opts.quiet) return;
  if (info.notice) process.stderr.write(`note: ${info.notice}\n`);
  process.stderr.write(
    `backend: ${info.backend} (device ${info.device}, ${info.threads} thread${info.threads > 1 ? 's' : ''})\n`,
  );
}

/** The running engine, or null before initEngine. */
export function engineInfo(): EngineInfo | null {
  return current;
}
