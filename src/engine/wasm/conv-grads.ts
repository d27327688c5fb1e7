/**
 * Convolution gradients for the wasm backend, composed from its own XNNPACK convolution and data-movement
 * kernels, NHWC throughout:
 *  - Conv2DBackpropFilter (absent in tfjs-backend-wasm 4.22): the filter gradient is itself a convolution,
 *    of the input (batch ↔ channels swapped) with the output gradient as a dilated filter.
 *  - Conv2DBackpropInput (the shipped one is a naive loop): a polyphase split. For stride s, output rows
 *    h ≡ p (mod s) only meet the filter taps k ≡ (p + padTop) (mod s), so each of the s² phases is a
 *    stride-1 convolution of the output gradient with a flipped, sub-sampled filter — no multiplications
 *    by inserted zeros. The phases are then interleaved.
 * Transposes and sub-filters are plain loops (layout.ts): wasm's own data-movement kernels cost more than
 * the convolutions here.
 */
import {
  Conv2D,
  Fill,
  PadV2,
  Slice,
  backend_util,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type FillAttrs,
  type PadV2Attrs,
  type SliceAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { phaseFilter, transpose } from './layout.js';
import { KernelScope, wasmKernel, type WasmBackend } from './scope.js';

type Shape4 = [number, number, number, number];

/** The attributes both gradients read (tfjs's types lack `dilations`; the forward op passes 1). */
type GradAttrs = Pick<Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'> & {
  dilations?: [number, number] | number;
};

interface ConvGeometry {
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  filterH: number;
  filterW: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
}

function geometry(xShape: number[], filterShape: number[], attrs: GradAttrs): ConvGeometry {
  const dilations = attrs.dilations ?? 1;
  const d = Array.isArray(dilations) ? dilations : [dilations, dilations];
  if (d[0] !== 1 || d[1] !== 1) throw new Error('wasm conv gradients: dilations > 1 are not supported');
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC')
    throw new Error(`wasm conv gradients need NHWC, got ${attrs.dataFormat}`);
  const info = backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    filterH: info.filterHeight,
    filterW: info.filterWidth,
    inH: info.inHeight,
    inW: info.inWidth,
    outH: info.outHeight,
    outW: info.outWidth,
  };
}

/**
 * Stride-1 convolution with possibly negative explicit pads (negative = crop the input first).
 * x: [N, H, W, C], filter: [kh, kw, C, O].
 */
function convWithPads(
  s: KernelScope,
  x: TensorInfo,
  filter: TensorInfo,
  top: number,
  bottom: number,
  left: number,
  right: number,
  dilations: [number, number] = [1, 1],
): TensorInfo {
  const [n, h, w, c] = x.shape;
  const cropT = Math.max(0, -top),
    cropB = Math.max(0, -bottom),
    cropL = Math.max(0, -left),
    cropR = Math.max(0, -right);
  let input = x;
  if (cropT || cropB || cropL || cropR) {
    const size = [n, h - cropT - cropB, w - cropL - cropR, c];
    input = s.run(Slice, { x }, { begin: [0, cropT, cropL, 0], size } satisfies SliceAttrs);
  }
  const pad: Conv2DAttrs['pad'] = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  const attrs = {
    strides: [1, 1],
    pad,
    dataFormat: 'NHWC',
    dilations,
    dimRoundingMode: undefined,
  } satisfies Conv2DAttrs;
  return s.run(Conv2D, { x: input, filter }, attrs);
}

export const conv2DBackpropFilter = wasmKernel<Conv2DBackpropFilterInputs, Conv2DBackpropFilterAttrs>(
  ({ x, dy }, backend, attrs) => {
    const filterShape = attrs.filterShape;
    const g = geometry(x.shape, filterShape, attrs);
    const s = new KernelScope(backend);
    // dW[a, b, i, o] = Σ_{n, y, x} X[n, y·sh + a − pt, x·sw + b − pl, i] · dY[n, y, x, o]:
    // a convolution of X as [i, H, W, n] with dY as a [y, x, n, o] filter dilated by the stride.
    const xt = s.keep(transpose(backend, x, [3, 1, 2, 0]));
    const dyt = s.keep(transpose(backend, dy, [1, 2, 0, 3]));
    const extentH = (g.outH - 1) * g.strideH + 1;
    const extentW = (g.outW - 1) * g.strideW + 1;
    const bottom = g.filterH - 1 + extentH - g.inH - g.padTop;
    const right = g.filterW - 1 + extentW - g.inW - g.padLeft;
    const dwt = convWithPads(s, xt, dyt, g.padTop, bottom, g.padLeft, right, [g.strideH, g.strideW]);
    const out = s.keep(transpose(backend, dwt, [1, 2, 0, 3]));
    return s.finish(out);
  },
);

