/** `disentangle bench web`: the toolkit's step benchmark (src/bench/step.ts) in a page worker on wasm. */
import { benchStep, type StepBenchOptions } from '../../../src/bench/step.js';
import { startBackend } from '../lib/engine.js';

self.onmessage = async (ev: MessageEvent<StepBenchOptions>) => {
  const post = (m: unknown) => (self as unknown as { postMessage(m: unknown): void }).postMessage(m);
  try {
    const backend = await startBackend('wasm');
    post({ backend, ...(await benchStep(ev.data)) });
  } catch (e) {
    post({ error: (e as Error).message });
  }
};
