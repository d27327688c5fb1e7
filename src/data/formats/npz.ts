/**
 * NumPy .npy / .npz: read and write (C order, little-endian). An .npz is a zip of .npy members, stored or
 * deflated. Written atomically; truncated or corrupt files give an error naming the file and the problem.
 */
import { readFileSync } from 'node:fs';
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { UserError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';

export type DType =
  'uint8' | 'int8' | 'uint16' | 'int16' | 'int32' | 'uint32' | 'int64' | 'float32' | 'float64' | 'bool';
export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

export interface NdArray {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

const DESCR: Record<DType, string> = {
  uint8: '|u1',
  int8: '|i1',
  uint16: '<u2',
  int16: '<i2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  float32: '<f4',
  float64: '<f8',
  bool: '|b1',
};
const FROM_DESCR: Record<string, DType> = Object.fromEntries(Object.entries(DESCR).map(([k, v]) => [v, k as DType]));
FROM_DESCR['<b1'] = 'bool';
FROM_DESCR['|i1'] = 'int8';
FROM_DESCR['<u1'] = 'uint8';
FROM_DESCR['<i1'] = 'int8';
/** The typed array of each dtype, viewed over a copy of its bytes. */
const CTOR: Record<
  DType,
  { BYTES_PER_ELEMENT: number; new (buffer: ArrayBuffer, offset: number, length: number): TypedArray }
> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
  bool: Uint8Array,
};

export function writeNpy(arr: NdArray): Uint8Array {
  const n = arr.shape.reduce((a, b) => a * b, 1);
  if (arr.data.length !== n) throw new Error(`writeNpy: ${arr.data.length} values for shape [${arr.shape}]`);
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[arr.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + arr.data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength), 10 + header.length);
  return out;
}

