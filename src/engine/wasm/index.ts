import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendProvider } from '../provider.js';
import { registerWasmTrainingKernels } from './kernels.js';

/** The zero-install default: tfjs-backend-wasm (XNNPACK, SIMD) plus the training kernels it lacks. */
export const wasmProvider: BackendProvider = {
  name: 'wasm',
  description: 'WebAssembly (XNNPACK); zero-install default',
  async init() {
    registerWasmTrainingKernels();
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('tf.setBackend("wasm") returned false');
    await tf.ready();
  },
};
