/**
 * Linear filters of the augmented loss (Michlo et al.): a kernel is a sum of separable terms
 * k = Σ_l c_l·(t_l ⊗ t_l), each applied as two 1-D passes (rows, then columns), channel-wise, as a
 * zero-padded 'same' correlation: out[i] = Σ_m t[m]·x[i + m − r] (r = (len − 1)/2), the border convention
 * of disent's box blur. Never a dense 63×63 convolution. Two implementations of the same filter: tensors
 * (training, `analyze`) and plain typed arrays (the loss-design search, which filters thousands of images).
 */
import * as tf from '@tensorflow/tfjs-core';

/** One separable term c·(t ⊗ t): 1-D taps of odd length 2r+1 along both axes, times a coefficient. */
export interface SeparableTerm {
  coef: number;
  taps: Float64Array;
}

/** A linear filter as a sum of separable terms (one for a blur, two for a difference of Gaussians, …). */
export interface LinearKernel {
  terms: SeparableTerm[];
}

export type BlurKind = 'box' | 'gauss';

/** 1-D box taps of radius r: 2r+1 taps of 1/(2r+1). */
export function boxTaps(r: number): Float64Array {
  return new Float64Array(2 * r + 1).fill(1 / (2 * r + 1));
}

/** 1-D Gaussian taps, σ = r/4, truncated at 4σ (= r), normalised to sum 1. */
export function gaussianTaps(r: number): Float64Array {
  const sigma = Math.max(r / 4, 1e-6);
  const taps = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    taps[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
    s += taps[i + r];
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= s;
  return taps;
}

/**
 * The 1-D zero-padded filter along an axis of length n as an n×n banded matrix B (B[j, i] = taps[j − i + r]),
 * so that filtering rows is one matrix product. For 64-pixel images this is cheaper than a 63-tap
 * convolution and has exact, well-supported gradients (tfjs's Cumsum gradient breaks on inner axes).
 */
function bandMatrix(n: number, taps: ArrayLike<number>): tf.Tensor2D {
  const r = (taps.length - 1) / 2;
  const m = new Float32Array(n * n);
  for (let j = 0; j < n; j++)
    for (let i = Math.max(0, j - r); i <= Math.min(n - 1, j + r); i++) m[j * n + i] = taps[j - i + r];
  return tf.tensor2d(m, [n, n]);
}

/** Separable filter of NHWC images with band matrices for W and H (rows, then columns). */
export function separableBands(x: tf.Tensor4D, bw: tf.Tensor2D, bh: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const t = tf.transpose(x, [0, 3, 1, 2]); // [N, C, H, W]
  const rows = tf.matMul(tf.reshape(t, [n * c * h, w]), bw); // along W
  const tt = tf.transpose(tf.reshape(rows, [n * c, h, w]), [0, 2, 1]); // [N·C, W, H]
  const cols = tf.matMul(tf.reshape(tt, [n * c * w, h]), bh); // along H
  return tf.transpose(tf.reshape(cols, [n, c, w, h]), [0, 3, 2, 1]) as tf.Tensor4D; // → [N, H, W, C]
}

/** Filter each channel of NHWC images with a kernel (tensors; no gradient into the kernel). */
export function applyKernel(x: tf.Tensor4D, kernel: LinearKernel): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.tidy(() => {
    let out: tf.Tensor4D | null = null;
    for (const { coef, taps } of kernel.terms) {
      if (taps.length === 1 && coef * taps[0] * taps[0] === 1) {
        out = out ? (tf.add(out, x) as tf.Tensor4D) : x; // the identity, e.g. box0
        continue;
      }
      const y = separableBands(x, bandMatrix(w, taps), bandMatrix(h, taps));
      const term = coef === 1 ? y : (tf.mul(y, coef) as tf.Tensor4D);
      out = out ? (tf.add(out, term) as tf.Tensor4D) : term;
    }
    return out ?? (tf.zerosLike(x) as tf.Tensor4D);
  });
}

/** Blur each channel of NHWC images with a (2r+1)² box or Gaussian kernel summing to 1, zero padding, same size. */
export function blur(x: tf.Tensor4D, kind: BlurKind, r: number): tf.Tensor4D {
  if (r === 0) return x;
  return applyKernel(x, { terms: [{ coef: 1, taps: kind === 'box' ? boxTaps(r) : gaussianTaps(r) }] });
}

