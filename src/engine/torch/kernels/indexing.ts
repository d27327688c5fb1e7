/** Indexing and creation kernels: GatherV2, GatherNd, UnsortedSegmentSum, OneHot, Fill, Range, Diag. */
import {
  Diag,
  Fill,
  GatherNd,
  GatherV2,
  OneHot,
  Range,
  UnsortedSegmentSum,
  backend_util,
  upcastType,
  util,
  type DataType,
  type DiagInputs,
  type FillAttrs,
  type GatherNdInputs,
  type GatherV2Attrs,
  type GatherV2Inputs,
  type KernelConfig,
  type OneHotAttrs,
  type OneHotInputs,
  type RangeAttrs,
  type Tensor,
  type UnsortedSegmentSumAttrs,
  type UnsortedSegmentSumInputs,
} from '@tensorflow/tfjs-core';
import { dtCode } from '../backend.js';
import { DT } from '../op-tables.js';
import { kernel, size, type NoInputs } from './kernel.js';

export const indexingKernels: KernelConfig[] = [
  kernel<GatherV2Inputs, GatherV2Attrs>(GatherV2, ({ x, indices }, b, a) => {
    const axis = util.parseAxisParam(a.axis, x.shape)[0];
    const batchDims = (a.batchDims as number | undefined) ?? 0;
    if (batchDims !== 0)
      throw new Error(`torch backend: GatherV2 with batchDims=${batchDims} is not supported (batchDims 0 is)`);
    // segment_util reads only the shapes of what it calls tensors
    const info = backend_util.segment_util.collectGatherOpShapeInfo(x as Tensor, indices as Tensor, axis, batchDims);
    const shape3 = [info.outerSize, info.dimSize, info.sliceSize];
    return b.output(b.native.gather(b.slot(x), shape3, b.slot(indices), dtCode(x.dtype)), info.outputShape, x.dtype);
  }),

  kernel<GatherNdInputs>(GatherNd, ({ params, indices }, b) => {
    const [resultShape, numSlices, sliceSize, strides] = backend_util.prepareAndValidate(
      params as Tensor,
      indices as Tensor,
    );
    // Index tuples -> row numbers of params viewed as [rows, sliceSize].
    const idx = b.readSync(indices.dataId) as Int32Array;
    const depth = indices.shape[indices.shape.length - 1];
    const flat = new Int32Array(numSlices);
    const rows = size(params.shape) / sliceSize;
    for (let i = 0; i < numSlices; i++) {
      let r = 0;
      for (let j = 0; j < depth; j++) r += idx[i * depth + j] * strides[j];
      if (r < 0 || r >= rows)
        throw new Error(
          `GatherNd: index ${Array.from(idx.subarray(i * depth, (i + 1) * depth))} is out of bounds of ${params.shape}`,
        );
      flat[i] = r;
    }
    const flatId = b.native.fromArray(flat, DT.I32);
    try {
      const slot = b.native.gatherNd(b.slot(params), [rows, sliceSize], flatId, dtCode(params.dtype));
      return b.output(slot, resultShape, params.dtype);
    } finally {
      b.native.free(flatId);
    }
  }),

  kernel<UnsortedSegmentSumInputs, UnsortedSegmentSumAttrs>(UnsortedSegmentSum, ({ x, segmentIds }, b, a) => {
    const k = a.numSegments;
    const lead = size(segmentIds.shape);
    const inner = size(x.shape) / Math.max(lead, 1);
    const shape = [k, ...x.shape.slice(segmentIds.shape.length)];
    const dtype = upcastType(x.dtype, 'int32');
    const slot = b.native.unsortedSegmentSum(b.slot(x), [lead, inner], b.slot(segmentIds), k, dtCode(dtype));
    return b.output(slot, shape, dtype);
  }),

  kernel<OneHotInputs, OneHotAttrs>(OneHot, ({ indices }, b, a) => {
    const dtype = (a.dtype as DataType | undefined) ?? 'int32';
    const slot = b.native.oneHot(b.slot(indices), a.depth, a.onValue, a.offValue, dtCode(dtype));
    return b.output(slot, [...indices.shape, a.depth], dtype);
  }),

  kernel<NoInputs, FillAttrs>(Fill, (_inputs, b, a) => {
    const value = a.value as number;
    const dtype = (a.dtype as DataType | undefined) ?? (Number.isInteger(value) ? 'int32' : 'float32');
    return b.output(b.native.fill(size(a.shape), value, dtCode(dtype)), a.shape, dtype);
  }),

  kernel<NoInputs, RangeAttrs>(Range, (_inputs, b, { start, stop, step, dtype = 'float32' }) => {
    const n = Math.max(Math.ceil((stop - start) / step), 0);
    return b.output(b.native.range(start, step, n, dtCode(dtype)), [n], dtype);
  }),

  kernel<DiagInputs>(Diag, ({ x }, b) =>
    b.output(b.native.diag(b.slot(x), dtCode(x.dtype)), [...x.shape, ...x.shape], x.dtype),
  ),
];
