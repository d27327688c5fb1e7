/** A trained run as functions on plain arrays: observations → codes, codes → images. Read-only on the folder. */
import * as tf from '@tensorflow/tfjs';
import { latentDistribution } from '../nn/index.js';
import { UserError } from '../util/errors.js';
import { assemble, disposeRun, type Run } from './assemble.js';
import { restoreRunCheckpoint } from './checkpoint.js';
import { readRunConfig } from './run-folder.js';

export interface LoadedRun {
  run: Run;
  /** Observations (N·H·W·C in [0, 1]) → codes N×z: the representation (encoder mean), or a sample of q(z|x). */
  encode(x: Float32Array, n: number, mode?: 'mean' | 'sample', seed?: number): Float32Array;
  /** Codes N×z → images N·H·W·C in [0, 1]. */
  decode(z: Float32Array, n: number): Float32Array;
  dispose(): void;
}

/** Open a run folder's model at its checkpoint, without changing anything in the folder. */
export async function loadRun(dir: string): Promise<LoadedRun> {
  const run = await assemble(dir, await readRunConfig(dir));
  try {
    if (!(await restoreRunCheckpoint(run)))
      throw new UserError(`${dir} has no checkpoint yet: train it first (or wait for its first checkpoint)`);
  } catch (e) {
    disposeRun(run);
    throw e;
  }
  const [h, w, c] = run.dataset.obsShape;
  const zDim = run.config.model.z;
  /** Codes or images of a finite model can still overflow: say so here, not deep inside a metric's algebra. */
  const finite = (a: Float32Array, what: string) => {
    const i = a.findIndex((v) => !Number.isFinite(v));
    if (i >= 0)
      throw new UserError(
        `the model of ${dir} (step ${run.step}) makes non-finite ${what} (${a[i]}): its weights have diverged. ` +
          'Train it again with a lower learning rate (--lr)',
      );
    return a;
  };
  const fw = run.framework;
  return {
    run,
    encode(x, n, mode = 'mean', seed = 0) {
      const out = new Float32Array(n * zDim);
      for (let i = 0; i < n; i += 256) {
        const m = Math.min(256, n - i);
        const codes = tf.tidy(() => {
          const enc = run.model.encode(tf.tensor4d(x.subarray(i * h * w * c, (i + m) * h * w * c), [m, h, w, c]));
          if (mode === 'sample' && fw.latent) {
            const half = enc.shape[1] / 2;
            const loc = tf.slice(enc, [0, 0], [-1, half]) as tf.Tensor2D;
            const scale = tf.slice(enc, [0, half], [-1, half]) as tf.Tensor2D;
            return latentDistribution(fw.latent).sample(loc, scale, seed + i);
          }
          return fw.representation(enc);
        });
        out.set(codes.dataSync(), i * zDim);
        codes.dispose();
      }
      return finite(out, 'codes');
    },
    decode(z, n) {
      return finite(
        tf.tidy(() => run.recon.activate(run.model.decode(tf.tensor2d(z, [n, zDim]))).dataSync() as Float32Array),
        'images',
      );
    },
    dispose: () => disposeRun(run),
  };
}
