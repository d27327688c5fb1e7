/**
 * tfjs kernels of the `torch` backend. Each one works out tfjs's output shape and dtype in JS (tfjs is the
 * authority on shapes) and asks the addon for the data. Kernels the backend lacks are simply not registered:
 * tfjs then fails with "Kernel 'X' not registered for backend 'torch'", which names it — never a silent
 * fallback to slow code.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataType, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { TorchBackend, dtCode } from './backend.js';
import { ACTIVATIONS, BINARY, DT, Param, Reduce, UNARY } from './native.js';

const { backend_util, util, slice_util } = tf;

type Inputs = Record<string, TensorInfo>;
type KernelFn = (inputs: Inputs, backend: TorchBackend, attrs: NamedAttrMap) => TensorInfo | TensorInfo[];

const kernels: KernelConfig[] = [];
function kernel(name: string, fn: KernelFn): void {
  kernels.push({
    kernelName: name,
    backendName: 'torch',
    kernelFunc: ({ inputs, backend, attrs }) => fn(inputs as unknown as Inputs, backend as TorchBackend, attrs ?? {}),
  });
}

const size = (shape: number[]) => util.sizeFromShape(shape);

// ---------------------------------------------------------------- storage-sharing kernels

kernel('Identity', ({ x }, b) => b.share(x, x.shape));
kernel('Reshape', ({ x }, b, a) => b.share(x, util.inferFromImplicitShape([...(a.shape as number[])], size(x.shape))));
kernel('ExpandDims', ({ input }, b, a) => {
  const shape = [...input.shape];
  let dim = a.dim as number;
  if (dim < 0) dim += shape.length + 1;
  shape.splice(dim, 0, 1);
  return b.share(input, shape);
});
kernel('Squeeze', ({ x }, b, a) => b.share(x, util.squeezeShape(x.shape, a.axis as number[]).newShape));
kernel('Cast', ({ x }, b, a) => {
  const dtype = a.dtype as DataType;
  if (dtype === x.dtype) return b.share(x, x.shape);
  return b.output(b.native.copy(b.slot(x), dtCode(dtype)), x.shape, dtype);
});

// ---------------------------------------------------------------- elementwise

/** Unary ops whose result keeps the input's dtype; logical tests give bool; the rest compute in float32. */
const KEEPS_DTYPE = new Set(['Abs', 'Neg', 'Relu', 'Relu6', 'Square', 'Sign', 'Floor', 'Ceil', 'Round']);
const GIVES_BOOL = new Set(['IsNan', 'IsInf', 'IsFinite', 'LogicalNot']);
UNARY.forEach((name, op) => {
  kernel(name, ({ x }, b) => {
    const dtype: DataType = GIVES_BOOL.has(name)
      ? 'bool'
      : KEEPS_DTYPE.has(name) && x.dtype === 'int32'
        ? 'int32'
        : 'float32';
    return b.output(b.native.unary(op, b.slot(x), dtCode(dtype)), x.shape, dtype);
  });
});

kernel('LeakyRelu', ({ x }, b, a) =>
  b.output(b.native.param(Param.LeakyRelu, b.slot(x), a.alpha as number, 0, DT.F32), x.shape, 'float32'),
);
kernel('Step', ({ x }, b, a) =>
  b.output(b.native.param(Param.Step, b.slot(x), a.alpha as number, 0, DT.F32), x.shape, 'float32'),
);
kernel('ClipByValue', ({ x }, b, a) =>
  b.output(
    b.native.param(Param.Clip, b.slot(x), a.clipValueMin as number, a.clipValueMax as number, dtCode(x.dtype)),
    x.shape,
    x.dtype,
  ),
);
kernel('ZerosLike', ({ x }, b) =>
  b.output(b.native.param(Param.FillLike, b.slot(x), 0, 0, dtCode(x.dtype)), x.shape, x.dtype),
);
kernel('OnesLike', ({ x }, b) =>
  b.output(b.native.param(Param.FillLike, b.slot(x), 1, 0, dtCode(x.dtype)), x.shape, x.dtype),
);

