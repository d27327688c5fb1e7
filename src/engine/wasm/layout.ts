/**
 * Data movement for the wasm training kernels, as plain loops over the wasm heap. tfjs-backend-wasm's own
 * Transpose, StridedSlice and Reverse move one element at a time through generic index arithmetic: a
 * [64, 32, 32, 32] transpose that moves the channel axis costs ≈ 18 ms there and ≈ 5 ms here, and slicing a
 * 4×4 filter ≈ 4 ms there against microseconds here.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './scope.js';

/** Row-major strides of `shape`. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * out = transpose(x, perm) for float32 tensors of rank ≤ 4 (lower ranks are padded with leading unit axes).
 * The innermost output axis is walked in the inner loop; when it is also x's innermost axis, rows are copied
 * whole.
 */
export function transpose(b: WasmBackend, x: TensorInfo, perm: readonly number[]): TensorInfo {
  if (x.shape.length > 4 || x.dtype !== 'float32') throw new Error('wasm layout transpose: float32, rank ≤ 4 only');
  const outShape = perm.map((p) => x.shape[p]);
  const out = b.makeOutput(outShape, 'float32');
  const src = b.typedArrayFromHeap(x) as Float32Array;
  const dst = b.typedArrayFromHeap(out) as Float32Array;
  transposeArrays(src, x.shape, perm, dst);
  return out;
}

/**
 * The loops of `transpose`, on typed arrays (exported for tests). When x's innermost axis stays innermost,
 * rows are copied; otherwise the loop over x's innermost axis runs innermost (contiguous reads) inside the
 * loop over the output's innermost axis (contiguous writes), so both sides stay in cache.
 */
export function transposeArrays(
  src: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
  dst: Float32Array,
): void {
  const pad = 4 - shape.length;
  const sh = [...new Array<number>(pad).fill(1), ...shape];
  const pm = [...Array.from({ length: pad }, (_, i) => i), ...perm.map((p) => p + pad)];
  const st = strides(sh);
  const dims = pm.map((p) => sh[p]);
  const srcStride = pm.map((p) => st[p]);
  const dstStride = strides(dims);
  // output axis that walks x's innermost axis
  const a = pm.indexOf(3);
  const order = a === 3 ? [0, 1, 2, 3] : [...[0, 1, 2].filter((j) => j !== a), 3, a];
  const [n0, n1, n2, n3] = order.map((j) => dims[j]);
  const [s0, s1, s2, s3] = order.map((j) => srcStride[j]);
  const [t0, t1, t2, t3] = order.map((j) => dstStride[j]);
  for (let i0 = 0; i0 < n0; i0++)
    for (let i1 = 0; i1 < n1; i1++)
      for (let i2 = 0; i2 < n2; i2++) {
        let k = i0 * s0 + i1 * s1 + i2 * s2;
        let o = i0 * t0 + i1 * t1 + i2 * t2;
        for (let i3 = 0; i3 < n3; i3++, k += s3, o += t3) dst[o] = src[k];
      }
}

/**
 * The stride-1 sub-filter of one phase of a strided transposed convolution (see conv-grads.ts): taps
 * ry, ry + sh, … by rx, rx + sw, …, in/out channels swapped and flipped in space.
 * filter: [kh, kw, inC, outC] → [my, mx, outC, inC], with
 * sub[a, b, o, c] = filter[ry + (my − 1 − a)·sh, rx + (mx − 1 − b)·sw, c, o].
 */
export function phaseFilter(
  b: WasmBackend,
  filter: TensorInfo,
  ry: number,
  rx: number,
  sh: number,
  sw: number,
): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const my = Math.ceil((kh - ry) / sh),
    mx = Math.ceil((kw - rx) / sw);
  const out = b.makeOutput([my, mx, co, ci], 'float32');
  const src = b.typedArrayFromHeap(filter) as Float32Array;
  const dst = b.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let a = 0; a < my; a++) {
    const ky = ry + (my - 1 - a) * sh;
    for (let bb = 0; bb < mx; bb++) {
      const kx = rx + (mx - 1 - bb) * sw;
      const base = (ky * kw + kx) * ci * co;
      for (let oc = 0; oc < co; oc++) for (let c = 0; c < ci; c++) dst[o++] = src[base + c * co + oc];
    }
  }
  return out;
}

/**
 * Sum over the leading `lead` axes of x (the bias gradients: [N, H, W, C] → [C]), accumulated in float64.
 * tfjs-backend-wasm transposes the reduced axes innermost first, which costs more than the sum itself.
 */
export function sumLeading(b: WasmBackend, x: TensorInfo, lead: number, outShape: number[]): TensorInfo {
  const cols = x.shape.slice(lead).reduce((p, q) => p * q, 1);
  const rows = x.shape.slice(0, lead).reduce((p, q) => p * q, 1);
  const src = b.typedArrayFromHeap(x) as Float32Array;
  const out = b.makeOutput(outShape, 'float32');
  const dst = b.typedArrayFromHeap(out) as Float32Array;
  if (cols === 1) {
    let acc = 0;
    for (let r = 0; r < rows; r++) acc += src[r];
    dst[0] = acc;
    return out;
  }
  const acc = new Float64Array(cols);
  if (cols % 4 === 0) {
    for (let r = 0, k = 0; r < rows; r++)
      for (let c = 0; c < cols; c += 4, k += 4) {
        acc[c] += src[k];
        acc[c + 1] += src[k + 1];
        acc[c + 2] += src[k + 2];
        acc[c + 3] += src[k + 3];
      }
  } else {
    for (let r = 0, k = 0; r < rows; r++) for (let c = 0; c < cols; c++) acc[c] += src[k++];
  }
  for (let c = 0; c < cols; c++) dst[c] = acc[c];
  return out;
}
