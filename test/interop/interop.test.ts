/**
 * Interchange with PyTorch and ONNX, in-process (wasm backend): the safetensors reader and writer, the axis
 * permutations, a state dict of known arrays imported and run against PyTorch's semantics computed in plain loops
 * (helpers.ts), export → import bit for bit, `encode`'s arrays, ONNX graphs run by onnxruntime-node against
 * `encode`, and every refusal of a bad state dict (nothing written).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { initEngine } from '../../src/engine/index.js';
import { readNpz, writeNpz } from '../../src/data/formats/npz.js';
import { closeRun, loadRun, saveRunCheckpoint, startRun } from '../../src/train/index.js';
import { scan, openRoots } from '../../src/serve/index.js';
import {
  encodeBatches,
  encodeNpz,
  encodeSafetensors,
  exportOnnx,
  importSafetensors,
  MAX_HEADER_BYTES,
  permuteAxes,
  readSafetensors,
  runToSafetensors,
} from '../../src/interop/index.js';
import {
  disentShapes,
  f32bytes,
  knownStateDict,
  torchReference,
  writeRawSafetensors,
  type RawEntry,
} from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'interop-'));
const p = (name: string) => join(root, name);
const Z = 4;
const config = {
  dataset: { name: 'xysquares', gridSpacing: 8 },
  framework: { name: 'betavae' },
  model: { architecture: 'conv64-disent', z: Z },
  train: { steps: 4, batchSize: 4, seed: 2, checkpointEvery: 4, logEvery: 1 },
};
let C = 3;
/** A few images of the dataset's size, float in [0, 1], N×64×64×C. */
const images = (n: number) => Float32Array.from({ length: n * 64 * 64 * C }, (_, i) => (Math.sin(i * 0.731) + 1) / 2);