const COMPARISONS = new Set([
  'Equal',
  'NotEqual',
  'Less',
  'LessEqual',
  'Greater',
  'GreaterEqual',
  'LogicalAnd',
  'LogicalOr',
]);
const FLOAT_MATHS = new Set(['RealDiv', 'Atan2']);
BINARY.forEach((name, op) => {
  const run: KernelFn = (inputs, b) => {
    const [x, y] = name === 'Prelu' ? [inputs.x, inputs.alpha] : [inputs.a, inputs.b];
    const shape = backend_util.assertAndGetBroadcastShape(x.shape, y.shape);
    const up = tf.upcastType(x.dtype, y.dtype);
    let out: DataType;
    let compute: DataType;
    if (COMPARISONS.has(name)) {
      out = 'bool';
      compute = name.startsWith('Logical') ? 'bool' : up === 'bool' ? 'int32' : up;
    } else {
      out = up === 'bool' ? 'int32' : up;
      compute = FLOAT_MATHS.has(name) ? 'float32' : out;
    }
    return b.output(
      b.native.binary(op, b.slot(x), x.shape, b.slot(y), y.shape, dtCode(out), dtCode(compute)),
      shape,
      out,
    );
  };
  kernel(name, run);
});

kernel('Select', ({ condition, t, e }, b) => {
  const dtype = tf.upcastType(t.dtype, e.dtype);
  return b.output(
    b.native.select(b.slot(condition), condition.shape, b.slot(t), t.shape, b.slot(e), e.shape, dtCode(dtype)),
    t.shape,
    dtype,
  );
});

kernel('AddN', (inputs, b) => {
  const list = Object.values(inputs);
  const dtype = list.map((t) => t.dtype).reduce((p, c) => tf.upcastType(p, c));
  return b.output(
    b.native.addN(
      list.map((t) => b.slot(t)),
      dtCode(dtype),
    ),
    list[0].shape,
    dtype,
  );
});

// ---------------------------------------------------------------- reductions

