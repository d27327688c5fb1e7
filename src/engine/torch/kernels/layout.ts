/**
 * Layout kernels: views that share storage (Identity, Reshape, ExpandDims; Cast to the same dtype), and
 * ops that move elements (Transpose, padding, Tile, Reverse, BroadcastTo).
 */
import {
  BroadcastTo,
  Cast,
  ExpandDims,
  Identity,
  MirrorPad,
  PadV2,
  Reshape,
  Reverse,
  Tile,
  Transpose,
  util,
  type BroadCastToAttrs,
  type BroadcastToInputs,
  type CastAttrs,
  type CastInputs,
  type ExpandDimsAttrs,
  type ExpandDimsInputs,
  type IdentityInputs,
  type KernelConfig,
  type MirrorPadAttrs,
  type MirrorPadInputs,
  type PadV2Attrs,
  type PadV2Inputs,
  type ReshapeAttrs,
  type ReshapeInputs,
  type ReverseAttrs,
  type ReverseInputs,
  type TileAttrs,
  type TileInputs,
  type TransposeAttrs,
  type TransposeInputs,
} from '@tensorflow/tfjs-core';
import { dtCode } from '../backend.js';
import { kernel, size } from './kernel.js';

/** Output shape of a padding: each dim grows by its [before, after]. */
const padded = (shape: number[], paddings: Array<[number, number]>) =>
  shape.map((s, i) => s + paddings[i][0] + paddings[i][1]);

export const layoutKernels: KernelConfig[] = [
  kernel<IdentityInputs>(Identity, ({ x }, b) => b.share(x, x.shape)),
  kernel<ReshapeInputs, ReshapeAttrs>(Reshape, ({ x }, b, { shape }) =>
    b.share(x, util.inferFromImplicitShape([...shape], size(x.shape))),
  ),
  kernel<ExpandDimsInputs, ExpandDimsAttrs>(ExpandDims, ({ input }, b, { dim }) => {
    const shape = [...input.shape];
    shape.splice(dim < 0 ? dim + shape.length + 1 : dim, 0, 1);
    return b.share(input, shape);
  }),
  kernel<CastInputs, CastAttrs>(Cast, ({ x }, b, { dtype }) => {
    if (dtype === x.dtype) return b.share(x, x.shape);
    return b.output(b.native.copy(b.slot(x), dtCode(dtype)), x.shape, dtype);
  }),

  kernel<TransposeInputs, TransposeAttrs>(Transpose, ({ x }, b, { perm }) =>
    b.output(
      b.native.transpose(b.slot(x), x.shape, perm, dtCode(x.dtype)),
      perm.map((p) => x.shape[p]),
      x.dtype,
    ),
  ),

  kernel<PadV2Inputs, PadV2Attrs>(PadV2, ({ x }, b, { paddings, constantValue }) => {
    const before = paddings.map((p) => p[0]);
    const after = paddings.map((p) => p[1]);
    const slot = b.native.pad(b.slot(x), x.shape, before, after, constantValue, dtCode(x.dtype));
    return b.output(slot, padded(x.shape, paddings), x.dtype);
  }),
  kernel<MirrorPadInputs, MirrorPadAttrs>(MirrorPad, ({ x }, b, { paddings, mode }) => {
    const before = paddings.map((p) => p[0]);
    const after = paddings.map((p) => p[1]);
    const slot = b.native.mirrorPad(b.slot(x), x.shape, before, after, mode === 'reflect', dtCode(x.dtype));
    return b.output(slot, padded(x.shape, paddings), x.dtype);
  }),

  kernel<TileInputs, TileAttrs>(Tile, ({ x }, b, { reps }) =>
    b.output(
      b.native.tile(b.slot(x), x.shape, reps, dtCode(x.dtype)),
      x.shape.map((s, i) => s * reps[i]),
      x.dtype,
    ),
  ),
  kernel<ReverseInputs, ReverseAttrs>(Reverse, ({ x }, b, a) => {
    const dims = util.parseAxisParam(a.dims, x.shape);
    return b.output(b.native.reverse(b.slot(x), x.shape, dims, dtCode(x.dtype)), x.shape, x.dtype);
  }),
  kernel<BroadcastToInputs, BroadCastToAttrs>(BroadcastTo, ({ x }, b, { shape }) => {
    const ones = new Array<number>(shape.length - x.shape.length).fill(1);
    return b.output(b.native.broadcastTo(b.slot(x), [...ones, ...x.shape], shape, dtCode(x.dtype)), shape, x.dtype);
  }),
];
