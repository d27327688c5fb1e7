/**
 * The tfjs kernels of the `torch` backend, by concern. Kernels the backend lacks are simply not registered:
 * tfjs then fails with "Kernel 'X' not registered for backend 'torch'", which names it — never a silent
 * fallback to slow code.
 */
import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { convKernels } from './conv.js';
import { elementwiseKernels } from './elementwise.js';
import { indexingKernels } from './indexing.js';
import { layoutKernels } from './layout.js';
import { matMulKernels } from './matmul.js';
import { reductionKernels } from './reductions.js';
import { slicingKernels } from './slicing.js';

const kernels: KernelConfig[] = [
  ...layoutKernels,
  ...elementwiseKernels,
  ...reductionKernels,
  ...slicingKernels,
  ...indexingKernels,
  ...matMulKernels,
  ...convKernels,
];

/** Register every kernel of the `torch` backend (idempotent). */
export function registerTorchKernels(): void {
  for (const k of kernels) {
    if (!getKernel(k.kernelName, 'torch')) registerKernel(k);
  }
}