function reduction(name: string, op: Reduce, axisAttr: string, outDtype: (x: TensorInfo) => DataType): void {
  kernel(name, ({ x }, b, a) => {
    const axes = util.parseAxisParam(a[axisAttr] as number | number[], x.shape);
    let [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    if (a.keepDims) outShape = backend_util.expandShapeToKeepDim(outShape, axes);
    const dtype = outDtype(x);
    return b.output(b.native.reduce(op, b.slot(x), x.shape, axes, dtCode(dtype)), outShape, dtype);
  });
}
const intUp = (x: TensorInfo) => tf.upcastType(x.dtype, 'int32');
reduction('Sum', Reduce.Sum, 'axis', intUp);
reduction('Prod', Reduce.Prod, 'axis', intUp);
reduction('Mean', Reduce.Mean, 'axis', () => 'float32');
reduction('Max', Reduce.Max, 'reductionIndices', (x) => x.dtype);
reduction('Min', Reduce.Min, 'axis', (x) => x.dtype);
reduction('All', Reduce.All, 'axis', () => 'bool');
reduction('Any', Reduce.Any, 'axis', () => 'bool');
for (const [name, op] of [
  ['ArgMax', Reduce.ArgMax],
  ['ArgMin', Reduce.ArgMin],
] as const) {
  kernel(name, ({ x }, b, a) => {
    const axis = util.parseAxisParam(a.axis as number, x.shape)[0];
    const outShape = x.shape.filter((_, i) => i !== axis);
    return b.output(b.native.reduce(op, b.slot(x), x.shape, [axis], DT.I32), outShape, 'int32');
  });
}

kernel('Softmax', ({ logits }, b, a) => {
  const dim = util.parseAxisParam(a.dim as number, logits.shape)[0];
  return b.output(b.native.softmax(b.slot(logits), logits.shape, dim, false), logits.shape, 'float32');
});
kernel('LogSoftmax', ({ logits }, b, a) => {
  const dim = util.parseAxisParam(a.axis as number, logits.shape)[0];
  return b.output(b.native.softmax(b.slot(logits), logits.shape, dim, true), logits.shape, 'float32');
});
kernel('Cumsum', ({ x }, b, a) => {
  const axis = util.parseAxisParam(a.axis as number, x.shape)[0];
  const dtype = tf.upcastType(x.dtype, 'int32');
  return b.output(
    b.native.cumsum(b.slot(x), x.shape, axis, Boolean(a.exclusive), Boolean(a.reverse), dtCode(dtype)),
    x.shape,
    dtype,
  );
});

// ---------------------------------------------------------------- layout

kernel('Transpose', ({ x }, b, a) => {
  const perm = a.perm as number[];
  return b.output(
    b.native.transpose(b.slot(x), x.shape, perm, dtCode(x.dtype)),
    perm.map((p) => x.shape[p]),
    x.dtype,
  );
});

function sliceOf(b: TorchBackend, x: TensorInfo, begin: number[], sizes: number[]): TensorInfo {
  if (sizes.every((s, i) => s === x.shape[i])) return b.share(x, x.shape);
  const end = begin.map((v, i) => v + sizes[i]);
  return b.output(
    b.native.stridedSlice(
      b.slot(x),
      x.shape,
      begin,
      end,
      begin.map(() => 1),
      dtCode(x.dtype),
    ),
    sizes,
    x.dtype,
  );
}

kernel('Slice', ({ x }, b, a) => {
  const [begin, sizes] = slice_util.parseSliceParams(
    x as unknown as tf.Tensor,
    a.begin as number[],
    a.size as number[],
  );
  slice_util.assertParamsValid(x as unknown as tf.Tensor, begin, sizes);
  return sliceOf(b, x, begin, sizes);
});

kernel('StridedSlice', ({ x }, b, a) => {
  const info = slice_util.sliceInfo(
    x.shape,
    a.begin as number[],
    a.end as number[],
    a.strides as number[],
    a.beginMask as number,
    a.endMask as number,
    a.ellipsisMask as number,
    a.newAxisMask as number,
    a.shrinkAxisMask as number,
  );
  if (info.isIdentity) return b.share(x, info.finalShape);
  if (info.finalShapeSparse.some((d) => d === 0))
    return b.output(b.native.fill(0, 0, dtCode(x.dtype)), info.finalShape, x.dtype);
  const slot = b.native.stridedSlice(b.slot(x), x.shape, info.begin, info.end, info.strides, dtCode(x.dtype));
  return b.output(slot, info.finalShape, x.dtype);
});

kernel('Concat', (inputs, b, a) => {
  const list = Object.values(inputs);
  const axis = util.parseAxisParam(a.axis as number, list[0].shape)[0];
  const shape = backend_util.computeOutShape(
    list.map((t) => t.shape),
    axis,
  );
  const dtype = list.map((t) => t.dtype).reduce((p, c) => tf.upcastType(p, c));
  const nonEmpty = list.filter((t) => size(t.shape) > 0);
  if (nonEmpty.length === 0) return b.output(b.native.fill(0, 0, dtCode(dtype)), shape, dtype);
  if (nonEmpty.length === 1 && nonEmpty[0].dtype === dtype) return b.share(nonEmpty[0], shape);
  return b.output(
    b.native.concat(
      nonEmpty.map((t) => b.slot(t)),
      nonEmpty.map((t) => t.shape),
      axis,
      dtCode(dtype),
    ),
    shape,
    dtype,
  );
});

kernel('Pack', (inputs, b, a) => {
  const list = Object.values(inputs);
  const rank = list[0].shape.length;
  const axis = (a.axis as number) < 0 ? (a.axis as number) + rank + 1 : (a.axis as number);
  const expanded = list.map((t) => {
    const s = [...t.shape];
    s.splice(axis, 0, 1);
    return s;
  });
  const shape = [...expanded[0]];
  shape[axis] = list.length;
  const dtype = list[0].dtype;
  return b.output(
    b.native.concat(
      list.map((t) => b.slot(t)),
      expanded,
      axis,
      dtCode(dtype),
    ),
    shape,
    dtype,
  );
});

kernel('Unpack', ({ value }, b, a) => {
  const axis = util.parseAxisParam(a.axis as number, value.shape)[0];
  const outShape = value.shape.filter((_, i) => i !== axis);
  const sizes = value.shape.map((s, i) => (i === axis ? 1 : s));
  const outs: TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]; i++) {
    const begin = value.shape.map((_, d) => (d === axis ? i : 0));
    const end = begin.map((v, d) => v + sizes[d]);
    outs.push(
      b.output(
        b.native.stridedSlice(
          b.slot(value),
          value.shape,
          begin,
          end,
          begin.map(() => 1),
          dtCode(value.dtype),
        ),
        outShape,
        value.dtype,
      ),
    );
  }
  return outs;
});

