/** A trained run as functions on plain arrays: observations → codes, codes → images. Read-only on the folder. */
import * as tf from '@tensorflow/tfjs-core';
import { latentDistribution } from '../nn/index.js';
import { UserError } from '../util/errors.js';
import { Rng, seedsFrom } from '../util/rng.js';
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

/** Encoder outputs of N·H·W·C observations, 256 at a time, each chunk mapped by `f` to N×z codes. */
function encodeInChunks(
  run: Run,
  x: Float32Array,
  n: number,
  f: (encoderOutput: tf.Tensor2D, offset: number) => tf.Tensor2D,
): Float32Array {
  const [h, w, c] = run.dataset.obsShape;
  const zDim = run.config.model.z;
  const out = new Float32Array(n * zDim);
  for (let i = 0; i < n; i += 256) {
    const m = Math.min(256, n - i);
    const codes = tf.tidy(() =>
      f(run.model.encode(tf.tensor4d(x.subarray(i * h * w * c, (i + m) * h * w * c), [m, h, w, c])), i),
    );
    out.set(codes.dataSync(), i * zDim);
    codes.dispose();
  }
  return out;
}

/** The run's representation (the framework's, e.g. the encoder mean) of N·H·W·C observations: N×z. */
export function representationOf(run: Run): (x: Float32Array, n: number) => Float32Array {
  return (x, n) => encodeInChunks(run, x, n, (enc) => run.framework.representation(enc));
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
  const represent = representationOf(run);
  return {
    run,
    encode(x, n, mode = 'mean', seed = 0) {
      if (mode === 'mean' || !fw.latent) return finite(represent(x, n), 'codes');
      const dist = latentDistribution(fw.latent);
      const chunkSeed = seedsFrom(new Rng(seed));
      const codes = encodeInChunks(run, x, n, (enc, i) => {
        const half = enc.shape[1] / 2;
        const loc = tf.slice(enc, [0, 0], [-1, half]) as tf.Tensor2D;
        const scale = tf.slice(enc, [0, half], [-1, half]) as tf.Tensor2D;
        return dist.sample(loc, scale, chunkSeed(`chunk:${i}`));
      });
      return finite(codes, 'codes');
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
