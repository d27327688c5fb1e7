/**
 * MATLAB Level-5 .mat files (the subset the field's Cars3D files use): numeric arrays, optionally inside
 * zlib-compressed elements. Arrays come back as stored, column-major (Fortran order) with their dims.
 */
import { inflateSync, deflateSync } from 'node:zlib';
import { UserError } from '../../util/errors.js';

const miINT8 = 1,
  miUINT8 = 2,
  miINT16 = 3,
  miUINT16 = 4,
  miINT32 = 5,
  miUINT32 = 6,
  miSINGLE = 7,
  miDOUBLE = 9,
  miMATRIX = 14,
  miCOMPRESSED = 15;

export interface MatArray {
  name: string;
  dims: number[];
  /** Column-major values. */
  data: Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
}

function typed(type: number, bytes: Uint8Array, where: string) {
  const copy = new Uint8Array(bytes).buffer;
  switch (type) {
    case miINT8:
      return new Int8Array(copy);
    case miUINT8:
      return new Uint8Array(copy);
    case miINT16:
      return new Int16Array(copy);
    case miUINT16:
      return new Uint16Array(copy);
    case miINT32:
      return new Int32Array(copy);
    case miUINT32:
      return new Uint32Array(copy);
    case miSINGLE:
      return new Float32Array(copy);
    case miDOUBLE:
      return new Float64Array(copy);
    default:
      throw new UserError(`${where}: unsupported MAT data type ${type}`);
  }
}

/** Read one data element at `off`: its type, payload and the offset of the next element (8-byte aligned). */
function element(buf: Uint8Array, off: number, where: string): { type: number; body: Uint8Array; next: number } {
  if (off + 8 > buf.length) throw new UserError(`${where}: truncated .mat file`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const first = dv.getUint32(off, true);
  if (first >> 16 !== 0) {
    // small data element: type and size packed in 4 bytes
    const type = first & 0xffff,
      size = first >> 16;
    return { type, body: buf.subarray(off + 4, off + 4 + size), next: off + 8 };
  }
  const size = dv.getUint32(off + 4, true);
  if (off + 8 + size > buf.length)
    throw new UserError(`${where}: truncated .mat file (element of ${size} bytes at ${off})`);
  const body = buf.subarray(off + 8, off + 8 + size);
  return { type: first, body, next: first === miCOMPRESSED ? off + 8 + size : off + 8 + Math.ceil(size / 8) * 8 };
}

function parseMatrix(body: Uint8Array, where: string): MatArray {
  let off = 0;
  const flags = element(body, off, where);
  off = flags.next;
  const dimsEl = element(body, off, where);
  off = dimsEl.next;
  const nameEl = element(body, off, where);
  off = nameEl.next;
  const real = element(body, off, where);
  const cls = flags.body[0];
  if (cls < 6 || cls > 13) throw new UserError(`${where}: only numeric arrays are supported (MAT class ${cls})`);
  return {
    name: new TextDecoder().decode(nameEl.body),
    dims: Array.from(new Int32Array(new Uint8Array(dimsEl.body).buffer)),
    data: typed(real.type, real.body, where),
  };
}

export function parseMat(buf: Uint8Array, where = 'mat'): Record<string, MatArray> {
  if (buf.length < 128) throw new UserError(`${where}: not a MATLAB 5 .mat file (too short)`);
  const header = new TextDecoder().decode(buf.subarray(0, 116));
  if (header.startsWith('MATLAB 7.3') || new TextDecoder().decode(buf.subarray(0, 8)) === '\x89HDF\r\n\x1a\n') {
    throw new UserError(`${where}: a MATLAB 7.3 (HDF5) file; re-save it with -v7 or read it as .h5`);
  }
  if (!header.startsWith('MATLAB 5.0')) throw new UserError(`${where}: not a MATLAB 5 .mat file (bad header)`);
  if (String.fromCharCode(buf[126], buf[127]) !== 'IM')
    throw new UserError(`${where}: big-endian .mat files are not supported`);
  const out: Record<string, MatArray> = {};
  let off = 128;
  while (off + 8 <= buf.length) {
    const el = element(buf, off, where);
    let type = el.type,
      body = el.body;
    if (type === miCOMPRESSED) {
      let raw: Uint8Array;
      try {
        raw = inflateSync(body);
      } catch {
        throw new UserError(`${where}: corrupt compressed element at byte ${off}`);
      }
      const inner = element(raw, 0, where);
      type = inner.type;
      body = inner.body;
    }
    if (type === miMATRIX) {
      const m = parseMatrix(body, where);
      out[m.name] = m;
    }
    off = el.next;
  }
  return out;
}

/** Write a .mat (Level 5) file with compressed numeric arrays (column-major data); used by tests. */
export function writeMat(arrays: MatArray[]): Uint8Array {
  const pad8 = (n: number) => Math.ceil(n / 8) * 8;
  const el = (type: number, payload: Uint8Array) => {
    const out = new Uint8Array(8 + pad8(payload.length));
    const dv = new DataView(out.buffer);
    dv.setUint32(0, type, true);
    dv.setUint32(4, payload.length, true);
    out.set(payload, 8);
    return out;
  };
  const typeOf = (d: MatArray['data']): [number, number] =>
    d instanceof Uint8Array
      ? [miUINT8, 9]
      : d instanceof Float64Array
        ? [miDOUBLE, 6]
        : d instanceof Float32Array
          ? [miSINGLE, 7]
          : d instanceof Int32Array
            ? [miINT32, 12]
            : [miUINT8, 9];
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(128).fill(32);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, written by disentangle'));
  header[124] = 0;
  header[125] = 1;
  header[126] = 'I'.charCodeAt(0);
  header[127] = 'M'.charCodeAt(0);
  parts.push(header);
  for (const a of arrays) {
    const [mi, cls] = typeOf(a.data);
    const flags = new Uint8Array(8);
    flags[0] = cls;
    const dims = new Uint8Array(new Int32Array(a.dims).buffer);
    const body = [
      el(miUINT32, flags),
      el(miINT32, dims),
      el(miINT8, new TextEncoder().encode(a.name)),
      el(mi, new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)),
    ];
    const matrix = el(miMATRIX, Uint8Array.from(body.flatMap((b) => Array.from(b))));
    const z = new Uint8Array(deflateSync(matrix));
    const c = new Uint8Array(8 + z.length);
    const dv = new DataView(c.buffer);
    dv.setUint32(0, miCOMPRESSED, true);
    dv.setUint32(4, z.length, true);
    c.set(z, 8);
    parts.push(c);
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