kernel('SplitV', ({ x }, b, a) => {
  const axis = util.parseAxisParam(a.axis as number, x.shape)[0];
  const splits = backend_util.prepareSplitSize(x as unknown as tf.Tensor, a.numOrSizeSplits as number | number[], axis);
  const begin = new Array(x.shape.length).fill(0);
  return splits.map((s) => {
    const sizes = [...x.shape];
    sizes[axis] = s;
    const out = b.output(
      b.native.stridedSlice(
        b.slot(x),
        x.shape,
        [...begin],
        begin.map((v, d) => v + sizes[d]),
        begin.map(() => 1),
        dtCode(x.dtype),
      ),
      sizes,
      x.dtype,
    );
    begin[axis] += s;
    return out;
  });
});

kernel('PadV2', ({ x }, b, a) => {
  const paddings = a.paddings as Array<[number, number]>;
  const shape = x.shape.map((s, i) => s + paddings[i][0] + paddings[i][1]);
  return b.output(
    b.native.pad(
      b.slot(x),
      x.shape,
      paddings.map((p) => p[0]),
      paddings.map((p) => p[1]),
      a.constantValue as number,
      dtCode(x.dtype),
    ),
    shape,
    x.dtype,
  );
});
kernel('MirrorPad', ({ x }, b, a) => {
  const paddings = a.paddings as Array<[number, number]>;
  const shape = x.shape.map((s, i) => s + paddings[i][0] + paddings[i][1]);
  return b.output(
    b.native.mirrorPad(
      b.slot(x),
      x.shape,
      paddings.map((p) => p[0]),
      paddings.map((p) => p[1]),
      a.mode === 'reflect',
      dtCode(x.dtype),
    ),
    shape,
    x.dtype,
  );
});
kernel('Tile', ({ x }, b, a) => {
  const reps = a.reps as number[];
  return b.output(
    b.native.tile(b.slot(x), x.shape, reps, dtCode(x.dtype)),
    x.shape.map((s, i) => s * reps[i]),
    x.dtype,
  );
});
kernel('Reverse', ({ x }, b, a) => {
  const dims = util.parseAxisParam(a.dims as number | number[], x.shape);
  return b.output(b.native.reverse(b.slot(x), x.shape, dims, dtCode(x.dtype)), x.shape, x.dtype);
});
kernel('BroadcastTo', ({ x }, b, a) => {
  const shape = a.shape as number[];
  const padded = [...new Array(shape.length - x.shape.length).fill(1), ...x.shape];
  return b.output(b.native.broadcastTo(b.slot(x), padded, shape, dtCode(x.dtype)), shape, x.dtype);
});

kernel('GatherV2', ({ x, indices }, b, a) => {
  const axis = util.parseAxisParam(a.axis as number, x.shape)[0];
  const batchDims = (a.batchDims as number | undefined) ?? 0;
  if (batchDims !== 0)
    throw new Error(`torch backend: GatherV2 with batchDims=${batchDims} is not supported (batchDims 0 is)`);
  const info = backend_util.segment_util.collectGatherOpShapeInfo(
    x as unknown as tf.Tensor,
    indices as unknown as tf.Tensor,
    axis,
    batchDims,
  );
  const shape3 = [info.outerSize, info.dimSize, info.sliceSize];
  return b.output(b.native.gather(b.slot(x), shape3, b.slot(indices), dtCode(x.dtype)), info.outputShape, x.dtype);
});

