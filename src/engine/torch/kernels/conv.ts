/**
 * 2-D convolutions on NHWC tensors, plain and depthwise, with their fused forms and their gradients.
 * tfjs works out the geometry (output size, its split of SAME padding); the addon does the arithmetic.
 */
import {
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  FusedConv2D,
  FusedDepthwiseConv2D,
  backend_util,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type Conv2DInputs,
  type DepthwiseConv2dNativeAttrs,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputInputs,
  type DepthwiseConv2dNativeInputs,
  type FusedConv2DAttrs,
  type FusedConv2DInputs,
  type FusedDepthwiseConv2DAttrs,
  type FusedDepthwiseConv2DInputs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { TorchBackend } from '../backend.js';
import type { ConvGeometry } from '../native.js';
import { epilogue, type FusedParts } from './epilogue.js';
import { kernel, type Given } from './kernel.js';

type Shape4 = [number, number, number, number];

/** The attributes of every convolution kernel that the geometry depends on. */
interface ConvAttrs {
  strides: [number, number] | number;
  pad: Conv2DAttrs['pad'];
  dataFormat?: string;
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** tfjs's geometry of a convolution of `inShape` (NHWC) with `filterShape`. */
function geometry(inShape: number[], filterShape: number[], a: ConvAttrs, depthwise: boolean) {
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC' && a.dataFormat !== 'channelsLast') {
    throw new Error(`torch backend: convolutions take NHWC tensors, got dataFormat ${a.dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  const p = info.padInfo;
  const geometry: ConvGeometry = {
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    top: p.top,
    bottom: p.bottom,
    left: p.left,
    right: p.right,
    groups: depthwise ? inShape[3] : 1,
  };
  return { geometry, outShape: info.outShape };
}

function conv(
  { x, filter }: Given<Conv2DInputs>,
  a: ConvAttrs,
  fused: FusedParts,
  depthwise: boolean,
  b: TorchBackend,
): TensorInfo {
  const { geometry: g, outShape } = geometry(x.shape, filter.shape, a, depthwise);
  const slot = b.native.conv2d({ x: b.arg(x), filter: b.arg(filter), geometry: g, depthwise, ...epilogue(b, fused) });
  return b.output(slot, outShape, 'float32');
}

function backpropInput(
  { dy, filter }: Given<Conv2DBackpropInputInputs>,
  a: ConvAttrs & { inputShape: Shape4 },
  depthwise: boolean,
  b: TorchBackend,
): TensorInfo {
  const inShape = a.inputShape;
  const { geometry: g } = geometry(inShape, filter.shape, a, depthwise);
  const slot = b.native.conv2dBackpropInput({
    dy: b.arg(dy),
    filter: b.arg(filter),
    inShape,
    geometry: g,
    depthwise,
  });
  return b.output(slot, [...inShape], 'float32');
}

function backpropFilter(
  { x, dy }: Given<Conv2DBackpropFilterInputs>,
  a: ConvAttrs & { filterShape: Shape4 },
  depthwise: boolean,
  b: TorchBackend,
): TensorInfo {
  const filterShape = a.filterShape;
  const { geometry: g } = geometry(x.shape, filterShape, a, depthwise);
  const slot = b.native.conv2dBackpropFilter({ x: b.arg(x), dy: b.arg(dy), filterShape, geometry: g, depthwise });
  return b.output(slot, [...filterShape], 'float32');
}

export const convKernels: KernelConfig[] = [
  kernel<Conv2DInputs, Conv2DAttrs>(Conv2D, (i, b, a) => conv(i, a, {}, false, b)),
  kernel<FusedConv2DInputs, FusedConv2DAttrs>(FusedConv2D, (i, b, a) => conv(i, a, { ...i, ...a }, false, b)),
  kernel<DepthwiseConv2dNativeInputs, DepthwiseConv2dNativeAttrs>(DepthwiseConv2dNative, (i, b, a) =>
    conv(i, a, {}, true, b),
  ),
  kernel<FusedDepthwiseConv2DInputs, FusedDepthwiseConv2DAttrs>(FusedDepthwiseConv2D, (i, b, a) =>
    conv(i, a, { ...i, ...a }, true, b),
  ),
  kernel<Conv2DBackpropInputInputs, Conv2DBackpropInputAttrs>(Conv2DBackpropInput, (i, b, a) =>
    backpropInput(i, a, false, b),
  ),
  kernel<DepthwiseConv2dNativeBackpropInputInputs, DepthwiseConv2dNativeBackpropInputAttrs>(
    DepthwiseConv2dNativeBackpropInput,
    (i, b, a) => backpropInput(i, a, true, b),
  ),
  kernel<Conv2DBackpropFilterInputs, Conv2DBackpropFilterAttrs>(Conv2DBackpropFilter, (i, b, a) =>
    backpropFilter(i, a, false, b),
  ),
  kernel<DepthwiseConv2dNativeBackpropFilterInputs, DepthwiseConv2dNativeBackpropFilterAttrs>(
    DepthwiseConv2dNativeBackpropFilter,
    (i, b, a) => backpropFilter(i, a, true, b),
  ),
];
