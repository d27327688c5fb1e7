import * as tf from '@tensorflow/tfjs-core';
import type { BackendProvider, EngineOptions, Precision } from '../provider.js';
import { UserError } from '../../util/errors.js';
import { TorchBackend } from './backend.js';
import { registerTorchKernels } from './kernels/index.js';
import { addonUnavailableReason, loadAddon } from './native.js';

let registeredWith: { threads: number; device: string } | null = null;

/**
 * The native `torch` backend: tfjs kernels on libtorch, built opt-in with `npm run build:native`.
 * One backend instance per process (libtorch's thread count and device are process-wide).
 */
export const torchProvider: BackendProvider = {
  name: 'torch',
  description: 'native libtorch addon (npm run build:native)',
  async unavailableReason() {
    return addonUnavailableReason();
  },
  async init(opts: EngineOptions) {
    const addon = loadAddon();
    if (!addon) throw new Error(`the torch backend is unavailable: ${addonUnavailableReason()}`);
    const threads = opts.threads ?? 1;
    const device = opts.device ?? 'cpu';
    if (registeredWith && (registeredWith.threads !== threads || registeredWith.device !== device)) {
      throw new Error(
        `the torch backend already runs with ${registeredWith.threads} threads on ${registeredWith.device}; ` +
          'it cannot be restarted with other settings in the same process',
      );
    }
    if (!registeredWith) {
      addon.init(threads, device);
      registerTorchKernels();
      tf.registerBackend('torch', () => new TorchBackend(addon, device), 1);
      registeredWith = { threads, device };
    }
    const ok = await tf.setBackend('torch');
    if (!ok) throw new Error('tf.setBackend("torch") returned false');
    await tf.ready();
  },
  setPrecision(precision: Precision) {
    const addon = loadAddon();
    if (!addon) throw new Error(`the torch backend is unavailable: ${addonUnavailableReason()}`);
    if (typeof addon.setPrecision !== 'function')
      throw new UserError(`the native addon predates --precision: rebuild it with 'npm run build:native'`);
    addon.setPrecision(precision);
  },
};
