/**
 * Kernels the wasm backend needs for training and does not ship (or ships too slowly), composed from its
 * own XNNPACK convolution and data-movement kernels, NHWC throughout:
 *  - Conv2DBackpropFilter (absent in tfjs-backend-wasm 4.22): the filter gradient is itself a convolution,
 *    of the input (batch ↔ channels swapped) with the output gradient as a dilated filter.
 *  - Conv2DBackpropInput (the shipped one is a naive loop): a polyphase split. For stride s, output rows
 *    h ≡ p (mod s) only meet the filter taps k ≡ (p + padTop) (mod s), so each of the s² phases is a
 *    stride-1 convolution of the output gradient with a flipped, sub-sampled filter — no multiplications
 *    by inserted zeros. The phases are then interleaved.
 *  - UnsortedSegmentSum (gather's gradient).
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';

type Attrs = Record<string, unknown>;
type Backend = {
  disposeData(dataId: object): boolean;
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
};

/** Runs other wasm kernels and frees the intermediates it made. */
class KernelScope {
  private temps: TensorInfo[] = [];
  constructor(private readonly backend: Backend) {}
  run(name: string, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
    const k = tf.getKernel(name, 'wasm');
    if (!k) throw new Error(`wasm backend lacks kernel '${name}'`);
    const out = k.kernelFunc({
      inputs: inputs as any,
      backend: this.backend as any,
      attrs: attrs as any,
    }) as TensorInfo;
    this.temps.push(out);
    return out;
  }
  /** Free every intermediate except `keep`. */
  finish(keep: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t.dataId !== keep.dataId) this.backend.disposeData(t.dataId);
    this.temps = [];
    return keep;
  }
}

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

