/** Registers the kernels the wasm backend needs for training and does not ship (or ships too slowly). */
import {
  BatchMatMul,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  GatherV2,
  Sum,
  UnsortedSegmentSum,
  _FusedMatMul,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { conv2DBackpropFilter, conv2DBackpropInput } from './conv-grads.js';
import { leadingSum, rowGather, transposingMatMul, unsortedSegmentSum } from './fast-paths.js';

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  const kernels: Array<[string, KernelFunc]> = [
    [Conv2DBackpropFilter, conv2DBackpropFilter],
    [Conv2DBackpropInput, conv2DBackpropInput],
    [UnsortedSegmentSum, unsortedSegmentSum],
  ];
  const gather = getKernel(GatherV2, 'wasm');
  if (gather) kernels.push([GatherV2, rowGather(gather.kernelFunc)]);
  const sum = getKernel(Sum, 'wasm');
  if (sum) kernels.push([Sum, leadingSum(sum.kernelFunc)]);
  for (const name of [BatchMatMul, _FusedMatMul]) {
    const k = getKernel(name, 'wasm');
    if (k) kernels.push([name, transposingMatMul(k.kernelFunc)]);
  }
  for (const [kernelName, kernelFunc] of kernels) {
    // Replace the shipped (slow) version where there is one.
    const shipped = getKernel(kernelName, 'wasm');
    if (shipped) unregisterKernel(kernelName, 'wasm');
    // Keep the shipped kernel's setup (it binds the wasm function our wrapper still calls).
    registerKernel({ ...(shipped ?? {}), kernelName, backendName: 'wasm', kernelFunc });
  }
}
