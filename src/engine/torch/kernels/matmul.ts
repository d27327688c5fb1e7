/** Matrix products: BatchMatMul and _FusedMatMul (bias and activation fused). */
import {
  BatchMatMul,
  _FusedMatMul,
  backend_util,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelConfig,
  type TensorInfo,
  type _FusedMatMulAttrs,
  type _FusedMatMulInputs,
} from '@tensorflow/tfjs-core';
import type { TorchBackend } from '../backend.js';
import { epilogue, type FusedParts } from './epilogue.js';
import { kernel } from './kernel.js';

function matMul(x: TensorInfo, y: TensorInfo, a: BatchMatMulAttrs, fused: FusedParts, b: TorchBackend): TensorInfo {
  const transposeA = Boolean(a.transposeA);
  const transposeB = Boolean(a.transposeB);
  const ra = x.shape.length;
  const rb = y.shape.length;
  const m = transposeA ? x.shape[ra - 1] : x.shape[ra - 2];
  const k = transposeA ? x.shape[ra - 2] : x.shape[ra - 1];
  const k2 = transposeB ? y.shape[rb - 1] : y.shape[rb - 2];
  const n = transposeB ? y.shape[rb - 2] : y.shape[rb - 1];
  if (k !== k2) throw new Error(`MatMul: inner dimensions ${k} and ${k2} of shapes ${x.shape} and ${y.shape} differ`);
  const batch = backend_util.assertAndGetBroadcastShape(x.shape.slice(0, -2), y.shape.slice(0, -2));
  const slot = b.native.matMul({ a: b.arg(x), b: b.arg(y), transposeA, transposeB, ...epilogue(b, fused) });
  return b.output(slot, [...batch, m, n], 'float32');
}

export const matMulKernels: KernelConfig[] = [
  kernel<BatchMatMulInputs, BatchMatMulAttrs>(BatchMatMul, ({ a: x, b: y }, b, attrs) => matMul(x, y, attrs, {}, b)),
  kernel<_FusedMatMulInputs, _FusedMatMulAttrs>(_FusedMatMul, (inputs, b, attrs) =>
    matMul(inputs.a, inputs.b, attrs, { ...inputs, ...attrs }, b),
  ),
];