function geometry(xShape: number[], filterShape: number[], attrs: Attrs): ConvGeometry {
  const dilations = attrs.dilations ?? 1;
  const d = Array.isArray(dilations) ? dilations : [dilations, dilations];
  if (d[0] !== 1 || d[1] !== 1) throw new Error('wasm conv gradients: dilations > 1 are not supported');
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC')
    throw new Error(`wasm conv gradients need NHWC, got ${attrs.dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as any,
    attrs.dimRoundingMode as any,
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
    input = s.run('Slice', { x }, { begin: [0, cropT, cropL, 0], size: [n, h - cropT - cropB, w - cropL - cropR, c] });
  }
  const pad = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return s.run(
    'Conv2D',
    { x: input, filter },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined },
  );
}

function conv2DBackpropFilter({
  inputs,
  backend,
  attrs,
}: {
  inputs: Record<string, TensorInfo>;
  backend: any;
  attrs: Attrs;
}): TensorInfo {
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as number[];
  const g = geometry(x.shape, filterShape, attrs);
  const s = new KernelScope(backend);
  // dW[a, b, i, o] = Σ_{n, y, x} X[n, y·sh + a − pt, x·sw + b − pl, i] · dY[n, y, x, o]:
  // a convolution of X as [i, H, W, n] with dY as a [y, x, n, o] filter dilated by the stride.
  const xt = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyt = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const extentH = (g.outH - 1) * g.strideH + 1;
  const extentW = (g.outW - 1) * g.strideW + 1;
  const bottom = g.filterH - 1 + extentH - g.inH - g.padTop;
  const right = g.filterW - 1 + extentW - g.inW - g.padLeft;
  const dwt = convWithPads(s, xt, dyt, g.padTop, bottom, g.padLeft, right, [g.strideH, g.strideW]);
  const out = s.run('Transpose', { x: dwt }, { perm: [1, 2, 0, 3] });
  return s.finish(out);
}

function conv2DBackpropInput({
  inputs,
  backend,
  attrs,
}: {
  inputs: Record<string, TensorInfo>;
  backend: any;
  attrs: Attrs;
}): TensorInfo {
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as number[];
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
      let phase: TensorInfo;
      if (my <= 0 || mx <= 0 || hp <= 0 || wp <= 0) {
        phase = s.run('Fill', {}, { shape: [n, phaseH, phaseW, ci], value: 0, dtype: 'float32' });
        phases.push(phase);
        continue;
      }
      // Sub-filter taps ry, ry + sh, ...; in/out swapped ([kh, kw, O, C]) and flipped in space.
      let sub = filter;
      if (sh > 1 || sw > 1) {
        sub = s.run(
          'StridedSlice',
          { x: filter },
          {
            begin: [ry, rx, 0, 0],
            end: [g.filterH, g.filterW, filter.shape[2], filter.shape[3]],
            strides: [sh, sw, 1, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          },
        );
      }
      const swapped = s.run('Transpose', { x: sub }, { perm: [0, 1, 3, 2] });
      const flipped = s.run('Reverse', { x: swapped }, { dims: [0, 1] });
      const top = my - 1 - cy,
        left = mx - 1 - cx;
      const bottom = hp + my - 1 - g.outH - top,
        right = wp + mx - 1 - g.outW - left;
      phase = convWithPads(s, dy, flipped, top, bottom, left, right);
      if (hp !== phaseH || wp !== phaseW) {
        phase = s.run(
          'PadV2',
          { x: phase },
          {
            paddings: [
              [0, 0],
              [0, phaseH - hp],
              [0, phaseW - wp],
              [0, 0],
            ],
            constantValue: 0,
          },
        );
      }
      phases.push(phase);
    }
  }
  let out: TensorInfo;
  if (sh === 1 && sw === 1) {
    out = phases[0];
  } else {
    out = interleavePhases(backend as Backend, phases, sh, sw, [n, g.inH, g.inW, ci], phaseH, phaseW);
  }
  return s.finish(out);
}

/**
 * Interleave the s_h·s_w phase outputs ([N, Hp, Wp, C] each, phase index py·s_w + px) into [N, H, W, C]:
 * out[n, y·s_h + py, x·s_w + px, c] = phase[py·s_w + px][n, y, x, c]. A plain loop over the heap: wasm's
 * 6-D Transpose and DepthToSpace are an order of magnitude slower for this.
 */
function interleavePhases(
  b: Backend,
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

/**
 * BatchMatMul with transposed operands: wasm's kernel is ~20× slower with transposeA/B than an explicit
 * 3-D transpose followed by the plain product (dense-layer gradients use both forms).
 */
function makeTransposingMatMul(name: string, original: (a: any) => TensorInfo) {
  return ({
    inputs,
    backend,
    attrs,
  }: {
    inputs: Record<string, TensorInfo>;
    backend: any;
    attrs: Attrs;
  }): TensorInfo => {
    if (!attrs.transposeA && !attrs.transposeB) return original({ inputs, backend, attrs });
    const s = new KernelScope(backend);
    const flip = (t: TensorInfo) => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return s.run('Transpose', { x: t }, { perm });
    };
    const a = attrs.transposeA ? flip(inputs.a) : inputs.a;
    const b = attrs.transposeB ? flip(inputs.b) : inputs.b;
    const out = original({
      inputs: { ...inputs, a, b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    s.finish(out);
    return out;
  };
}

/** GatherV2 along axis 0 as row copies: the shipped kernel is ~20× slower on large rows (images). */
function makeRowGather(original: (a: any) => TensorInfo) {
  return ({
    inputs,
    backend,
    attrs,
  }: {
    inputs: Record<string, TensorInfo>;
    backend: any;
    attrs: Attrs;
  }): TensorInfo => {
    const { x, indices } = inputs;
    const axis = Number(attrs.axis ?? 0);
    if (
      (axis !== 0 && axis !== -x.shape.length) ||
      Number(attrs.batchDims ?? 0) !== 0 ||
      x.shape.length < 2 ||
      x.dtype === 'string'
    ) {
      return original({ inputs, backend, attrs });
    }
    const b = backend as Backend;
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
  };
}

function unsortedSegmentSum({
  inputs,
  backend,
  attrs,
}: {
  inputs: Record<string, TensorInfo>;
  backend: any;
  attrs: Attrs;
}): TensorInfo {
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments as number;
  const b = backend as Backend;
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
}

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  const kernels: Array<[string, (a: any) => TensorInfo]> = [
    ['Conv2DBackpropFilter', conv2DBackpropFilter],
    ['Conv2DBackpropInput', conv2DBackpropInput],
    ['UnsortedSegmentSum', unsortedSegmentSum],
  ];
  const gather = tf.getKernel('GatherV2', 'wasm');
  if (gather) kernels.push(['GatherV2', makeRowGather(gather.kernelFunc as any)]);
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const k = tf.getKernel(name, 'wasm');
    if (k) kernels.push([name, makeTransposingMatMul(name, k.kernelFunc as any)]);
  }
  for (const [kernelName, kernelFunc] of kernels) {
    // Replace the shipped (slow) version where there is one.
    const shipped = tf.getKernel(kernelName, 'wasm');
    if (shipped) tf.unregisterKernel(kernelName, 'wasm');
    // Keep the shipped kernel's setup (it binds the wasm function our wrapper still calls).
    tf.registerKernel({ ...(shipped ?? {}), kernelName, backendName: 'wasm', kernelFunc: kernelFunc as any });
  }
}
