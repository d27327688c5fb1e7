/** Reductions over axes, Softmax/LogSoftmax and Cumsum. */
import {
  All,
  Any,
  ArgMax,
  ArgMin,
  Cumsum,
  LogSoftmax,
  Max,
  Mean,
  Min,
  Prod,
  Softmax,
  Sum,
  backend_util,
  upcastType,
  util,
  type AllAttrs,
  type AllInputs,
  type AnyAttrs,
  type AnyInputs,
  type ArgMaxAttrs,
  type ArgMaxInputs,
  type ArgMinAttrs,
  type ArgMinInputs,
  type CumsumAttrs,
  type CumsumInputs,
  type DataType,
  type KernelConfig,
  type LogSoftmaxAttrs,
  type LogSoftmaxInputs,
  type MaxAttrs,
  type MaxInputs,
  type MeanAttrs,
  type MeanInputs,
  type MinAttrs,
  type MinInputs,
  type ProdAttrs,
  type ProdInputs,
  type SoftmaxAttrs,
  type SoftmaxInputs,
  type SumAttrs,
  type SumInputs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { dtCode, type TorchBackend } from '../backend.js';
import { DT, Reduce } from '../op-tables.js';
import { kernel } from './kernel.js';

/** Sum/Prod of ints and bools give int32 (tfjs's rule). */
const intUp = (x: TensorInfo): DataType => upcastType(x.dtype, 'int32');

function reduce(
  op: Reduce,
  x: TensorInfo,
  axis: number | number[],
  keepDims: boolean,
  dtype: DataType,
  b: TorchBackend,
): TensorInfo {
  const axes = util.parseAxisParam(axis, x.shape);
  let [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  if (keepDims) outShape = backend_util.expandShapeToKeepDim(outShape, axes);
  return b.output(b.native.reduce(op, b.slot(x), x.shape, axes, dtCode(dtype)), outShape, dtype);
}

/** Index of the max/min along one axis, which is dropped. */
function argReduce(op: Reduce.ArgMax | Reduce.ArgMin, x: TensorInfo, axisAttr: number, b: TorchBackend): TensorInfo {
  const axis = util.parseAxisParam(axisAttr, x.shape)[0];
  const outShape = x.shape.filter((_, i) => i !== axis);
  return b.output(b.native.reduce(op, b.slot(x), x.shape, [axis], DT.I32), outShape, 'int32');
}

export const reductionKernels: KernelConfig[] = [
  kernel<SumInputs, SumAttrs>(Sum, ({ x }, b, a) => reduce(Reduce.Sum, x, a.axis, a.keepDims, intUp(x), b)),
  kernel<ProdInputs, ProdAttrs>(Prod, ({ x }, b, a) => reduce(Reduce.Prod, x, a.axis, a.keepDims, intUp(x), b)),
  kernel<MeanInputs, MeanAttrs>(Mean, ({ x }, b, a) => reduce(Reduce.Mean, x, a.axis, a.keepDims, 'float32', b)),
  kernel<MaxInputs, MaxAttrs>(Max, ({ x }, b, a) => reduce(Reduce.Max, x, a.reductionIndices, a.keepDims, x.dtype, b)),
  kernel<MinInputs, MinAttrs>(Min, ({ x }, b, a) => reduce(Reduce.Min, x, a.axis, a.keepDims, x.dtype, b)),
  kernel<AllInputs, AllAttrs>(All, ({ x }, b, a) => reduce(Reduce.All, x, a.axis, a.keepDims, 'bool', b)),
  kernel<AnyInputs, AnyAttrs>(Any, ({ x }, b, a) => reduce(Reduce.Any, x, a.axis, a.keepDims, 'bool', b)),
  kernel<ArgMaxInputs, ArgMaxAttrs>(ArgMax, ({ x }, b, { axis }) => argReduce(Reduce.ArgMax, x, axis, b)),
  kernel<ArgMinInputs, ArgMinAttrs>(ArgMin, ({ x }, b, { axis }) => argReduce(Reduce.ArgMin, x, axis, b)),

  kernel<SoftmaxInputs, SoftmaxAttrs>(Softmax, ({ logits }, b, a) => {
    const dim = util.parseAxisParam(a.dim, logits.shape)[0];
    return b.output(b.native.softmax(b.slot(logits), logits.shape, dim, false), logits.shape, 'float32');
  }),
  kernel<LogSoftmaxInputs, LogSoftmaxAttrs>(LogSoftmax, ({ logits }, b, a) => {
    const dim = util.parseAxisParam(a.axis, logits.shape)[0];
    return b.output(b.native.softmax(b.slot(logits), logits.shape, dim, true), logits.shape, 'float32');
  }),
  kernel<CumsumInputs, CumsumAttrs>(Cumsum, ({ x }, b, a) => {
    const axis = util.parseAxisParam(a.axis, x.shape)[0];
    const dtype = upcastType(x.dtype, 'int32');
    const slot = b.native.cumsum(b.slot(x), x.shape, axis, Boolean(a.exclusive), Boolean(a.reverse), dtCode(dtype));
    return b.output(slot, x.shape, dtype);
  }),
];
