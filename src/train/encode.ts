/** The encoding API: a trained run → representation function for metrics. */
import * as tf from '@tensorflow/tfjs';
import { openRun, disposeRun, type Run } from './trainer.js';
import { sampleNormal, splitPosterior } from '../frameworks/index.js';

export interface LoadedRun {
  run: Run;
  /** Observations (N·H·W·C in [0, 1]) → codes N×z: the encoder mean, or a sample. */
  encode(x: Float32Array, n: number, mode?: 'mean' | 'sample', seed?: number): Float32Array;
  /** Codes N×z → images N·H·W·C in [0, 1]. */
  decode(z: Float32Array, n: number): Float32Array;
  dispose(): void;
}

export async function loadRun(dir: string): Promise<LoadedRun> {
  const run = await openRun(dir);
  const [h, w, c] = run.dataset.obsShape;
  const zDim = run.config.model.z;
  return {
    run,
    encode(x, n, mode = 'mean', seed = 0) {
      const out = new Float32Array(n * zDim);
      for (let i = 0; i < n; i += 256) {
        const m = Math.min(256, n - i);
        const codes = tf.tidy(() => {
          const enc = run.model.encode(tf.tensor4d(x.subarray(i * h * w * c, (i + m) * h * w * c), [m, h, w, c]));
          if (mode === 'sample' && run.framework.encoderOutputsPerLatent === 2)
            return sampleNormal(splitPosterior(enc), seed + i);
          return run.framework.representation(enc);
        });
        out.set(codes.dataSync(), i * zDim);
        codes.dispose();
      }
      return out;
    },
    decode(z, n) {
      return tf.tidy(() => run.recon.activate(run.model.decode(tf.tensor2d(z, [n, zDim]))).dataSync() as Float32Array);
    },
    dispose: () => disposeRun(run),
  };
}
