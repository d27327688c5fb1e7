/**
 * The safetensors format (what PyTorch users share weights in; no code runs on load, unlike a `.pt` pickle):
 * an 8-byte little-endian header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]},
 * …, "__metadata__": {key: string}}` padded with spaces to a multiple of 8, then the raw row-major,
 * little-endian tensors, offsets relative to the start of the data.
 *
 * Reading checks everything before trusting it: the header length against the file (and a sane cap, so a
 * corrupt length never allocates gigabytes), the JSON, each entry's dtype, shape and offsets (inside the data,
 * the byte count its shape needs, no two overlapping). Float tensors (F32, F64, F16, BF16) are read as float32;
 * any other dtype is refused, since weights are floats.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { UserError } from '../util/errors.js';

export interface NamedTensor {
  name: string;
  shape: number[];
  /** Row-major values. */
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

/** The largest header accepted (safetensors' own limit is 100 MB; a state dict's header is a few KB). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const FLOAT_BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };
const OTHER_DTYPES = ['BOOL', 'U8', 'I8', 'U16', 'I16', 'U32', 'I32', 'U64', 'I64', 'F8_E5M2', 'F8_E4M3'];

/** The bytes of a safetensors file holding `tensors` (float32, in the order given) and `metadata`. */
export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let off = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new Error(`tensor ${t.name}: shape ${t.shape} does not hold ${t.data.length} values`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + 4 * n] };
    off += 4 * n;
  }
  let json = JSON.stringify(header);
  // padded so that the data starts 8-byte aligned
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const t of tensors) {
    // little-endian float32 (every platform Node runs on is little-endian)
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}

/** A pickle (`.pt`/`.pth`, torch.save's zip or a bare pickle) is refused: loading one runs arbitrary code. */
function refusePickle(path: string, head: Uint8Array): void {
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const pickle = head[0] === 0x80 && head[1] >= 2 && head[1] <= 5;
  if (!zip && !pickle && !['.pt', '.pth', '.pkl', '.ckpt'].includes(extname(path).toLowerCase())) return;
  throw new UserError(
    `${path} is a PyTorch pickle, not safetensors: refused, because loading a pickle runs code. Convert it in ` +
      `Python where you trust it: import torch; from safetensors.torch import save_file; ` +
      `save_file(model.state_dict(), 'model.safetensors')  (model: your module with the weights loaded)`,
  );
}

function readExactly(fd: number, buf: Uint8Array, position: number): void {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
}

/** Decode `count` values of `dtype` at `bytes` into float32. */
function toFloat32(bytes: Uint8Array, dtype: string, count: number): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dtype === 'F32') for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
  else if (dtype === 'F64') for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
  else if (dtype === 'BF16') {
    // bfloat16 is the upper half of a float32
    const f = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      f.setUint32(0, dv.getUint16(2 * i, true) << 16);
      out[i] = f.getFloat32(0);
    }
  } else
    for (let i = 0; i < count; i++) {
      const h = dv.getUint16(2 * i, true);
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      out[i] =
        e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
    }
  return out;
}

/** Read and check a safetensors file; every problem is a UserError naming the file and what is wrong. */
export function readSafetensors(path: string): SafetensorsFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new UserError(
      `cannot read ${path}: ${{ ENOENT: 'no such file', EISDIR: 'it is a folder' }[code] ?? (e as Error).message}`,
    );
  }
  try {
    if (fstatSync(fd).isDirectory())
      throw new UserError(`cannot read ${path}: it is a folder, not a .safetensors file`);
    const size = fstatSync(fd).size;
    const first = new Uint8Array(Math.min(8, size));
    readExactly(fd, first, 0);
    refusePickle(path, first);
    if (size < 8)
      throw new UserError(`${path} is not a safetensors file: ${size} bytes, shorter than its 8-byte header length`);
    const n = new DataView(first.buffer).getBigUint64(0, true);
    if (n > BigInt(size - 8))
      throw new UserError(
        `${path} is corrupt or not safetensors: its header length (${n} bytes) runs past the end of the file (${size} bytes)`,
      );
    if (n > BigInt(MAX_HEADER_BYTES))
      throw new UserError(
        `${path} is corrupt or not safetensors: its header length (${n} bytes) is beyond the ${MAX_HEADER_BYTES}-byte limit`,
      );
    const headLen = Number(n);
    const head = new Uint8Array(headLen);
    readExactly(fd, head, 8);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(head));
    } catch {
      throw new UserError(`${path} is corrupt or not safetensors: its header is not JSON`);
    }
    if (!header || typeof header !== 'object' || Array.isArray(header))
      throw new UserError(`${path} is corrupt: its header is not a JSON object of tensors`);
    const dataStart = 8 + headLen;
    const dataLen = size - dataStart;
    const metadata: Record<string, string> = {};
    const entries: Array<{ name: string; dtype: string; shape: number[]; begin: number; end: number }> = [];
    for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (v === null) continue;
        if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((s) => typeof s !== 'string'))
          throw new UserError(`${path} is corrupt: __metadata__ must map names to strings`);
        Object.assign(metadata, v);
        continue;
      }
      const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const shapeOk = Array.isArray(e?.shape) && e.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
      const offs = e?.data_offsets;
      const offsOk = Array.isArray(offs) && offs.length === 2 && offs.every((o) => Number.isSafeInteger(o) && o >= 0);
      if (typeof e?.dtype !== 'string' || !shapeOk || !offsOk)
        throw new UserError(`${path} is corrupt: tensor '${name}' lacks a valid dtype, shape or data_offsets`);
      const dtype = e.dtype;
      if (!(dtype in FLOAT_BYTES))
        throw new UserError(
          `${path}: tensor '${name}' has dtype ${dtype}${OTHER_DTYPES.includes(dtype) ? ', not a float' : ' (unknown)'}: ` +
            'weights must be F32, F64, F16 or BF16 (save the model in float: model.float())',
        );
      const [begin, end] = offs as [number, number];
      const shape = e.shape as number[];
      const count = shape.reduce((a, b) => a * b, 1);
      if (end < begin || end > dataLen)
        throw new UserError(
          `${path} is corrupt: tensor '${name}' has data_offsets [${begin}, ${end}] outside the ${dataLen} bytes of data`,
        );
      if (end - begin !== count * FLOAT_BYTES[dtype])
        throw new UserError(
          `${path} is corrupt: tensor '${name}' (${dtype} [${shape.join(', ')}]) needs ${count * FLOAT_BYTES[dtype]} bytes, its offsets give ${end - begin}`,
        );
      entries.push({ name, dtype, shape, begin, end });
    }
    const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i].begin < sorted[i - 1].end)
        throw new UserError(
          `${path} is corrupt: tensors '${sorted[i - 1].name}' and '${sorted[i].name}' overlap in the data ` +
            `([${sorted[i - 1].begin}, ${sorted[i - 1].end}] and [${sorted[i].begin}, ${sorted[i].end}])`,
        );
    const tensors = entries.map(({ name, dtype, shape, begin, end }) => {
      const bytes = new Uint8Array(end - begin);
      readExactly(fd, bytes, dataStart + begin);
      return { name, shape, data: toFloat32(bytes, dtype, bytes.length / FLOAT_BYTES[dtype]) };
    });
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}