/** Parse an .npy header: dtype, shape and the byte offset of the data. */
export function parseNpyHeader(
  bytes: Uint8Array,
  where = 'npy',
): { dtype: DType; shape: number[]; dataOffset: number } {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    throw new UserError(`${where}: not an .npy array (bad magic)`);
  }
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start + hlen) throw new UserError(`${where}: truncated .npy header`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeStr === undefined)
    throw new UserError(`${where}: unreadable .npy header '${header.trim()}'`);
  if (fortran === 'True')
    throw new UserError(`${where}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  if (descr.startsWith('>'))
    throw new UserError(
      `${where}: big-endian dtype '${descr}' is not supported; convert with .astype('<${descr.slice(1)}')`,
    );
  if (descr === '|O') throw new UserError(`${where}: pickled object arrays are not supported`);
  const dtype = FROM_DESCR[descr];
  if (!dtype)
    throw new UserError(`${where}: unsupported dtype '${descr}' (supported: ${Object.values(DESCR).join(', ')})`);
  const shape = shapeStr
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length)
    .map(Number);
  return { dtype, shape, dataOffset: start + hlen };
}

export function readNpy(bytes: Uint8Array, where = 'npy'): NdArray {
  const { dtype, shape, dataOffset } = parseNpyHeader(bytes, where);
  const n = shape.reduce((a, b) => a * b, 1);
  const ctor = CTOR[dtype];
  const nbytes = n * ctor.BYTES_PER_ELEMENT;
  if (bytes.length - dataOffset < nbytes)
    throw new UserError(`${where}: truncated: expected ${nbytes} bytes of data, found ${bytes.length - dataOffset}`);
  const copy = new Uint8Array(bytes.subarray(dataOffset, dataOffset + nbytes)); // a copy (Buffer.slice would be a view)
  return { dtype, shape, data: new ctor(copy.buffer, 0, n) };
}

// ---- zip (the subset numpy writes: no encryption, no multi-disk; zip64 sizes read) ----

let crcTable: Uint32Array | null = null;
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function writeNpz(path: string, arrays: Record<string, NdArray>, compress = false): void {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [key, arr] of Object.entries(arrays)) {
    const name = new TextEncoder().encode(`${key}.npy`);
    const raw = writeNpy(arr);
    const body = compress ? new Uint8Array(deflateRawSync(raw)) : raw;
    const crc = crc32(raw);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, compress ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, raw.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, compress ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, raw.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    parts.push(local, body);
    central.push(cd);
    offset += local.length + body.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...parts, ...central, end]) {
    all.set(part, p);
    p += part.length;
  }
  writeFileAtomic(path, all);
}

export function readNpz(path: string): Record<string, NdArray> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(
      `cannot read ${path}: ${
        { ENOENT: 'no such file', EISDIR: 'it is a folder, not an .npz file' }[
          (e as NodeJS.ErrnoException).code ?? ''
        ] ?? (e as Error).message
      }`,
    );
  }
  return parseNpz(bytes, path);
}

export function parseNpz(bytes: Uint8Array, where = 'npz'): Record<string, NdArray> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new UserError(`${where}: not an .npz (zip) file, or truncated (no end-of-archive record)`);
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out: Record<string, NdArray> = {};
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== 0x02014b50)
      throw new UserError(`${where}: corrupt zip directory`);
    const method = dv.getUint16(p + 10, true);
    let csize = dv.getUint32(p + 20, true);
    let usize = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true);
    const xlen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    let loff = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nlen));
    // zip64 extra field: sizes/offset stored as 64-bit when the 32-bit fields are 0xffffffff
    let x = p + 46 + nlen;
    const xend = x + xlen;
    while (x + 4 <= xend) {
      const id = dv.getUint16(x, true),
        sz = dv.getUint16(x + 2, true);
      if (id === 1) {
        let q = x + 4;
        if (usize === 0xffffffff) {
          usize = Number(dv.getBigUint64(q, true));
          q += 8;
        }
        if (csize === 0xffffffff) {
          csize = Number(dv.getBigUint64(q, true));
          q += 8;
        }
        if (loff === 0xffffffff) {
          loff = Number(dv.getBigUint64(q, true));
          q += 8;
        }
      }
      x += 4 + sz;
    }
    p = xend + clen;
    if (loff + 30 > bytes.length) throw new UserError(`${where}: truncated (member '${name}')`);
    const start = loff + 30 + dv.getUint16(loff + 26, true) + dv.getUint16(loff + 28, true);
    if (start + csize > bytes.length)
      throw new UserError(`${where}: truncated: member '${name}' needs ${csize} bytes, file ends early`);
    const body = bytes.subarray(start, start + csize);
    let raw: Uint8Array;
    if (method === 0) raw = body;
    else if (method === 8) {
      try {
        raw = inflateRawSync(body);
      } catch {
        throw new UserError(`${where}: member '${name}' is corrupt (inflate failed)`);
      }
    } else throw new UserError(`${where}: member '${name}' uses unsupported zip compression method ${method}`);
    if (raw.length !== usize)
      throw new UserError(`${where}: member '${name}' has ${raw.length} bytes, expected ${usize}`);
    const key = name.endsWith('.npy') ? name.slice(0, -4) : name;
    out[key] = readNpy(raw, `${where}:${key}`);
  }
  return out;
}

/** Any integer or float array as float64 / int32 (int64 values must fit). */
export function toFloat64(a: NdArray): Float64Array {
  return a.data instanceof BigInt64Array
    ? Float64Array.from(a.data, (v) => Number(v))
    : Float64Array.from(a.data as ArrayLike<number>);
}
export function toInt32(a: NdArray, where = 'array'): Int32Array {
  if (a.dtype === 'float32' || a.dtype === 'float64') {
    const d = a.data as Float32Array;
    for (let i = 0; i < d.length; i++)
      if (!Number.isInteger(d[i])) throw new UserError(`${where} must hold integer labels, found ${d[i]}`);
  }
  return a.data instanceof BigInt64Array
    ? Int32Array.from(a.data, (v) => Number(v))
    : Int32Array.from(a.data as ArrayLike<number>);
}
