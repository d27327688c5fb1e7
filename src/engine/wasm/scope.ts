/** What the wasm training kernels use of tfjs-backend-wasm: its heap-backed outputs and its other kernels. */
import {
  getKernel,
  type DataType,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { Given } from '../kernel-types.js';

/** The parts of tfjs-backend-wasm's BackendWasm these kernels call. */
export interface WasmBackend {
  disposeData(dataId: object): boolean;
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export type WasmKernelFunc<I, A> = (inputs: Given<I>, backend: WasmBackend, attrs: A) => TensorInfo;

/** A tfjs KernelFunc from a kernel typed with tfjs's input and attribute types `I`, `A`. */
export function wasmKernel<I, A>(fn: WasmKernelFunc<I, A>): KernelFunc {
  return ({ inputs, backend, attrs }) =>
    fn(inputs as unknown as Given<I>, backend as WasmBackend, (attrs ?? {}) as unknown as A);
}

/** Runs other wasm kernels and frees the intermediates it made. */
export class KernelScope {
  private temps: TensorInfo[] = [];
  constructor(private readonly backend: WasmBackend) {}

  /** Run the wasm kernel `kernelName`; callers type `attrs` with tfjs's attribute type of that kernel. */
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const k = getKernel(kernelName, 'wasm');
    if (!k) throw new Error(`wasm backend lacks kernel '${kernelName}'`);
    const out = k.kernelFunc({ inputs, backend: this.backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  /** Track an intermediate made outside `run` (e.g. by layout.ts) so that `finish` frees it. */
  keep(t: TensorInfo): TensorInfo {
    this.temps.push(t);
    return t;
  }

  /** Free every intermediate except `keep`. */
  finish(keep: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t.dataId !== keep.dataId) this.backend.disposeData(t.dataId);
    this.temps = [];
    return keep;
  }
}
