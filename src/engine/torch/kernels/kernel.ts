/**
 * How the torch backend's kernels are written: as tfjs's own backends write theirs, a function typed with
 * tfjs's input and attribute types of the kernel, and a `KernelConfig` under tfjs's kernel-name constant.
 * Each kernel works out tfjs's output shape and dtype in JS (tfjs is the authority on shapes) and asks the
 * addon for the data.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import type { Given } from '../../kernel-types.js';
import type { TorchBackend } from '../backend.js';

export type { Given };

/** No inputs (Fill, Range) or no attributes. */
export type NoInputs = Record<string, never>;
export type NoAttrs = Record<string, never>;

export type TorchKernelFunc<I, A> = (inputs: Given<I>, backend: TorchBackend, attrs: A) => TensorInfo | TensorInfo[];

/** The `KernelConfig` of a torch kernel: `I` and `A` are tfjs's input and attribute types of `kernelName`. */
export function kernel<I, A = NoAttrs>(kernelName: string, fn: TorchKernelFunc<I, A>): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) =>
    fn(inputs as unknown as Given<I>, backend as TorchBackend, (attrs ?? {}) as unknown as A);
  return { kernelName, backendName: 'torch', kernelFunc };
}

export const size = (shape: number[]): number => util.sizeFromShape(shape);