/** The dense 2-D kernel Σ c·t tᵀ, (2R+1)² row-major, R the largest radius (for tests and pictures). */
export function denseKernel(kernel: LinearKernel): { radius: number; weights: Float64Array } {
  const R = Math.max(0, ...kernel.terms.map((t) => (t.taps.length - 1) / 2));
  const n = 2 * R + 1;
  const weights = new Float64Array(n * n);
  for (const { coef, taps } of kernel.terms) {
    const r = (taps.length - 1) / 2;
    for (let a = 0; a < taps.length; a++)
      for (let b = 0; b < taps.length; b++) weights[(a - r + R) * n + (b - r + R)] += coef * taps[a] * taps[b];
  }
  return { radius: R, weights };
}

/** Equal taps (a box): filtered by running sums, whatever the radius. */
function isBox(taps: Float64Array): boolean {
  for (let i = 1; i < taps.length; i++) if (taps[i] !== taps[0]) return false;
  return taps.length > 3;
}

/** `dst` (at dstOffset) += coef·box(src) with running sums; `tmp` scratch as filterImage's, `sums` ≥ max(h, w) + 1. */
function boxInto(
  src: Float32Array,
  srcOffset: number,
  h: number,
  w: number,
  c: number,
  r: number,
  tap: number,
  coef: number,
  dst: Float32Array,
  dstOffset: number,
  tmp: Float32Array,
  sums: Float64Array,
): void {
  const rs = w * c;
  for (let y = 0; y < h; y++)
    for (let ch = 0; ch < c; ch++) {
      const row = srcOffset + y * rs + ch;
      for (let j = 0; j < w; j++) sums[j + 1] = sums[j] + src[row + j * c];
      const out = y * rs + ch;
      for (let i = 0; i < w; i++) tmp[out + i * c] = tap * (sums[Math.min(w, i + r + 1)] - sums[Math.max(0, i - r)]);
    }
  const f = coef * tap;
  for (let k = 0; k < rs; k++) {
    for (let j = 0; j < h; j++) sums[j + 1] = sums[j] + tmp[j * rs + k];
    for (let i = 0; i < h; i++)
      dst[dstOffset + i * rs + k] += f * (sums[Math.min(h, i + r + 1)] - sums[Math.max(0, i - r)]);
  }
}

/**
 * Filter one HWC image (typed arrays) into `dst` (overwritten): the same filter as `applyKernel`. Box terms
 * use running sums; other terms scatter each non-zero input pixel in the row pass, and the column pass
 * touches only the span of each row that the row pass made non-zero: the datasets' images are mostly
 * background, so this skips most of the work. `tmp` is scratch of at least h·w·c floats.
 */
export function filterImage(
  src: Float32Array,
  srcOffset: number,
  h: number,
  w: number,
  c: number,
  kernel: LinearKernel,
  dst: Float32Array,
  dstOffset: number,
  tmp: Float32Array,
): void {
  const size = h * w * c;
  dst.fill(0, dstOffset, dstOffset + size);
  const rs = w * c;
  const spanLo = new Int32Array(h),
    spanHi = new Int32Array(h);
  for (const { coef, taps } of kernel.terms) {
    const r = (taps.length - 1) / 2;
    if (isBox(taps)) {
      boxInto(src, srcOffset, h, w, c, r, taps[0], coef, dst, dstOffset, tmp, new Float64Array(Math.max(h, w) + 1));
      continue;
    }
    tmp.fill(0, 0, size);
    // rows: input pixel (y, j) adds x·taps[j − i + r] to the outputs i ∈ [j − r, j + r]
    for (let y = 0; y < h; y++) {
      const row = srcOffset + y * rs;
      let first = w,
        last = -1;
      for (let j = 0; j < w; j++)
        for (let ch = 0; ch < c; ch++) {
          const v = src[row + j * c + ch];
          if (v === 0) continue;
          if (j < first) first = j;
          last = j;
          const lo = Math.max(0, j - r),
            hi = Math.min(w - 1, j + r);
          const base = y * rs + ch;
          for (let i = lo; i <= hi; i++) tmp[base + i * c] += v * taps[j - i + r];
        }
      spanLo[y] = last < 0 ? 0 : Math.max(0, first - r) * c;
      spanHi[y] = last < 0 ? 0 : (Math.min(w - 1, last + r) + 1) * c;
    }
    // columns: row j of the row pass adds coef·taps[j − i + r] times itself to the output rows i ∈ [j − r, j + r]
    for (let j = 0; j < h; j++) {
      const k0 = spanLo[j],
        k1 = spanHi[j];
      if (k1 <= k0) continue;
      const lo = Math.max(0, j - r),
        hi = Math.min(h - 1, j + r);
      const from = j * rs;
      for (let i = lo; i <= hi; i++) {
        const f = coef * taps[j - i + r];
        if (f === 0) continue;
        const to = dstOffset + i * rs;
        for (let k = k0; k < k1; k++) dst[to + k] += f * tmp[from + k];
      }
    }
  }
}
