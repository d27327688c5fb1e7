/**
 * Our model's variables as a PyTorch state dict, key by key, in the module names of disent's
 * `AutoEncoder(EncoderConv64(z_multiplier=2), DecoderConv64)` (disent/model/ae/_vae_conv64.py):
 *
 *   _encoder.model = Sequential(Conv2d(C,32,4,2,2), ReLU, Conv2d(32,32,4,2,2), ReLU, Conv2d(32,64,4,2,2), ReLU,
 *                               Conv2d(64,64,4,2,2), ReLU, Flatten, Linear(1600,256), ReLU, Linear(256,2z))
 *   _decoder.model = Sequential(Linear(z,256), ReLU, Linear(256,1024), ReLU, Unflatten(1,(64,4,4)),
 *                               ConvTranspose2d(64,64,4,2,1), ReLU, ConvTranspose2d(64,32,4,2,1), ReLU,
 *                               ConvTranspose2d(32,32,4,2,1), ReLU, ConvTranspose2d(32,C,4,2,1))
 *
 * Layouts (ours → PyTorch's): a conv kernel kH×kW×I×O → O×I×kH×kW; a transposed conv's kH×kW×O×I → I×O×kH×kW
 * (the same axis order); a dense in×out → out×in. PyTorch flattens N×C×H×W channel first and we flatten N×H×W×C
 * channel last, so the encoder's first Linear has its input columns permuted (h, w, c) → (c, h, w), and the
 * decoder's second Linear (unflattened to 64×4×4) its output rows and bias likewise. Only `conv64-disent` has
 * disent's layout (its convs pad 2: 64 → 33 → 17 → 9 → 5); other architectures are refused by name.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { EncoderDecoder } from '../nn/index.js';
import { UserError } from '../util/errors.js';

/** One state-dict entry: a variable of ours, viewed with shape `view`, whose axes `perm` reorders to PyTorch's. */
export interface TorchEntry {
  key: string;
  variable: tf.Variable;
  /** Our variable's values, seen with this shape (same element count, e.g. [1600, 256] as [5, 5, 64, 256]). */
  view: number[];
  /** PyTorch's tensor is `view` with its axes permuted (shape view[perm[i]]), then reshaped to `torchShape`. */
  perm: number[];
  /** The shape PyTorch's tensor has. */
  torchShape: number[];
}

/** The architectures with a PyTorch layout here. */
export const torchArchitectures = ['conv64-disent'] as const;

/** `data` (row-major, shape `shape`) with its axes reordered: out shape[i] = shape[perm[i]]. */
export function permuteAxes(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  // stride in the input of each output axis
  const strides = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src];
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      src += strides[a];
      if (idx[a] < outShape[a]) break;
      src -= strides[a] * outShape[a];
      idx[a] = 0;
    }
  }
  return out;
}

export function inversePerm(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** A run's model as disent's state-dict entries, in disent's key order (encoder, then decoder). */
export function torchLayout(model: EncoderDecoder): TorchEntry[] {
  const arch = model.spec.architecture;
  if (arch !== 'conv64-disent')
    throw new UserError(
      `model.architecture '${arch}' has no PyTorch layout here: export and import support ` +
        `${torchArchitectures.join(', ')} (disent's EncoderConv64/DecoderConv64); train with --set model.architecture=conv64-disent`,
    );
  const [h, w] = model.spec.obsShape;
  const pad2 = (n: number) => [0, 1, 2, 3].reduce((m) => Math.floor(m / 2) + 1, n);
  const [eh, ew] = [pad2(h), pad2(w)];
  const [dh, dw] = [h / 16, w / 16];
  const entries: TorchEntry[] = [];
  // `reshaped`: the flattened shape PyTorch keeps (default: the permuted view itself)
  const add = (key: string, variable: tf.Variable, view: number[], perm: number[], reshaped?: number[]) =>
    entries.push({ key, variable, view, perm, torchShape: reshaped ?? perm.map((p) => view[p]) });
  const conv = (prefix: string, k: tf.Variable, b: tf.Variable) => {
    add(`${prefix}.weight`, k, k.shape, [3, 2, 0, 1]);
    add(`${prefix}.bias`, b, b.shape, [0]);
  };
  const linear = (prefix: string, k: tf.Variable, b: tf.Variable) => {
    add(`${prefix}.weight`, k, k.shape, [1, 0]);
    add(`${prefix}.bias`, b, b.shape, [0]);
  };
  const e = model.encoderVariables;
  [0, 2, 4, 6].forEach((m, i) => conv(`_encoder.model.${m}`, e[2 * i], e[2 * i + 1]));
  // Flatten of N×64×eh×ew: the kernel's rows (h, w, c) become columns (c, h, w)
  add('_encoder.model.9.weight', e[8], [eh, ew, 64, e[8].shape[1]!], [3, 2, 0, 1], [e[8].shape[1]!, eh * ew * 64]);
  add('_encoder.model.9.bias', e[9], e[9].shape, [0]);
  linear('_encoder.model.11', e[10], e[11]);
  const d = model.decoderVariables;
  if (!d.length) return entries;
  linear('_decoder.model.0', d[0], d[1]);
  // Unflatten to N×64×dh×dw: the kernel's columns and the bias (h, w, c) become rows (c, h, w)
  add('_decoder.model.2.weight', d[2], [d[2].shape[0]!, dh, dw, 64], [3, 1, 2, 0], [dh * dw * 64, d[2].shape[0]!]);
  add('_decoder.model.2.bias', d[3], [dh, dw, 64], [2, 0, 1], [dh * dw * 64]);
  [5, 7, 9, 11].forEach((m, i) => conv(`_decoder.model.${m}`, d[4 + 2 * i], d[5 + 2 * i]));
  return entries;
}

/** The model's weights as PyTorch tensors (key, shape, row-major values). */
export function exportTorchTensors(
  model: EncoderDecoder,
): Array<{ name: string; shape: number[]; data: Float32Array }> {
  return torchLayout(model).map((t) => ({
    name: t.key,
    shape: t.torchShape,
    data: permuteAxes(t.variable.dataSync() as Float32Array, t.view, t.perm),
  }));
}

/** PyTorch's row-major values of an entry, in our variable's layout. */
export function fromTorch(entry: TorchEntry, data: Float32Array): Float32Array {
  return permuteAxes(
    data,
    entry.perm.map((p) => entry.view[p]),
    inversePerm(entry.perm),
  );
}