kernel('GatherNd', ({ params, indices }, b) => {
  const [resultShape, numSlices, sliceSize, strides] = backend_util.prepareAndValidate(
    params as unknown as tf.Tensor,
    indices as unknown as tf.Tensor,
  );
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
    return b.output(
      b.native.gatherNd(b.slot(params), [rows, sliceSize], flatId, dtCode(params.dtype)),
      resultShape,
      params.dtype,
    );
  } finally {
    b.native.free(flatId);
  }
});

kernel('UnsortedSegmentSum', ({ x, segmentIds }, b, a) => {
  const k = a.numSegments as number;
  const lead = size(segmentIds.shape);
  const inner = size(x.shape) / Math.max(lead, 1);
  const shape = [k, ...x.shape.slice(segmentIds.shape.length)];
  const dtype = tf.upcastType(x.dtype, 'int32');
  return b.output(
    b.native.unsortedSegmentSum(b.slot(x), [lead, inner], b.slot(segmentIds), k, dtCode(dtype)),
    shape,
    dtype,
  );
});

kernel('OneHot', ({ indices }, b, a) => {
  const depth = a.depth as number;
  const dtype = (a.dtype as DataType | undefined) ?? 'int32';
  return b.output(
    b.native.oneHot(b.slot(indices), depth, a.onValue as number, a.offValue as number, dtCode(dtype)),
    [...indices.shape, depth],
    dtype,
  );
});

kernel('Fill', (_i, b, a) => {
  const shape = a.shape as number[];
  const value = a.value as number;
  const dtype = (a.dtype as DataType | undefined) ?? (Number.isInteger(value) ? 'int32' : 'float32');
  return b.output(b.native.fill(size(shape), value, dtCode(dtype)), shape, dtype);
});

kernel('Range', (_i, b, a) => {
  const start = a.start as number,
    stop = a.stop as number,
    step = a.step as number;
  const dtype = (a.dtype as DataType | undefined) ?? 'float32';
  const n = Math.max(Math.ceil((stop - start) / step), 0);
  return b.output(b.native.range(start, step, n, dtCode(dtype)), [n], dtype);
});

kernel('Diag', ({ x }, b) => b.output(b.native.diag(b.slot(x), dtCode(x.dtype)), [...x.shape, ...x.shape], x.dtype));

// ---------------------------------------------------------------- matrix products

function matMul(inputs: Inputs, b: TorchBackend, a: NamedAttrMap): TensorInfo {
  const { a: x, b: y, bias, preluActivationWeights: prelu } = inputs;
  const transA = Boolean(a.transposeA),
    transB = Boolean(a.transposeB);
  const ra = x.shape.length,
    rb = y.shape.length;
  const m = transA ? x.shape[ra - 1] : x.shape[ra - 2];
  const k = transA ? x.shape[ra - 2] : x.shape[ra - 1];
  const k2 = transB ? y.shape[rb - 1] : y.shape[rb - 2];
  const n = transB ? y.shape[rb - 2] : y.shape[rb - 1];
  if (k !== k2) throw new Error(`MatMul: inner dimensions ${k} and ${k2} of shapes ${x.shape} and ${y.shape} differ`);
  const batch = backend_util.assertAndGetBroadcastShape(x.shape.slice(0, -2), y.shape.slice(0, -2));
  const act = ACTIVATIONS[(a.activation as string | undefined) ?? 'linear'];
  if (act === undefined) throw new Error(`torch backend: fused activation '${a.activation}' is not supported`);
  const slot = b.native.matMul(
    b.slot(x),
    x.shape,
    b.slot(y),
    y.shape,
    transA,
    transB,
    bias ? b.slot(bias) : -1,
    bias?.shape ?? [],
    act,
    (a.leakyreluAlpha as number | undefined) ?? 0.2,
    prelu ? b.slot(prelu) : -1,
    prelu?.shape ?? [],
  );
  return b.output(slot, [...batch, m, n], 'float32');
}
kernel('BatchMatMul', matMul);
kernel('_FusedMatMul', matMul);

// ---------------------------------------------------------------- convolutions (NHWC)

function checkNHWC(a: NamedAttrMap): void {
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC' && a.dataFormat !== 'channelsLast') {
    throw new Error(`torch backend: convolutions take NHWC tensors, got dataFormat ${a.dataFormat}`);
  }
}

