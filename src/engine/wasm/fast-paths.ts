/**
 * Faster versions of kernels tfjs-backend-wasm ships (matrix products with transposed operands, GatherV2 of
 * rows, Sum over leading axes) and UnsortedSegmentSum (gather's gradient), which it lacks. The wrappers fall back to the shipped
 * kernel outside their fast case.
 */
import {
  Transpose,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type GatherV2Attrs,
  type GatherV2Inputs,
  type SumAttrs,
  type SumInputs,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
  type TransposeAttrs,
  type UnsortedSegmentSumAttrs,
  type UnsortedSegmentSumInputs,
} from '@tensorflow/tfjs-core';
import { sumLeading, transpose } from './layout.js';
import { KernelScope, wasmKernel } from './scope.js';

/**
 * BatchMatMul with transposed operands: wasm's kernel is ~20× slower with transposeA/B than an explicit
 * 3-D transpose followed by the plain product (dense-layer gradients use both forms). Also wraps
 * _FusedMatMul, whose extra inputs (bias, PReLU weights) and attributes pass through unchanged.
 */
export function transposingMatMul(original: KernelFunc): KernelFunc {
  return wasmKernel<BatchMatMulInputs, BatchMatMulAttrs>((inputs, backend, attrs) => {
    const call = (i: NamedTensorInfoMap, a: BatchMatMulAttrs) =>
      original({ inputs: i, backend, attrs: a as unknown as NamedAttrMap }) as TensorInfo;
    if (!attrs.transposeA && !attrs.transposeB) return call(inputs, attrs);
    const s = new KernelScope(backend);
    const flip = (t: TensorInfo) => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return r <= 4 && t.dtype === 'float32'
        ? s.keep(transpose(backend, t, perm))
        : s.run(Transpose, { x: t }, { perm } satisfies TransposeAttrs);
    };
    const a = attrs.transposeA ? flip(inputs.a) : inputs.a;
    const b = attrs.transposeB ? flip(inputs.b) : inputs.b;
    const out = call({ ...inputs, a, b }, { ...attrs, transposeA: false, transposeB: false });
    s.finish(out);
    return out;
  });
}

/** GatherV2 along axis 0 as row copies: the shipped kernel is ~20× slower on large rows (images). */
export function rowGather(original: KernelFunc): KernelFunc {
  return wasmKernel<GatherV2Inputs, GatherV2Attrs>((inputs, b, attrs) => {
    const { x, indices } = inputs;
    const axis = Number(attrs.axis ?? 0);
    if (
      (axis !== 0 && axis !== -x.shape.length) ||
      Number(attrs.batchDims ?? 0) !== 0 ||
      x.shape.length < 2 ||
      x.dtype === 'string'
    ) {
      return original({ inputs, backend: b, attrs: attrs as unknown as NamedAttrMap }) as TensorInfo;
    }
    const idx = b.readSync(indices.dataId);
    const rows = x.shape[0];
    const row = x.shape.slice(1).reduce((p, q) => p * q, 1);
    const out = b.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const o = b.typedArrayFromHeap(out);
    const src = b.typedArrayFromHeap(x);
    for (let k = 0; k < idx.length; k++) {
      const r = idx[k];
      if (!(r >= 0 && r < rows)) throw new Error(`GatherV2: index ${r} is not in [0, ${rows - 1}]`);
      o.set(src.subarray(r * row, (r + 1) * row), k * row);
    }
    return out;
  });
}

export const unsortedSegmentSum = wasmKernel<UnsortedSegmentSumInputs, UnsortedSegmentSumAttrs>(
  ({ x, segmentIds }, b, { numSegments }) => {
    const xs = b.readSync(x.dataId);
    const ids = b.readSync(segmentIds.dataId);
    const inner = x.shape.slice(segmentIds.shape.length).reduce((p, q) => p * q, 1);
    const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
    const out = b.makeOutput(outShape, x.dtype);
    const o = b.typedArrayFromHeap(out);
    o.fill(0);
    for (let i = 0; i < ids.length; i++) {
      const seg = ids[i];
      if (seg < 0 || seg >= numSegments) continue;
      const src = i * inner,
        dst = seg * inner;
      for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j];
    }
    return out;
  },
);

/**
 * Sum over leading axes (a bias gradient sums [N, H, W, C] over N, H, W; a loss sums everything) as one pass
 * with float64 accumulators: the shipped kernel first transposes the reduced axes innermost.
 */
export function leadingSum(original: KernelFunc): KernelFunc {
  return wasmKernel<SumInputs, SumAttrs>((inputs, b, attrs) => {
    const { x } = inputs;
    const rank = x.shape.length;
    const given = Array.isArray(attrs.axis) ? attrs.axis : [attrs.axis];
    const axes = [...new Set(given.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32' || rank === 0) {
      return original({ inputs, backend: b, attrs: attrs as unknown as NamedAttrMap }) as TensorInfo;
    }
    const lead = axes.length;
    const kept = x.shape.slice(lead);
    const outShape = attrs.keepDims ? [...new Array<number>(lead).fill(1), ...kept] : kept;
    return sumLeading(b, x, lead, outShape);
  });
}
