/**
 * Loads the native addon (native/build/Release/disentangle_torch.node, built by `npm run build:native`)
 * and describes its functions. Slots are integers naming flat libtorch tensors; shapes travel with calls.
 * Functions with many arguments take one object of named arguments (the C++ side reads them by name).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkOpTables,
  type Activation,
  type Binary,
  type DT,
  type OpTables,
  type Param,
  type Reduce,
  type Unary,
} from './op-tables.js';

type Shape = number[];

/** A tensor argument: the slot's flat storage, viewed with `shape`. */
export interface TensorArg {
  slot: number;
  shape: Shape;
}

/** What matMul and conv2d apply to their result: an added bias (broadcast), then the activation. */
export interface Epilogue {
  bias?: TensorArg;
  activation: Activation;
  /** Slope of LeakyRelu below zero. */
  leakyreluAlpha: number;
  /** PReLU weights (activation Prelu). */
  prelu?: TensorArg;
}

export interface MatMulArgs extends Epilogue {
  a: TensorArg;
  b: TensorArg;
  transposeA: boolean;
  transposeB: boolean;
}

/** Strides, dilations, padding (tfjs's split of SAME padding) and groups of a convolution. */
export interface ConvGeometry {
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  groups: number;
}

/** NHWC input, tfjs filter layout ([kh, kw, ci, co], depthwise [kh, kw, c, m]). */
export interface Conv2DArgs extends Epilogue {
  x: TensorArg;
  filter: TensorArg;
  geometry: ConvGeometry;
  depthwise: boolean;
}

export interface Conv2DBackpropInputArgs {
  dy: TensorArg;
  filter: TensorArg;
  /** NHWC shape of the forward input. */
  inShape: Shape;
  geometry: ConvGeometry;
  depthwise: boolean;
}

export interface Conv2DBackpropFilterArgs {
  x: TensorArg;
  dy: TensorArg;
  filterShape: Shape;
  geometry: ConvGeometry;
  depthwise: boolean;
}

/** Slots of a variable, its Adam moments and its gradient; Adam's settings; β1^t and β2^t. */
export interface AdamArgs {
  variable: number;
  m: number;
  v: number;
  gradient: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  beta1Power: number;
  beta2Power: number;
}

export interface TorchAddon {
  opTables(): OpTables;
  init(threads: number, device: string): { version: string; cuda: boolean; mkldnn: boolean; threads: number };
  fromArray(values: Float32Array | Int32Array | Uint8Array, dtype: DT): number;
  toArray(slot: number): Float32Array | Int32Array | Uint8Array;
  free(slot: number): void;
  memory(): { live: number; bytes: number };
  copy(slot: number, dtype: DT): number;
  unary(op: Unary, slot: number, out: DT): number;
  param(op: Param, slot: number, a: number, b: number, out: DT): number;
  binary(op: Binary, a: number, aShape: Shape, b: number, bShape: Shape, out: DT, compute: DT): number;
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
  matMul(args: MatMulArgs): number;
  /** Convolutions and matrix products in bfloat16 (operands cast, results cast back) or float32; process-wide. */
  setPrecision?(precision: 'fp32' | 'bf16'): string;
  conv2d(args: Conv2DArgs): number;
  conv2dBackpropInput(args: Conv2DBackpropInputArgs): number;
  conv2dBackpropFilter(args: Conv2DBackpropFilterArgs): number;
  /** -> slots of the updated variable, m and v. */
  adam(args: AdamArgs): [number, number, number];
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

/** The addon, or null with `addonUnavailableReason()` saying why (not built, fails to load, out of date). */
export function loadAddon(): TorchAddon | null {
  if (loaded || loadError) return loaded;
  const path = addonPath();
  if (!existsSync(path)) {
    loadError = `not built: run 'npm run build:native' (needs apt-get install -y libtorch-dev, or LIBTORCH_DIR)`;
    return null;
  }
  let addon: TorchAddon;
  try {
    addon = createRequire(import.meta.url)(path) as TorchAddon;
  } catch (e) {
    loadError = `${path} failed to load: ${(e as Error).message.split('\n')[0]}`;
    return null;
  }
  try {
    // An addon built before op tables existed has no opTables(): it is out of date too.
    checkOpTables(typeof addon.opTables === 'function' ? addon.opTables() : undefined);
  } catch (e) {
    loadError = `${path}: ${(e as Error).message}`;
    return null;
  }
  loaded = addon;
  return loaded;
}

export function addonUnavailableReason(): string | null {
  loadAddon();
  return loaded ? null : loadError;
}