export const conv2DBackpropInput = wasmKernel<Conv2DBackpropInputInputs, Conv2DBackpropInputAttrs>(
  ({ dy, filter }, backend, attrs) => {
    const inputShape = attrs.inputShape;
    const g = geometry(inputShape, filter.shape, attrs);
    const [n, , , ci] = inputShape;
    const s = new KernelScope(backend);
    const { strideH: sh, strideW: sw } = g;
    const phaseH = Math.ceil(g.inH / sh);
    const phaseW = Math.ceil(g.inW / sw);
    const phases: TensorInfo[] = [];
    for (let py = 0; py < sh; py++) {
      for (let px = 0; px < sw; px++) {
        const ry = (py + g.padTop) % sh,
          rx = (px + g.padLeft) % sw;
        const cy = (py + g.padTop - ry) / sh,
          cx = (px + g.padLeft - rx) / sw;
        const my = Math.ceil((g.filterH - ry) / sh),
          mx = Math.ceil((g.filterW - rx) / sw);
        const hp = Math.ceil((g.inH - py) / sh),
          wp = Math.ceil((g.inW - px) / sw);
        if (my <= 0 || mx <= 0 || hp <= 0 || wp <= 0) {
          const zeros = { shape: [n, phaseH, phaseW, ci], value: 0, dtype: 'float32' } satisfies FillAttrs;
          phases.push(s.run(Fill, {}, zeros));
          continue;
        }
        // Sub-filter taps ry, ry + sh, ...; in/out swapped ([kh, kw, O, C]) and flipped in space.
        const flipped = s.keep(phaseFilter(backend, filter, ry, rx, sh, sw));
        const top = my - 1 - cy,
          left = mx - 1 - cx;
        const bottom = hp + my - 1 - g.outH - top,
          right = wp + mx - 1 - g.outW - left;
        let phase = convWithPads(s, dy, flipped, top, bottom, left, right);
        if (hp !== phaseH || wp !== phaseW) {
          const paddings: PadV2Attrs['paddings'] = [
            [0, 0],
            [0, phaseH - hp],
            [0, phaseW - wp],
            [0, 0],
          ];
          phase = s.run(PadV2, { x: phase }, { paddings, constantValue: 0 } satisfies PadV2Attrs);
        }
        phases.push(phase);
      }
    }
    const out =
      sh === 1 && sw === 1
        ? phases[0]
        : interleavePhases(backend, phases, sh, sw, [n, g.inH, g.inW, ci], phaseH, phaseW);
    return s.finish(out);
  },
);

/**
 * Interleave the s_h·s_w phase outputs ([N, Hp, Wp, C] each, phase index py·s_w + px) into [N, H, W, C]:
 * out[n, y·s_h + py, x·s_w + px, c] = phase[py·s_w + px][n, y, x, c]. A plain loop over the heap: wasm's
 * 6-D Transpose and DepthToSpace are an order of magnitude slower for this.
 */
function interleavePhases(
  b: WasmBackend,
  phases: TensorInfo[],
  sh: number,
  sw: number,
  shape: number[],
  hp: number,
  wp: number,
): TensorInfo {
  const [n, h, w, c] = shape;
  const out = b.makeOutput(shape, 'float32');
  const o = b.typedArrayFromHeap(out);
  phases.forEach((ph, k) => {
    const py = Math.floor(k / sw),
      px = k % sw;
    const src = b.typedArrayFromHeap(ph);
    for (let bi = 0; bi < n; bi++) {
      for (let y = 0; y < hp; y++) {
        const oy = y * sh + py;
        if (oy >= h) break;
        for (let x = 0; x < wp; x++) {
          const ox = x * sw + px;
          if (ox >= w) break;
          const si = ((bi * hp + y) * wp + x) * c;
          const di = ((bi * h + oy) * w + ox) * c;
          for (let ch = 0; ch < c; ch++) o[di + ch] = src[si + ch];
        }
      }
    }
  });
  return out;
}
