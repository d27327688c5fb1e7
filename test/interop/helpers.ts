/**
 * Fixtures for the interchange tests, independent of src/interop: safetensors files written byte by byte (well
 * or badly formed), the shapes of disent's state dict, and a forward pass with PyTorch's semantics in plain
 * loops (N×C×H×W, Conv2d/ConvTranspose2d/Linear/Flatten as torch defines them) to compute known outputs.
 */
import { writeFileSync } from 'node:fs';

/** disent's AutoEncoder(EncoderConv64(x_shape=(c, 64, 64), z, z_multiplier=2), DecoderConv64) state dict. */
export function disentShapes(c: number, z: number): Array<[string, number[]]> {
  const conv = (m: string, o: number, i: number): Array<[string, number[]]> => [
    [`${m}.weight`, [o, i, 4, 4]],
    [`${m}.bias`, [o]],
  ];
  const convT = (m: string, i: number, o: number): Array<[string, number[]]> => [
    [`${m}.weight`, [i, o, 4, 4]],
    [`${m}.bias`, [o]],
  ];
  const lin = (m: string, i: number, o: number): Array<[string, number[]]> => [
    [`${m}.weight`, [o, i]],
    [`${m}.bias`, [o]],
  ];
  return [
    ...conv('_encoder.model.0', 32, c),
    ...conv('_encoder.model.2', 32, 32),
    ...conv('_encoder.model.4', 64, 32),
    ...conv('_encoder.model.6', 64, 64),
    ...lin('_encoder.model.9', 1600, 256),
    ...lin('_encoder.model.11', 256, 2 * z),
    ...lin('_decoder.model.0', z, 256),
    ...lin('_decoder.model.2', 256, 1024),
    ...convT('_decoder.model.5', 64, 64),
    ...convT('_decoder.model.7', 64, 32),
    ...convT('_decoder.model.9', 32, 32),
    ...convT('_decoder.model.11', 32, c),
  ];
}

export interface RawEntry {
  name: string;
  dtype?: string;
  shape: number[];
  /** The tensor's bytes (float32 little-endian unless `dtype` says otherwise). */
  bytes: Uint8Array;
  /** Override the offsets written in the header. */
  offsets?: [number, number];
}

/** A safetensors file by hand; `headerLength` overrides the 8-byte length field. */
export function writeRawSafetensors(
  path: string,
  entries: RawEntry[],
  o: { metadata?: Record<string, string>; headerLength?: bigint } = {},
): void {
  const header: Record<string, unknown> = o.metadata ? { __metadata__: o.metadata } : {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = {
      dtype: e.dtype ?? 'F32',
      shape: e.shape,
      data_offsets: e.offsets ?? [off, off + e.bytes.length],
    };
    off += e.bytes.length;
  }
  let json = JSON.stringify(header);
  while (json.length % 8) json += ' ';
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(o.headerLength ?? BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, Buffer.from(json), ...entries.map((e) => Buffer.from(e.bytes))]));
}

export const f32bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Deterministic values in ±scale (a hash of the index and a seed). */
export function knownArray(n: number, seed: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => scale * Math.sin(i * 12.9898 + seed * 78.233));
}

/** A state dict of known arrays for disent's modules, scaled by fan-in so activations stay O(1). */
export function knownStateDict(c: number, z: number, seed = 1): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  disentShapes(c, z).forEach(([name, shape], k) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length === 1 ? 16 : shape.slice(1).reduce((a, b) => a * b, 1);
    out.set(name, { shape, data: knownArray(n, seed + k, 1.5 / Math.sqrt(fanIn)) });
  });
  return out;
}

// ---- PyTorch's semantics, in plain loops (one image, C×H×W) --------------------------------------------------

type Img = { c: number; h: number; w: number; d: Float64Array };

function conv2d(x: Img, wt: Float32Array, b: Float32Array, o: number, k: number, s: number, p: number): Img {
  const h = Math.floor((x.h + 2 * p - k) / s) + 1;
  const w = Math.floor((x.w + 2 * p - k) / s) + 1;
  const d = new Float64Array(o * h * w);
  for (let oc = 0; oc < o; oc++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++) {
        let acc = b[oc];
        for (let ic = 0; ic < x.c; ic++)
          for (let ky = 0; ky < k; ky++) {
            const iy = y * s - p + ky;
            if (iy < 0 || iy >= x.h) continue;
            for (let kx = 0; kx < k; kx++) {
              const ix = xx * s - p + kx;
              if (ix < 0 || ix >= x.w) continue;
              acc += x.d[(ic * x.h + iy) * x.w + ix] * wt[((oc * x.c + ic) * k + ky) * k + kx];
            }
          }
        d[(oc * h + y) * w + xx] = acc;
      }
  return { c: o, h, w, d };
}

