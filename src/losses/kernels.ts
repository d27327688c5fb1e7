/**
 * Channel-wise blur kernels for the augmented loss (Michlo et al.): a zero-padded 'same' convolution,
 * done separably (two 1-D passes), never a dense 63×63 convolution.
 */
import * as tf from '@tensorflow/tfjs-core';

export type BlurKind = 'box' | 'gauss';

/**
 * The 1-D zero-padded blur along an axis of length n as an n×n banded matrix B (B[j, i] = taps[j − i + r]),
 * so that blurring rows is one matrix product. For 64-pixel images this is cheaper than a 63-tap
 * convolution and has exact, well-supported gradients (tfjs's Cumsum gradient breaks on inner axes).
 */
function bandMatrix(n: number, taps: Float32Array): tf.Tensor2D {
  const r = (taps.length - 1) / 2;
  const m = new Float32Array(n * n);
  for (let j = 0; j < n; j++)
    for (let i = Math.max(0, j - r); i <= Math.min(n - 1, j + r); i++) m[j * n + i] = taps[j - i + r];
  return tf.tensor2d(m, [n, n]);
}

/** Separable blur: rows then columns, each as a product with a banded matrix. */
function separable(x: tf.Tensor4D, taps: Float32Array): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const t = tf.transpose(x, [0, 3, 1, 2]); // [N, C, H, W]
  const rows = tf.matMul(tf.reshape(t, [n * c * h, w]), bandMatrix(w, taps)); // blur along W
  const tt = tf.transpose(tf.reshape(rows, [n * c, h, w]), [0, 2, 1]); // [N·C, W, H]
  const cols = tf.matMul(tf.reshape(tt, [n * c * w, h]), bandMatrix(h, taps)); // blur along H
  return tf.transpose(tf.reshape(cols, [n, c, w, h]), [0, 3, 2, 1]) as tf.Tensor4D; // → [N, H, W, C]
}

/** 1-D Gaussian taps, σ = r/4, truncated at 4σ (= r), normalised to sum 1. */
export function gaussianTaps(r: number): Float32Array {
  const sigma = Math.max(r / 4, 1e-6);
  const taps = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    taps[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
    s += taps[i + r];
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= s;
  return taps;
}

/** Blur each channel of NHWC images with a (2r+1)² kernel summing to 1, zero padding, same size. */
export function blur(x: tf.Tensor4D, kind: BlurKind, r: number): tf.Tensor4D {
  if (r === 0) return x;
  const taps = kind === 'box' ? new Float32Array(2 * r + 1).fill(1 / (2 * r + 1)) : gaussianTaps(r);
  return separable(x, taps);
}
