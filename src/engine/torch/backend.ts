/**
 * The tfjs `KernelBackend` whose tensor storage is owned by libtorch. A tfjs dataId is a small object holding
 * the native slot number and tfjs's reference count; the native tensor is freed when the count reaches zero.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import type { TensorArg, TorchAddon } from './native.js';
import { DT } from './op-tables.js';

/** What a dataId of this backend carries. */
export interface TorchData {
  slot: number;
  refCount: number;
  dtype: DataType;
}

export function dtCode(dtype: DataType): DT {
  switch (dtype) {
    case 'float32':
      return DT.F32;
    case 'int32':
      return DT.I32;
    case 'bool':
      return DT.BOOL;
    default:
      throw new Error(`torch backend: dtype '${dtype}' is not supported (float32, int32 and bool are)`);
  }
}

export class TorchBackend extends tf.KernelBackend {
  private readonly data = new Set<TorchData>();

  constructor(
    readonly native: TorchAddon,
    readonly device: string,
  ) {
    super();
  }

  /** The native slot of a tensor of this backend. */
  slot(t: TensorInfo): number {
    return (t.dataId as TorchData).slot;
  }

  /** A tensor as the addon's named arguments take it. */
  arg(t: TensorInfo): TensorArg {
    return { slot: this.slot(t), shape: t.shape };
  }

  /** Wrap a slot the addon returned as a tfjs TensorInfo (the slot's element count must match the shape). */
  output(slot: number, shape: number[], dtype: DataType): TensorInfo {
    const d: TorchData = { slot, refCount: 1, dtype };
    this.data.add(d);
    return { dataId: d, shape, dtype };
  }

  /** A new TensorInfo sharing `x`'s storage (reshape, identity): no copy, one more reference. */
  share(x: TensorInfo, shape: number[]): TensorInfo {
    this.incRef(x.dataId);
    return { dataId: x.dataId, shape, dtype: x.dtype };
  }

  override write(values: tf.backend_util.BackendValues, _shape: number[], dtype: DataType): object {
    const d: TorchData = { slot: this.native.fromArray(asTyped(values, dtype), dtCode(dtype)), refCount: 1, dtype };
    this.data.add(d);
    return d;
  }

  override move(
    dataId: object,
    values: tf.backend_util.BackendValues,
    _shape: number[],
    dtype: DataType,
    refCount: number,
  ): void {
    const d = dataId as TorchData;
    d.slot = this.native.fromArray(asTyped(values, dtype), dtCode(dtype));
    d.refCount = refCount;
    d.dtype = dtype;
    this.data.add(d);
  }

  override readSync(dataId: object): tf.backend_util.BackendValues {
    const d = dataId as TorchData;
    if (!this.data.has(d)) throw new Error('torch backend: reading a disposed tensor');
    return this.native.toArray(d.slot);
  }

  override async read(dataId: object): Promise<tf.backend_util.BackendValues> {
    return this.readSync(dataId);
  }

  override refCount(dataId: object): number {
    const d = dataId as TorchData;
    return this.data.has(d) ? d.refCount : 0;
  }

  override incRef(dataId: object): void {
    (dataId as TorchData).refCount++;
  }

  override disposeData(dataId: object, force = false): boolean {
    const d = dataId as TorchData;
    if (!this.data.has(d)) return true;
    d.refCount--;
    if (!force && d.refCount > 0) return false;
    this.native.free(d.slot);
    this.data.delete(d);
    return true;
  }

  override numDataIds(): number {
    return this.data.size;
  }

  override memory(): { unreliable: boolean; nativeBytes: number; nativeTensors: number } {
    const m = this.native.memory();
    return { unreliable: false, nativeBytes: m.bytes, nativeTensors: m.live };
  }

  override timerAvailable(): boolean {
    return true;
  }

  override async time(f: () => void): Promise<tf.BackendTimingInfo> {
    const start = performance.now();
    f();
    return { kernelMs: performance.now() - start };
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override dispose(): void {
    for (const d of this.data) this.native.free(d.slot);
    this.data.clear();
  }
}

function asTyped(values: tf.backend_util.BackendValues, dtype: DataType): Float32Array | Int32Array | Uint8Array {
  if (dtype === 'float32')
    return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  if (dtype === 'int32') return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
  if (dtype === 'bool') return values instanceof Uint8Array ? values : Uint8Array.from(values as ArrayLike<number>);
  throw new Error(`torch backend: dtype '${dtype}' is not supported (float32, int32 and bool are)`);
}
