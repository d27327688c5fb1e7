/**
 * Loads the native addon (native/build/Release/disentangle_torch.node, built by `npm run build:native`)
 * and describes its functions. Slots are integers naming flat libtorch tensors; shapes travel with calls.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Order must match the Unary enum in native/src/addon.cc. */
export const UNARY = [
  'Abs',
  'Acos',
  'Acosh',
  'Asin',
  'Asinh',
  'Atan',
  'Atanh',
  'Ceil',
  'Cos',
  'Cosh',
  'Elu',
  'Erf',
  'Exp',
  'Expm1',
  'Floor',
  'IsFinite',
  'IsInf',
  'IsNan',
  'Log',
  'Log1p',
  'LogicalNot',
  'Neg',
  'Reciprocal',
  'Relu',
  'Relu6',
  'Round',
  'Rsqrt',
  'Selu',
  'Sigmoid',
  'Sign',
  'Sin',
  'Sinh',
  'Softplus',
  'Sqrt',
  'Square',
  'Tan',
  'Tanh',
] as const;

/** Order must match the Binary enum in native/src/addon.cc. */
export const BINARY = [
  'Add',
  'Sub',
  'Multiply',
  'RealDiv',
  'FloorDiv',
  'Mod',
  'Maximum',
  'Minimum',
  'Pow',
  'SquaredDifference',
  'Atan2',
  'Equal',
  'NotEqual',
  'Less',
  'LessEqual',
  'Greater',
  'GreaterEqual',
  'LogicalAnd',
  'LogicalOr',
  'Prelu',
] as const;

export enum Param {
  LeakyRelu = 0,
  Step = 1,
  Clip = 2,
  FillLike = 3,
}
export enum Reduce {
  Sum = 0,
  Mean = 1,
  Max = 2,
  Min = 3,
  Prod = 4,
  All = 5,
  Any = 6,
  ArgMax = 7,
  ArgMin = 8,
}
/** Fused activations, as numbered in addon.cc's activate(). */
export const ACTIVATIONS: Record<string, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  sigmoid: 4,
  leakyrelu: 5,
  prelu: 6,
};

/** dtype codes shared with the addon. */
export enum DT {
  F32 = 0,
  I32 = 1,
  BOOL = 2,
}

type Shape = number[];
export interface TorchAddon {
  init(threads: number, device: string): { version: string; cuda: boolean; mkldnn: boolean; threads: number };
  fromArray(values: Float32Array | Int32Array | Uint8Array, dtype: DT): number;
  toArray(slot: number): Float32Array | Int32Array | Uint8Array;
  free(slot: number): void;
  memory(): { live: number; bytes: number };
  copy(slot: number, dtype: DT): number;
  unary(op: number, slot: number, out: DT): number;
  param(op: Param, slot: number, a: number, b: number, out: DT): number;
  binary(op: number, a: number, aShape: Shape, b: number, bShape: Shape, out: DT, compute: DT): number;
  select(c: number, cShape: Shape, a: number, aShape: Shape, b: number, bShape: Shape, out: DT): number;
  addN(slots: number[], out: DT): number;
  reduce(op: Reduce, slot: number, shape: Shape, axes: number[], out: DT): number;
  softmax(slot: number, shape: Shape, dim: number, log: boolean): number;
  cumsum(slot: number, shape: Shape, axis: number, exclusive: boolean, reverse: boolean, out: DT): number;
  transpose(slot: number, shape: Shape, perm: number[], out: DT): number;
  stridedSlice(slot: number, shape: Shape, begin: number[], end: number[], strides: number[], out: DT): number;
  concat(slots: number[], shapes: Shape[], axis: number, out: DT): number;
  pad(slot: number, shape: Shape, before: number[], after: number[], value: number, out: DT): number;
  mirrorPad(slot: number, shape: Shape, before: number[], after: number[], reflect: boolean, out: DT): number;
  tile(slot: number, shape: Shape, reps: number[], out: DT): number;
  broadcastTo(slot: number, shape: Shape, outShape: Shape, out: DT): number;
  reverse(slot: number, shape: Shape, dims: number[], out: DT): number;
  gather(slot: number, shape3: Shape, indices: number, out: DT): number;
  gatherNd(slot: number, shape2: Shape, flatIndices: number, out: DT): number;
  unsortedSegmentSum(slot: number, shape2: Shape, segmentIds: number, numSegments: number, out: DT): number;
  oneHot(indices: number, depth: number, on: number, off: number, out: DT): number;
  fill(n: number, value: number, out: DT): number;
  range(start: number, step: number, n: number, out: DT): number;
  diag(slot: number, out: DT): number;
  matMul(
    a: number,
    aShape: Shape,
    b: number,
    bShape: Shape,
    transA: boolean,
    transB: boolean,
    bias: number,
    biasShape: Shape,
    act: number,
    alpha: number,
    prelu: number,
    preluShape: Shape,
  ): number;
  conv2d(
    x: number,
    xShape: Shape,
    w: number,
    wShape: Shape,
    geom: number[],
    depthwise: boolean,
    bias: number,
    biasShape: Shape,
    act: number,
    alpha: number,
    prelu: number,
    preluShape: Shape,
  ): number;
  conv2dBackpropInput(
    dy: number,
    dyShape: Shape,
    w: number,
    wShape: Shape,
    inShape: Shape,
    geom: number[],
    depthwise: boolean,
  ): number;
  conv2dBackpropFilter(
    x: number,
    xShape: Shape,
    dy: number,
    dyShape: Shape,
    wShape: Shape,
    geom: number[],
    depthwise: boolean,
  ): number;
  adam(
    v: number,
    m: number,
    s: number,
    g: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    b1p: number,
    b2p: number,
  ): [number, number, number];
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where the built addon lives (DISENTANGLE_TORCH_ADDON overrides). */
export function addonPath(): string {
  return (
    process.env.DISENTANGLE_TORCH_ADDON ?? join(packageRoot, 'native', 'build', 'Release', 'disentangle_torch.node')
  );
}

let loaded: TorchAddon | null = null;
let loadError: string | null = null;

/** The addon, or null with `addonUnavailableReason()` saying why. */
export function loadAddon(): TorchAddon | null {
  if (loaded || loadError) return loaded;
  const path = addonPath();
  if (!existsSync(path)) {
    loadError = `not built: run 'npm run build:native' (needs apt-get install -y libtorch-dev, or LIBTORCH_DIR)`;
    return null;
  }
  try {
    loaded = createRequire(import.meta.url)(path) as TorchAddon;
  } catch (e) {
    loadError = `${path} failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
  return loaded;
}

export function addonUnavailableReason(): string | null {
  loadAddon();
  return loaded ? null : loadError;
}