/** The known state dict as raw entries (float32), in disent's key order. */
function knownEntries(seed = 1): RawEntry[] {
  return [...knownStateDict(C, Z, seed)].map(([name, t]) => ({ name, shape: t.shape, bytes: f32bytes(t.data) }));
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

beforeAll(async () => {
  await initEngine({ backend: 'wasm', quiet: true });
  writeFileSync(p('config.json'), JSON.stringify(config));
  // a run at step 0 (random weights from its seed): what export reads
  const run = await startRun(p('run'), config);
  C = run.dataset.obsShape[2];
  await saveRunCheckpoint(run, 0);
  closeRun(run);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('safetensors', () => {
  it('writes and reads back tensors and metadata; the header is padded to 8 bytes', () => {
    const a = { name: 'a', shape: [2, 3], data: Float32Array.of(1, -2, 3.5, 0, 1e-30, -7) };
    const b = { name: 'b.c', shape: [], data: Float32Array.of(42) };
    const bytes = encodeSafetensors([a, b], { note: 'hi' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    writeFileSync(p('ab.safetensors'), bytes);
    const r = readSafetensors(p('ab.safetensors'));
    expect(r.metadata).toEqual({ note: 'hi' });
    expect(r.tensors).toEqual([a, b]);
  });

  it('reads F64, F16 and BF16 as float32', () => {
    const f64 = new Float64Array([0.1, -2.5]);
    // F16: 1.0 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]);
    // BF16: the top half of float32 1.5 (0x3fc00000) and -0.125 (0xbe000000)
    const bf16 = new Uint16Array([0x3fc0, 0xbe00]);
    writeRawSafetensors(p('types.safetensors'), [
      { name: 'd', dtype: 'F64', shape: [2], bytes: new Uint8Array(f64.buffer) },
      { name: 'h', dtype: 'F16', shape: [4], bytes: new Uint8Array(f16.buffer) },
      { name: 'b', dtype: 'BF16', shape: [2], bytes: new Uint8Array(bf16.buffer) },
    ]);
    const t = Object.fromEntries(readSafetensors(p('types.safetensors')).tensors.map((x) => [x.name, [...x.data]]));
    expect(t.d).toEqual([Math.fround(0.1), -2.5]);
    expect(t.h).toEqual([1, -2, 65504, 2 ** -24]);
    expect(t.b).toEqual([1.5, -0.125]);
  });

  it('permuteAxes matches index arithmetic', () => {
    const shape = [2, 3, 4, 5];
    const data = Float32Array.from({ length: 120 }, (_, i) => i);
    const perm = [3, 1, 2, 0];
    const out = permuteAxes(data, shape, perm);
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 3; b++)
        for (let c = 0; c < 4; c++)
          for (let d = 0; d < 5; d++) expect(out[((d * 3 + b) * 4 + c) * 2 + a]).toBe(((a * 3 + b) * 4 + c) * 5 + d);
  });
});

describe('import', () => {
  it('a state dict of known arrays imports to the outputs PyTorch would give (plain-loop reference)', async () => {
    writeRawSafetensors(p('known.safetensors'), knownEntries(1));
    const r = await importSafetensors(p('known.safetensors'), p('config.json'), p('known-run'));
    expect(r.keys).toBe(24);
    expect(readdirSync(p('known-run')).sort()).toEqual(
      ['checkpoint.json', 'ckpt-0.bin', 'config.json', 'imported.json', 'train.jsonl'].sort(),
    );
    const loaded = await loadRun(p('known-run'));
    const x = images(2);
    const codes = encodeBatches(loaded.run, x, 2, { decode: true, quiet: true });
    loaded.dispose();
    const sd = knownStateDict(C, Z, 1);
    for (let i = 0; i < 2; i++) {
      const ref = torchReference(sd, x.subarray(i * 64 * 64 * C, (i + 1) * 64 * 64 * C), [64, 64, C], Z);
      // the outputs are O(1): a wrong permutation or transpose would be off by about as much
      expect(Math.max(...ref.means.map(Math.abs))).toBeGreaterThan(0.05);
      expect(maxAbs(codes.means.subarray(i * Z, (i + 1) * Z), ref.means)).toBeLessThan(1e-4);
      expect(maxAbs(codes.logvars!.subarray(i * Z, (i + 1) * Z), ref.logvars)).toBeLessThan(1e-4);
      expect(maxAbs(codes.decoded!.subarray(i * 64 * 64 * C, (i + 1) * 64 * 64 * C), ref.decoded)).toBeLessThan(1e-4);
    }
  });

  it('biases alone give exactly the biases (means, logvars) and the last bias per channel (decoded)', async () => {
    const zeros = (shape: number[]) => new Float32Array(shape.reduce((a, b) => a * b, 1));
    const entries = disentShapes(C, Z).map(([name, shape]) => {
      let data = zeros(shape);
      if (name === '_encoder.model.11.bias') data = Float32Array.from({ length: 2 * Z }, (_, i) => i - 3.5);
      if (name === '_decoder.model.11.bias') data = Float32Array.from({ length: C }, (_, i) => 0.25 * (i + 1));
      return { name, shape, bytes: f32bytes(data) };
    });
    writeRawSafetensors(p('bias.safetensors'), entries);
    await importSafetensors(p('bias.safetensors'), p('config.json'), p('bias-run'));
    const loaded = await loadRun(p('bias-run'));
    const codes = encodeBatches(loaded.run, images(3), 3, { decode: true, quiet: true });
    loaded.dispose();
    expect([...codes.means.subarray(0, Z)]).toEqual([-3.5, -2.5, -1.5, -0.5]);
    expect([...codes.logvars!.subarray(8, 12)]).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect([...codes.decoded!.subarray(0, 2 * C)]).toEqual(
      Array.from({ length: 2 * C }, (_, i) => 0.25 * ((i % C) + 1)),
    );
  });

  it('export → import → export is bit for bit, and the imported run encodes identically', async () => {
    const first = await runToSafetensors(p('run'));
    writeFileSync(p('rt.safetensors'), first.bytes);
    await importSafetensors(p('rt.safetensors'), p('config.json'), p('rt-run'));
    const again = await runToSafetensors(p('rt-run'));
    const a = readSafetensors(p('rt.safetensors'));
    writeFileSync(p('rt2.safetensors'), again.bytes);
    const b = readSafetensors(p('rt2.safetensors'));
    expect(b.tensors.map((t) => t.name)).toEqual(a.tensors.map((t) => t.name));
    a.tensors.forEach((t, i) =>
      expect(Buffer.from(f32bytes(b.tensors[i].data)).equals(Buffer.from(f32bytes(t.data)))).toBe(true),
    );
    // the config travels in __metadata__, as the run has it
    expect(JSON.parse(a.metadata.config)).toEqual(JSON.parse(readFileSync(p('run/config.json'), 'utf8')));
    // and the weights in the checkpoints are the same bytes
    const ckpt = (dir: string) =>
      readFileSync(join(dir, JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).file));
    // the checkpoint's first 24 tensors are the model's
    const m1 = JSON.parse(readFileSync(p('run/checkpoint.json'), 'utf8'));
    const model = m1.tensors
      .slice(0, 24)
      .reduce((s: number, t: { shape: number[] }) => s + t.shape.reduce((x, y) => x * y, 1), 0);
    expect(
      ckpt(p('rt-run'))
        .subarray(0, 4 * model)
        .equals(ckpt(p('run')).subarray(0, 4 * model)),
    ).toBe(true);
    // encode's arrays from both folders are identical
    writeNpz(p('imgs.npz'), { images: { dtype: 'float32', shape: [5, 64, 64, C], data: images(5) } });
    await encodeNpz(p('run'), p('imgs.npz'), p('c1.npz'), { decode: true, quiet: true });
    await encodeNpz(p('rt-run'), p('imgs.npz'), p('c2.npz'), { decode: true, quiet: true });
    expect(readFileSync(p('c1.npz')).equals(readFileSync(p('c2.npz')))).toBe(true);
    const c1 = readNpz(p('c1.npz'));
    expect(Object.fromEntries(Object.entries(c1).map(([k, v]) => [k, [v.dtype, v.shape]]))).toEqual({
      means: ['float32', [5, Z]],
      logvars: ['float32', [5, Z]],
      decoded: ['float32', [5, 64, 64, C]],
    });
  });

  it('the imported run is a run folder the page lists', () => {
    const { runs } = scan(openRoots([root]));
    expect(runs.map((r) => r.name)).toContain('rt-run');
  });

  const sd = () => knownEntries(1);
  const refusals: Record<string, { make: (path: string) => void; error: RegExp; ext?: string }> = {
    'missing and extra keys (listed)': {
      make: (f) =>
        writeRawSafetensors(f, [
          ...sd().filter((e) => e.name !== '_decoder.model.2.bias' && e.name !== '_encoder.model.0.weight'),
          { name: 'head.weight', shape: [1], bytes: f32bytes(Float32Array.of(1)) },
        ]),
      error: /missing keys _encoder\.model\.0\.weight, _decoder\.model\.2\.bias; unexpected keys head\.weight/,
    },
    'a wrong shape (the key and both shapes)': {
      make: (f) =>
        writeRawSafetensors(
          f,
          sd().map((e) => (e.name === '_encoder.model.11.weight' ? { ...e, shape: [4, 512], bytes: e.bytes } : e)),
        ),
      error: /'_encoder\.model\.11\.weight' has shape \[4, 512\], .* needs \[8, 256\]/,
    },
    'a non-float dtype': {
      make: (f) =>
        writeRawSafetensors(
          f,
          sd().map((e) => (e.name === '_encoder.model.0.bias' ? { ...e, dtype: 'I32' } : e)),
        ),
      error: /'_encoder\.model\.0\.bias' has dtype I32, not a float/,
    },
    'a header length beyond the file': {
      make: (f) => writeRawSafetensors(f, sd(), { headerLength: 2n ** 40n }),
      error: /header length \(1099511627776 bytes\) runs past the end of the file/,
    },
    'overlapping offsets': {
      make: (f) =>
        writeRawSafetensors(
          f,
          sd().map((e, i) => (i === 1 ? { ...e, offsets: [0, e.bytes.length] as [number, number] } : e)),
        ),
      error:
        /tensors '_encoder\.model\.0\.bias' and '_encoder\.model\.0\.weight' overlap in the data \(\[0, 128\] and \[0, 6144\]\)/,
    },
    'offsets past the data': {
      make: (f) =>
        writeRawSafetensors(
          f,
          sd().map((e, i) =>
            i === 23 ? { ...e, offsets: [10 ** 9, 10 ** 9 + e.bytes.length] as [number, number] } : e,
          ),
        ),
      error: /'_decoder\.model\.11\.bias' has data_offsets \[1000000000, 1000000012\] outside the \d+ bytes of data/,
    },
    'a torch.save zip (.pt)': {
      make: (f) => writeFileSync(f, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)])),
      error:
        /is a PyTorch pickle, not safetensors: refused, because loading a pickle runs code\. .*save_file\(model\.state_dict\(\)/,
      ext: '.pt',
    },
    'a bare pickle, whatever its name': {
      make: (f) => writeFileSync(f, Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e, 0, 0, 0, 0])),
      error: /PyTorch pickle/,
    },
    'non-finite weights': {
      make: (f) =>
        writeRawSafetensors(
          f,
          sd().map((e) =>
            e.name === '_decoder.model.0.bias' ? { ...e, bytes: f32bytes(new Float32Array(256).fill(NaN)) } : e,
          ),
        ),
      error: /'_decoder\.model\.0\.bias' holds NaN: the weights must be finite/,
    },
  };
  it.each(Object.keys(refusals))('refuses %s, and writes nothing', async (name) => {
    const r = refusals[name];
    const file = p(`bad-${name.replace(/\W+/g, '-')}${r.ext ?? '.safetensors'}`);
    r.make(file);
    const before = readdirSync(root).sort();
    await expect(importSafetensors(file, p('config.json'), p('never'))).rejects.toThrow(r.error);
    expect(readdirSync(root).sort()).toEqual(before);
  });

  it('refuses a header length over the limit even when the file is that large (no huge read)', async () => {
    // a sparse file: 8 bytes of length, then MAX + 8 bytes of nothing
    const f = p('huge.safetensors');
    const fd = openSync(f, 'w');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(MAX_HEADER_BYTES + 8));
    writeSync(fd, len);
    ftruncateSync(fd, MAX_HEADER_BYTES + 64);
    closeSync(fd);
    expect(() => readSafetensors(f)).toThrow(/header length \(104857608 bytes\) is beyond the 104857600-byte limit/);
    rmSync(f);
  });

  it('refuses architectures without a PyTorch layout, naming the supported one', async () => {
    writeFileSync(p('fc.json'), JSON.stringify({ ...config, model: { architecture: 'fc', z: Z } }));
    writeRawSafetensors(p('k.safetensors'), knownEntries(2));
    await expect(importSafetensors(p('k.safetensors'), p('fc.json'), p('never'))).rejects.toThrow(
      /model\.architecture 'fc' has no PyTorch layout here: export and import support conv64-disent/,
    );
    expect(existsSync(p('never'))).toBe(false);
  });
});