/** ConvTranspose2d: weight I×O×k×k; out[o, y, x] += in[i, iy, ix]·w[i, o, ky, kx] where y = iy·s − p + ky. */
function convT2d(x: Img, wt: Float32Array, b: Float32Array, o: number, k: number, s: number, p: number): Img {
  const h = (x.h - 1) * s - 2 * p + k;
  const w = (x.w - 1) * s - 2 * p + k;
  const d = new Float64Array(o * h * w);
  for (let oc = 0; oc < o; oc++) d.fill(b[oc], oc * h * w, (oc + 1) * h * w);
  for (let ic = 0; ic < x.c; ic++)
    for (let iy = 0; iy < x.h; iy++)
      for (let ix = 0; ix < x.w; ix++) {
        const v = x.d[(ic * x.h + iy) * x.w + ix];
        for (let oc = 0; oc < o; oc++)
          for (let ky = 0; ky < k; ky++) {
            const y = iy * s - p + ky;
            if (y < 0 || y >= h) continue;
            for (let kx = 0; kx < k; kx++) {
              const xx = ix * s - p + kx;
              if (xx < 0 || xx >= w) continue;
              d[(oc * h + y) * w + xx] += v * wt[((ic * o + oc) * k + ky) * k + kx];
            }
          }
      }
  return { c: o, h, w, d };
}

function linear(x: Float64Array, wt: Float32Array, b: Float32Array, out: number): Float64Array {
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let acc = b[o];
    for (let i = 0; i < x.length; i++) acc += x[i] * wt[o * x.length + i];
    y[o] = acc;
  }
  return y;
}

const relu = <T extends { d: Float64Array } | Float64Array>(v: T): T => {
  const a = v instanceof Float64Array ? v : v.d;
  for (let i = 0; i < a.length; i++) a[i] = Math.max(0, a[i]);
  return v;
};

/**
 * disent's encoder and decoder with PyTorch's semantics: one H×W×C image (as our .npz holds it) →
 * means, logvars (z each) and the raw decoding of the means (H×W×C).
 */
export function torchReference(
  sd: Map<string, { shape: number[]; data: Float32Array }>,
  image: Float32Array,
  [h, w, c]: [number, number, number],
  z: number,
): { means: Float64Array; logvars: Float64Array; decoded: Float64Array } {
  const W = (k: string) => sd.get(k)!.data;
  const chw = new Float64Array(c * h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) chw[(k * h + y) * w + x] = image[(y * w + x) * c + k];
  let t: Img = { c, h, w, d: chw };
  const chans = [32, 32, 64, 64];
  [0, 2, 4, 6].forEach((m, i) => {
    t = relu(conv2d(t, W(`_encoder.model.${m}.weight`), W(`_encoder.model.${m}.bias`), chans[i], 4, 2, 2));
  });
  // nn.Flatten of C×H×W: channel, then row, then column — t.d's own order
  const hid = relu(linear(t.d, W('_encoder.model.9.weight'), W('_encoder.model.9.bias'), 256));
  const out = linear(hid, W('_encoder.model.11.weight'), W('_encoder.model.11.bias'), 2 * z);
  const means = out.slice(0, z);
  const logvars = out.slice(z);
  const d0 = relu(linear(means, W('_decoder.model.0.weight'), W('_decoder.model.0.bias'), 256));
  const d1 = relu(linear(d0, W('_decoder.model.2.weight'), W('_decoder.model.2.bias'), 1024));
  let u: Img = { c: 64, h: h / 16, w: w / 16, d: d1 };
  const outs = [64, 32, 32, c];
  [5, 7, 9, 11].forEach((m, i) => {
    u = convT2d(u, W(`_decoder.model.${m}.weight`), W(`_decoder.model.${m}.bias`), outs[i], 4, 2, 1);
    if (i < 3) relu(u);
  });
  const decoded = new Float64Array(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) decoded[(y * w + x) * c + k] = u.d[(k * h + y) * w + x];
  return { means, logvars, decoded };
}
