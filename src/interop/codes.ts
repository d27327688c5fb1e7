/**
 * `encode`: a run's encoder outputs for the images of an .npz, as arrays another tool can read — `means` and
 * `logvars` (N×z float32: the two halves of the encoder's 2z outputs, as disent's `torch.chunk(2, dim=-1)`),
 * and with `decode` the decoder's raw output for the means (`decoded`, N×H×W×C float32, before any sigmoid).
 */
import * as tf from '@tensorflow/tfjs-core';
import { readNpz, writeNpz, type NdArray } from '../data/formats/npz.js';
import { loadRun } from '../train/index.js';
import type { Run } from '../train/index.js';
import { UserError } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';

/** Images of an .npz as float32 N·H·W·C in [0, 1]: `images` uint8 (÷255) or float in [0, 1]. */
export function readImages(path: string, obsShape: readonly number[], model: string): { x: Float32Array; n: number } {
  const arrays = readNpz(path);
  const img = arrays.images;
  if (!img)
    throw new UserError(
      `${path} has no 'images' array (it has ${Object.keys(arrays).join(', ') || 'none'}): ` +
        'give images as `disentangle data export` writes them (uint8 N×H×W×C)',
    );
  const [h, w, c] = obsShape;
  // N×H×W is accepted for one channel
  const shape = img.shape.length === 3 && c === 1 ? [...img.shape, 1] : img.shape;
  if (shape.length !== 4 || shape[1] !== h || shape[2] !== w || shape[3] !== c)
    throw new UserError(
      `${path}: images are ${img.shape.join('×')}, ${model} takes N×${h}×${w}×${c}: ` +
        'give images of the size and channels the run was trained on',
    );
  const n = shape[0];
  const x = new Float32Array(n * h * w * c);
  if (img.dtype === 'uint8') {
    for (let i = 0; i < x.length; i++) x[i] = (img.data as Uint8Array)[i] / 255;
  } else if (img.dtype === 'float32' || img.dtype === 'float64') {
    const d = img.data as Float32Array | Float64Array;
    for (let i = 0; i < x.length; i++) {
      const v = d[i];
      if (!(v >= 0 && v <= 1))
        throw new UserError(
          `${path}: images[${i}] is ${v}: float images must be in [0, 1] (or give uint8 images in 0…255)`,
        );
      x[i] = v;
    }
  } else
    throw new UserError(`${path}: images are ${img.dtype}: give uint8 (0…255) or float32/float64 images in [0, 1]`);
  return { x, n };
}

export interface Codes {
  means: Float32Array;
  /** The second half of the encoder's outputs (log σ² for a Gaussian posterior); absent for a one-output encoder. */
  logvars?: Float32Array;
  decoded?: Float32Array;
  n: number;
  z: number;
}

/** Encoder (and raw decoder) outputs of N·H·W·C images, `batch` at a time; progress on large inputs. */
export function encodeBatches(
  run: Run,
  x: Float32Array,
  n: number,
  o: { decode?: boolean; batch?: number; quiet?: boolean } = {},
): Codes {
  const [h, w, c] = run.dataset.obsShape;
  const z = run.config.model.z;
  const two = run.framework.encoderOutputsPerLatent === 2;
  const batch = o.batch ?? 256;
  const means = new Float32Array(n * z);
  const logvars = two ? new Float32Array(n * z) : undefined;
  const decoded = o.decode ? new Float32Array(n * h * w * c) : undefined;
  const bar = n > 4 * batch && !o.quiet ? new ProgressBar({ total: n, label: 'encode', unit: 'img' }) : null;
  const px = h * w * c;
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    tf.tidy(() => {
      const enc = run.model.encode(tf.tensor4d(x.subarray(i * px, (i + m) * px), [m, h, w, c]));
      const mu = two ? tf.slice(enc, [0, 0], [m, z]) : enc;
      means.set(mu.dataSync() as Float32Array, i * z);
      if (logvars) logvars.set(tf.slice(enc, [0, z], [m, z]).dataSync() as Float32Array, i * z);
      if (decoded) decoded.set(run.model.decode(mu as tf.Tensor2D).dataSync() as Float32Array, i * px);
    });
    bar?.update(i + m);
  }
  bar?.finish();
  return { means, logvars, decoded, n, z };
}

export interface EncodeOptions {
  decode?: boolean;
  batch?: number;
  quiet?: boolean;
}

/** `disentangle encode`: read the images, encode them with the run at its checkpoint, write the codes. */
export async function encodeNpz(
  dir: string,
  data: string,
  out: string,
  o: EncodeOptions = {},
): Promise<{ n: number; z: number; arrays: string[] }> {
  const loaded = await loadRun(dir);
  try {
    const { run } = loaded;
    if (o.decode && run.framework.usesDecoder === false)
      throw new UserError(`${dir} has no decoder (framework ${run.framework.name}): drop --decode`);
    const model = `the model of ${dir} (${run.config.model.architecture}, dataset ${run.dataset.name})`;
    const { x, n } = readImages(data, run.dataset.obsShape, model);
    const codes = encodeBatches(run, x, n, o);
    const [h, w, c] = run.dataset.obsShape;
    const f32 = (data: Float32Array, shape: number[]): NdArray => ({ dtype: 'float32', shape, data });
    const arrays: Record<string, NdArray> = { means: f32(codes.means, [n, codes.z]) };
    if (codes.logvars) arrays.logvars = f32(codes.logvars, [n, codes.z]);
    if (codes.decoded) arrays.decoded = f32(codes.decoded, [n, h, w, c]);
    const bad = Object.entries(arrays).find(([, a]) => (a.data as Float32Array).some((v) => !Number.isFinite(v)));
    if (bad)
      throw new UserError(
        `the model of ${dir} makes non-finite ${bad[0]}: its weights have diverged; train it again with a lower --lr`,
      );
    writeNpz(out, arrays);
    return { n, z: codes.z, arrays: Object.keys(arrays) };
  } finally {
    loaded.dispose();
  }
}