function geometry(info: tf.backend_util.Conv2DInfo, groups: number): number[] {
  const p = info.padInfo;
  return [
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    p.top,
    p.bottom,
    p.left,
    p.right,
    groups,
  ];
}

type Shape4 = [number, number, number, number];

/** tfjs's own geometry (output size, SAME padding split) for a conv of `inShape` with `filterShape`. */
function convInfo(
  inShape: number[],
  filterShape: number[],
  a: NamedAttrMap,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  checkNHWC(a);
  return backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    a.strides as [number, number],
    (a.dilations as [number, number] | undefined) ?? 1,
    a.pad as 'same',
    a.dimRoundingMode as 'floor',
    depthwise,
    'channelsLast',
  );
}

function conv(inputs: Inputs, b: TorchBackend, a: NamedAttrMap, depthwise: boolean): TensorInfo {
  const { x, filter, bias, preluActivationWeights: prelu } = inputs;
  const info = convInfo(x.shape, filter.shape, a, depthwise);
  const act = ACTIVATIONS[(a.activation as string | undefined) ?? 'linear'];
  if (act === undefined) throw new Error(`torch backend: fused activation '${a.activation}' is not supported`);
  const slot = b.native.conv2d(
    b.slot(x),
    x.shape,
    b.slot(filter),
    filter.shape,
    geometry(info, depthwise ? x.shape[3] : 1),
    depthwise,
    bias ? b.slot(bias) : -1,
    bias?.shape ?? [],
    act,
    (a.leakyreluAlpha as number | undefined) ?? 0.2,
    prelu ? b.slot(prelu) : -1,
    prelu?.shape ?? [],
  );
  return b.output(slot, info.outShape, 'float32');
}
kernel('Conv2D', (i, b, a) => conv(i, b, a, false));
kernel('FusedConv2D', (i, b, a) => conv(i, b, a, false));
kernel('DepthwiseConv2dNative', (i, b, a) => conv(i, b, a, true));
kernel('FusedDepthwiseConv2D', (i, b, a) => conv(i, b, a, true));

function backpropInput(inputs: Inputs, b: TorchBackend, a: NamedAttrMap, depthwise: boolean): TensorInfo {
  const { dy, filter } = inputs;
  const inShape = a.inputShape as Shape4;
  const info = convInfo(inShape, filter.shape, a, depthwise);
  const slot = b.native.conv2dBackpropInput(
    b.slot(dy),
    dy.shape,
    b.slot(filter),
    filter.shape,
    inShape,
    geometry(info, depthwise ? inShape[3] : 1),
    depthwise,
  );
  return b.output(slot, [...inShape], 'float32');
}
kernel('Conv2DBackpropInput', (i, b, a) => backpropInput(i, b, a, false));
kernel('DepthwiseConv2dNativeBackpropInput', (i, b, a) => backpropInput(i, b, a, true));

function backpropFilter(inputs: Inputs, b: TorchBackend, a: NamedAttrMap, depthwise: boolean): TensorInfo {
  const { x, dy } = inputs;
  const filterShape = a.filterShape as Shape4;
  const info = convInfo(x.shape, filterShape, a, depthwise);
  const slot = b.native.conv2dBackpropFilter(
    b.slot(x),
    x.shape,
    b.slot(dy),
    dy.shape,
    filterShape,
    geometry(info, depthwise ? x.shape[3] : 1),
    depthwise,
  );
  return b.output(slot, [...filterShape], 'float32');
}
kernel('Conv2DBackpropFilter', (i, b, a) => backpropFilter(i, b, a, false));
kernel('DepthwiseConv2dNativeBackpropFilter', (i, b, a) => backpropFilter(i, b, a, true));

/** Register every kernel of the `torch` backend (idempotent). */
export function registerTorchKernels(): void {
  for (const k of kernels) {
    if (!tf.getKernel(k.kernelName, 'torch')) tf.registerKernel(k);
  }
}

/** Names of the kernels this backend implements. */
export function torchKernelNames(): string[] {
  return kernels.map((k) => k.kernelName);
}
