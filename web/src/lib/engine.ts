/**
 * Starts tfjs inside a page worker. `wasm` (the default, as in Node) gets the toolkit's own training kernels and
 * the .wasm files from the bundle; threads stay off (a cross-origin-isolated page would pick the threaded
 * build, whose worker fails inside a bundle, and threads gain ≈ 10 % on small machines). `webgl` and `webgpu`
 * use the GPU where the browser has one; `cpu` is plain JavaScript.
 */
import * as tf from '@tensorflow/tfjs-core';
// the page's backends, registered by import (tfjs-core alone has none); webgpu is loaded on demand below
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
// tfjs-core alone registers no gradients: the page trains
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
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
  if (name !== 'cpu') await selfCheck(name);
  return tf.getBackend();
}

/**
 * A small convolutional forward and backward pass on the chosen backend against tfjs's plain-JS reference:
 * a browser's GPU path can compute wrong numbers (e.g. zeros on a software WebGPU adapter), and training on
 * it would then look fine while learning nothing.
 */
async function selfCheck(name: PageBackend): Promise<void> {
  const probe = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(
        Array.from({ length: 2 * 8 * 8 * 2 }, (_, i) => Math.sin(i)),
        [2, 8, 8, 2],
      );
      const w = tf.tensor4d(
        Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => Math.cos(i)),
        [3, 3, 2, 3],
      );
      const f = (wt: tf.Tensor) => tf.sum(tf.sigmoid(tf.conv2d(x, wt as tf.Tensor4D, 2, 'same')));
      const [value, grad] = [f(w), tf.grad(f)(w)];
      return [value.dataSync()[0], ...Array.from(grad.dataSync())];
    });
  const got = probe();
  await tf.setBackend('cpu');
  const want = probe();
  await tf.setBackend(name);
  const bad = got.findIndex((g, i) => !(Math.abs(g - want[i]) <= 1e-3 * (1 + Math.abs(want[i]))));
  if (bad >= 0)
    throw new Error(
      `backend '${name}' computes wrong numbers in this browser (a convolution test gave ${got[bad]}, expected ${want[bad]}): choose wasm`,
    );
}

export { tf };
