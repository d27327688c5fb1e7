/**
 * Starts tfjs inside a page worker. `wasm` (the default, as in Node) gets the toolkit's own training kernels and
 * the .wasm files from the bundle; threads stay off (a cross-origin-isolated page would pick the threaded
 * build, whose worker fails inside a bundle, and threads gain ≈ 10 % on small machines). `webgl` and `webgpu`
 * use the GPU where the browser has one; `cpu` is plain JavaScript.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from '../../../src/engine/wasm/kernels.js';

export const pageBackends = ['wasm', 'webgl', 'webgpu', 'cpu'] as const;
export type PageBackend = (typeof pageBackends)[number];

export async function startBackend(name: PageBackend): Promise<string> {
  tf.env().set('PROD', true);
  if (name === 'wasm') {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': new URL(wasmPlain, self.location.href).href,
      'tfjs-backend-wasm-simd.wasm': new URL(wasmSimd, self.location.href).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreaded, self.location.href).href,
    });
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    registerWasmTrainingKernels();
  }
  if (name === 'webgpu') {
    if (!('gpu' in navigator)) throw new Error('this browser has no WebGPU (navigator.gpu): choose wasm or webgl');
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(`backend '${name}' failed to start: ${(e as Error).message}`);
  }
  if (!ok) throw new Error(`backend '${name}' is not available in this browser: choose wasm`);
  await tf.ready();
  return tf.getBackend();
}

export { tf };
