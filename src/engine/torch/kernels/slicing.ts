/** Slicing and joining kernels: Slice, StridedSlice, Concat, Pack, Unpack, SplitV. */
import {
  Concat,
  Pack,
  Slice,
  SplitV,
  StridedSlice,
  Unpack,
  backend_util,
  slice_util,
  upcastType,
  util,
  type ConcatAttrs,
  type ConcatInputs,
  type KernelConfig,
  type PackAttrs,
  type PackInputs,
  type SliceAttrs,
  type SliceInputs,
  type SplitVAttrs,
  type SplitVInputs,
  type StridedSliceAttrs,
  type StridedSliceInputs,
  type Tensor,
  type TensorInfo,
  type UnpackAttrs,
  type UnpackInputs,
} from '@tensorflow/tfjs-core';
import { dtCode, type TorchBackend } from '../backend.js';
import { kernel, size } from './kernel.js';

/** The block of `x` that starts at `begin` and has shape `sizes`, dropped to `outShape` (default `sizes`). */
function block(b: TorchBackend, x: TensorInfo, begin: number[], sizes: number[], outShape = sizes): TensorInfo {
  const end = begin.map((v, i) => v + sizes[i]);
  const strides = begin.map(() => 1);
  return b.output(b.native.stridedSlice(b.slot(x), x.shape, begin, end, strides, dtCode(x.dtype)), outShape, x.dtype);
}

export const slicingKernels: KernelConfig[] = [
  kernel<SliceInputs, SliceAttrs>(Slice, ({ x }, b, a) => {
    // slice_util reads only the shape of what it calls a tensor
    const [begin, sizes] = slice_util.parseSliceParams(x as Tensor, a.begin, a.size);
    slice_util.assertParamsValid(x as Tensor, begin, sizes);
    if (sizes.every((s, i) => s === x.shape[i])) return b.share(x, x.shape);
    return block(b, x, begin, sizes);
  }),

  kernel<StridedSliceInputs, StridedSliceAttrs>(StridedSlice, ({ x }, b, a) => {
    const info = slice_util.sliceInfo(
      x.shape,
      a.begin,
      a.end,
      a.strides,
      a.beginMask,
      a.endMask,
      a.ellipsisMask,
      a.newAxisMask,
      a.shrinkAxisMask,
    );
    if (info.isIdentity) return b.share(x, info.finalShape);
    if (info.finalShapeSparse.some((d) => d === 0))
      return b.output(b.native.fill(0, 0, dtCode(x.dtype)), info.finalShape, x.dtype);
    const slot = b.native.stridedSlice(b.slot(x), x.shape, info.begin, info.end, info.strides, dtCode(x.dtype));
    return b.output(slot, info.finalShape, x.dtype);
  }),

  kernel<ConcatInputs, ConcatAttrs>(Concat, (inputs, b, a) => {
    const list = Object.values(inputs);
    const axis = util.parseAxisParam(a.axis, list[0].shape)[0];
    const shape = backend_util.computeOutShape(
      list.map((t) => t.shape),
      axis,
    );
    const dtype = list.map((t) => t.dtype).reduce((p, c) => upcastType(p, c));
    const nonEmpty = list.filter((t) => size(t.shape) > 0);
    if (nonEmpty.length === 0) return b.output(b.native.fill(0, 0, dtCode(dtype)), shape, dtype);
    if (nonEmpty.length === 1 && nonEmpty[0].dtype === dtype) return b.share(nonEmpty[0], shape);
    const slots = nonEmpty.map((t) => b.slot(t));
    const shapes = nonEmpty.map((t) => t.shape);
    return b.output(b.native.concat(slots, shapes, axis, dtCode(dtype)), shape, dtype);
  }),

  kernel<PackInputs, PackAttrs>(Pack, (inputs, b, a) => {
    const list = Object.values(inputs);
    const rank = list[0].shape.length;
    const axis = a.axis < 0 ? a.axis + rank + 1 : a.axis;
    const expanded = list.map((t) => {
      const s = [...t.shape];
      s.splice(axis, 0, 1);
      return s;
    });
    const shape = [...expanded[0]];
    shape[axis] = list.length;
    const dtype = list[0].dtype;
    const slots = list.map((t) => b.slot(t));
    return b.output(b.native.concat(slots, expanded, axis, dtCode(dtype)), shape, dtype);
  }),

  kernel<UnpackInputs, UnpackAttrs>(Unpack, ({ value }, b, a) => {
    const axis = util.parseAxisParam(a.axis, value.shape)[0];
    const outShape = value.shape.filter((_, i) => i !== axis);
    const sizes = value.shape.map((s, i) => (i === axis ? 1 : s));
    const outs: TensorInfo[] = [];
    for (let i = 0; i < value.shape[axis]; i++) {
      const begin = value.shape.map((_, d) => (d === axis ? i : 0));
      outs.push(block(b, value, begin, sizes, outShape));
    }
    return outs;
  }),

  kernel<SplitVInputs, SplitVAttrs>(SplitV, ({ x }, b, a) => {
    const axis = util.parseAxisParam(a.axis, x.shape)[0];
    const splits = backend_util.prepareSplitSize(x as Tensor, a.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return splits.map((s) => {
      const sizes = [...x.shape];
      sizes[axis] = s;
      const out = block(b, x, [...begin], sizes);
      begin[axis] += s;
      return out;
    });
  }),
];
