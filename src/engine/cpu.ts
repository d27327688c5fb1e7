import * as tf from '@tensorflow/tfjs-core';
// registers the 'cpu' backend (tfjs-core alone has none)
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients (see scripts/bundle-gradients.mjs)
import './all-gradients.js';
import type { BackendProvider } from './backends.js';

/** tfjs's pure-JS backend: the numerical reference in tests; far too slow to train convolutions. */
export const cpuProvider: BackendProvider = {
  name: 'cpu',
  description: 'pure JavaScript (reference for tests; ~50x slower on convolutions)',
  async init() {
    const ok = await tf.setBackend('cpu');
    if (!ok) throw new Error('tf.setBackend("cpu") returned false');
    await tf.ready();
  },
};