describe('ONNX', () => {
  const nhwcToNchw = (x: Float32Array, n: number, h: number, w: number, c: number) => {
    const out = new Float32Array(x.length);
    for (let i = 0; i < n; i++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++)
          for (let k = 0; k < c; k++) out[((i * c + k) * h + y) * w + xx] = x[((i * h + y) * w + xx) * c + k];
    return out;
  };

  it('the encoder and decoder graphs, run by onnxruntime, give what encode gives (within 1e-4)', async () => {
    const n = 6;
    const x = images(n);
    writeNpz(p('onnx-imgs.npz'), { images: { dtype: 'float32', shape: [n, 64, 64, C], data: x } });
    // the known state dict: outputs O(1), so a layout error could not hide under 1e-4
    await encodeNpz(p('known-run'), p('onnx-imgs.npz'), p('onnx-codes.npz'), { decode: true, quiet: true });
    const codes = readNpz(p('onnx-codes.npz'));
    await exportOnnx(p('known-run'), p('enc.onnx'), 'encoder');
    await exportOnnx(p('known-run'), p('dec.onnx'), 'decoder');
    const enc = await ort.InferenceSession.create(p('enc.onnx'));
    expect(enc.inputNames).toEqual(['images']);
    expect(enc.outputNames).toEqual(['means', 'logvars']);
    const r = await enc.run({ images: new ort.Tensor('float32', nhwcToNchw(x, n, 64, 64, C), [n, C, 64, 64]) });
    expect(r.means.dims).toEqual([n, Z]);
    expect(maxAbs(r.means.data as Float32Array, codes.means.data as Float32Array)).toBeLessThan(1e-4);
    expect(maxAbs(r.logvars.data as Float32Array, codes.logvars.data as Float32Array)).toBeLessThan(1e-4);
    const dec = await ort.InferenceSession.create(p('dec.onnx'));
    const d = await dec.run({ z: new ort.Tensor('float32', codes.means.data as Float32Array, [n, Z]) });
    expect(d.decoded.dims).toEqual([n, C, 64, 64]);
    const ref = nhwcToNchw(codes.decoded.data as Float32Array, n, 64, 64, C);
    expect(Math.max(...(ref as Float32Array).map(Math.abs))).toBeGreaterThan(0.05);
    expect(maxAbs(d.decoded.data as Float32Array, ref)).toBeLessThan(1e-4);
  });
});
