import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, renderObservations, StateSpace } from '../../src/data/index.js';
import { writeNpz, type NdArray } from '../../src/data/formats/npz.js';
import { writePng } from '../../src/viz/index.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'loaders-'));

/** A grid of factors in shuffled row order, with images that encode their own factors. */
function shuffledGrid(sizes: number[], seed: number) {
  const ss = new StateSpace(sizes);
  const order = new Rng(seed).shuffle(Array.from({ length: ss.size }, (_, i) => i)) as number[];
  return { ss, order };
}

describe('file-based datasets', () => {
  it('dsprites_file reads imgs and latents_classes (colour column dropped), any row order', async () => {
    const sizes = [2, 2, 3, 2, 2];
    const { ss, order } = shuffledGrid(sizes, 1);
    const n = ss.size;
    const imgs = new Uint8Array(n * 64 * 64),
      lc = new BigInt64Array(n * 6);
    order.forEach((idx, row) => {
      const f = ss.toFactors(idx);
      f.forEach((v, k) => {
        lc[row * 6 + 1 + k] = BigInt(v);
      });
      imgs[row * 4096 + idx] = 1; // pixel `idx` lit identifies the combination
    });
    const p = join(dir, 'dsprites.npz');
    writeNpz(p, {
      imgs: { dtype: 'uint8', shape: [n, 64, 64], data: imgs },
      latents_classes: { dtype: 'int64', shape: [n, 6], data: lc },
    });
    const ds = await createDataset('dsprites_file', { path: p });
    expect(ds.factors.map((f) => f.size)).toEqual(sizes);
    for (const idx of [0, 5, n - 1]) {
      const x = renderObservations(ds, [idx]);
      expect(x[idx]).toBe(1);
      expect(x.reduce((a, v) => a + v, 0)).toBe(1);
    }
  });

  it('shapes3d reads images in slices from an .h5 and turns float labels into classes', async () => {
    const h5 = (await import('h5wasm/node')).default;
    await h5.ready;
    const sizes = [2, 2, 2, 2, 2, 2];
    const { ss, order } = shuffledGrid(sizes, 2);
    const n = ss.size;
    const images = new Uint8Array(n * 64 * 64 * 3),
      labels = new Float64Array(n * 6);
    order.forEach((idx, row) => {
      ss.toFactors(idx).forEach((v, k) => {
        labels[row * 6 + k] = 0.1 + 0.35 * v;
      });
      images.fill(idx * 3, row * 12288, (row + 1) * 12288);
    });
    const p = join(dir, '3dshapes.h5');
    const f = new h5.File(p, 'w');
    f.create_dataset({ name: 'images', data: images, shape: [n, 64, 64, 3], dtype: '<B' });
    f.create_dataset({ name: 'labels', data: labels, shape: [n, 6], dtype: '<d' });
    f.close();
    const ds = await createDataset('shapes3d', { path: p });
    expect(ds.factors.map((x) => x.name)).toEqual([
      'floor_hue',
      'wall_hue',
      'object_hue',
      'scale',
      'shape',
      'orientation',
    ]);
    for (const idx of [0, 17, 63]) expect(renderObservations(ds, [idx])[100]).toBeCloseTo((idx * 3) / 255, 6);
  });

  it('smallnorb reads the binary NORB files, the left image, resized', async () => {
    const n = 5 * 9 * 18 * 6;
    const H = 8;
    const norb = (magic: number, dims: number[], payload: Uint8Array) => {
      const head = Buffer.alloc(8 + 4 * Math.max(3, dims.length));
      head.writeUInt32LE(magic, 0);
      head.writeInt32LE(dims.length, 4);
      for (let i = 0; i < Math.max(3, dims.length); i++) head.writeInt32LE(dims[i] ?? 1, 8 + 4 * i);
      return Buffer.concat([head, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)]);
    };
    const ss = new StateSpace([5, 9, 18, 6]);
    const dat = new Uint8Array(n * 2 * H * H),
      cat = new Int32Array(n),
      info = new Int32Array(n * 4);
    for (let r = 0; r < n; r++) {
      const f = ss.toFactors(n - 1 - r); // reversed row order
      cat[r] = f[0];
      info.set([r % 5, f[1], 2 * f[2], f[3]], r * 4);
      dat.fill((n - 1 - r) % 251, r * 2 * H * H, r * 2 * H * H + H * H); // left image
      dat.fill(255, r * 2 * H * H + H * H, (r + 1) * 2 * H * H); // right image (ignored)
    }
    const d = join(dir, 'norb');
    mkdirSync(d);
    const stem = join(d, 'smallnorb-5x46789x9x18x6x2x96x96-training');
    writeFileSync(`${stem}-dat.mat`, norb(0x1e3d4c55, [n, 2, H, H], dat));
    writeFileSync(`${stem}-cat.mat`, norb(0x1e3d4c54, [n], new Uint8Array(cat.buffer)));
    writeFileSync(`${stem}-info.mat`, norb(0x1e3d4c54, [n, 4], new Uint8Array(info.buffer)));
    const ds = await createDataset('smallnorb', { path: d, size: 4 });
    expect(ds.obsShape).toEqual([4, 4, 1]);
    for (const idx of [0, 1000, n - 1]) expect(renderObservations(ds, [idx])[5]).toBeCloseTo((idx % 251) / 255, 6);
    // truncated -dat file: a clear error
    const full = readFileSync(`${stem}-dat.mat`);
    writeFileSync(`${stem}-dat.mat`, full.subarray(0, full.length - 10));
    await expect(createDataset('smallnorb', { path: d, size: 4 })).rejects.toThrow(/truncated/);
  });

  it('bring-your-own: .npz with images and factors, and a folder of PNGs with factors.csv', async () => {
    const p = join(dir, 'byo.npz');
    const imgs = new Uint8Array(4 * 2 * 2 * 3).map((_, i) => i);
    writeNpz(p, {
      images: { dtype: 'uint8', shape: [4, 2, 2, 3], data: imgs },
      factors: { dtype: 'int32', shape: [4, 2], data: Int32Array.of(1, 1, 0, 0, 1, 0, 0, 1) },
    });
    const ds = await createDataset('byo', { path: p });
    expect(ds.factors.map((f) => f.size)).toEqual([2, 2]);
    expect(renderObservations(ds, [0])[0]).toBeCloseTo(12 / 255, 6); // factors (0, 0) are row 1
    const folder = join(dir, 'pngs');
    mkdirSync(folder);
    const lines = ['filename,colour,size'];
    for (let c = 0; c < 2; c++)
      for (let s = 0; s < 3; s++) {
        writePng(join(folder, `${c}${s}.png`), {
          data: new Float32Array(4 * 4 * 3).fill((c * 3 + s) / 10),
          height: 4,
          width: 4,
          channels: 3,
        });
        lines.push(`${c}${s}.png,${c},${s}`);
      }
    writeFileSync(join(folder, 'factors.csv'), lines.join('\n'));
    const ds2 = await createDataset('byo', { path: folder });
    expect(ds2.factors.map((f) => `${f.name}:${f.size}`)).toEqual(['colour:2', 'size:3']);
    expect(renderObservations(ds2, [4])[0]).toBeCloseTo(Math.round(0.4 * 255) / 255, 6);
    // a missing combination is named
    writeFileSync(join(folder, 'factors.csv'), lines.slice(0, -1).join('\n'));
    await expect(createDataset('byo', { path: folder })).rejects.toThrow(/no image for colour=1, size=2/);
  });

  it('bring-your-own: bad images and factors are caught at the door, naming the place', async () => {
    const p = join(dir, 'bad.npz');
    const grid = Int32Array.of(0, 0, 0, 1, 1, 0, 1, 1);
    const floats = (at: number, v: number) => Float32Array.from({ length: 4 * 2 * 2 }, (_, i) => (i === at ? v : 0.5));
    const cases: Array<[Record<string, NdArray>, RegExp]> = [
      [
        {
          images: { dtype: 'float32', shape: [4, 2, 2], data: floats(9, NaN) },
          factors: { dtype: 'int32', shape: [4, 2], data: grid },
        },
        /'images' holds NaN at image 2, pixel \(y 0, x 1, channel 0\): every pixel must be finite/,
      ],
      [
        {
          images: { dtype: 'float32', shape: [4, 2, 2, 1], data: floats(3, Infinity) },
          factors: { dtype: 'int32', shape: [4, 2], data: grid },
        },
        /holds Infinity at image 0/,
      ],
      [
        {
          images: { dtype: 'float64', shape: [4, 2, 2], data: Float64Array.from(floats(5, 200)) },
          factors: { dtype: 'int32', shape: [4, 2], data: grid },
        },
        /holds 200 at image 1.*\[0, 1\].*store them as uint8 or divide by 255/,
      ],
      [
        {
          images: { dtype: 'float32', shape: [4, 2, 2], data: floats(0, -0.5) },
          factors: { dtype: 'int32', shape: [4, 2], data: grid },
        },
        /holds -0.5 at image 0/,
      ],
      [
        {
          images: { dtype: 'int32', shape: [4, 2, 2], data: new Int32Array(16) },
          factors: { dtype: 'int32', shape: [4, 2], data: grid },
        },
        /must be uint8 \(0–255\) or float \(0–1\), got int32/,
      ],
      [
        {
          images: { dtype: 'uint8', shape: [0, 2, 2], data: new Uint8Array(0) },
          factors: { dtype: 'int32', shape: [0, 2], data: new Int32Array(0) },
        },
        /holds no images/,
      ],
      [
        {
          images: { dtype: 'uint8', shape: [16], data: new Uint8Array(16) },
          factors: { dtype: 'int32', shape: [4, 2], data: grid },
        },
        /'images' must be N×H×W or N×H×W×C/,
      ],
      [
        {
          images: { dtype: 'uint8', shape: [4, 2, 2], data: new Uint8Array(16) },
          factors: { dtype: 'int32', shape: [3, 2], data: grid.subarray(0, 6) },
        },
        /4 images but 3 factor rows/,
      ],
      [
        {
          images: { dtype: 'uint8', shape: [4, 2, 2], data: new Uint8Array(16) },
          factors: { dtype: 'float32', shape: [4, 2], data: Float32Array.of(0, 0, 0, 1, 1, 0, 1, 0.5) },
        },
        /integer labels, found 0.5/,
      ],
    ];
    for (const [arrays, message] of cases) {
      writeNpz(p, arrays);
      await expect(createDataset('byo', { path: p })).rejects.toThrow(message);
    }
    const folder = join(dir, 'pngs-empty');
    mkdirSync(folder);
    writeFileSync(join(folder, 'factors.csv'), 'filename,colour\n');
    await expect(createDataset('byo', { path: folder })).rejects.toThrow(/has a header but no rows/);
    writeFileSync(join(folder, 'factors.csv'), 'filename,colour\nnope.png,0\n');
    await expect(createDataset('byo', { path: folder })).rejects.toThrow(/line 2 names nope.png, which is not in/);
  });

  it('missing files name the expected location; mpi3d checks its image count', async () => {
    await expect(createDataset('dsprites_file')).rejects.toThrow(
      /file not found at .*dsprites_ndarray_co1sh3sc6or40x32y32_64x64\.npz/,
    );
    await expect(createDataset('mpi3d')).rejects.toThrow(UserError);
    const p = join(dir, 'mpi.npz');
    writeNpz(p, { images: { dtype: 'uint8', shape: [3, 64, 64, 3], data: new Uint8Array(3 * 12288) } });
    await expect(createDataset('mpi3d', { path: p })).rejects.toThrow(/3 images, expected 1036800/);
  });
});

describe('Cars3D (.mat, MATLAB level 5)', () => {
  it('reads one compressed .mat per car, column-major im[H, W, C, azimuth, elevation]', async () => {
    const { writeMat, parseMat } = await import('../../src/data/formats/mat.js');
    const d = join(dir, 'cars');
    mkdirSync(d);
    const [H, W, A, E] = [4, 4, 3, 2];
    for (let car = 0; car < 2; car++) {
      const data = new Uint8Array(H * W * 3 * A * E);
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          for (let ch = 0; ch < 3; ch++)
            for (let a = 0; a < A; a++)
              for (let e = 0; e < E; e++) {
                data[y + H * (x + W * (ch + 3 * (a + A * e)))] = 100 * car + 10 * e + a + ch;
              }
      writeFileSync(join(d, `car_${car}.mat`), writeMat([{ name: 'im', dims: [H, W, 3, A, E], data }]));
    }
    const back = parseMat(readFileSync(join(d, 'car_1.mat')), 'car_1.mat');
    expect(back.im.dims).toEqual([H, W, 3, A, E]);
    const ds = await createDataset('cars3d', { path: d, size: 2 });
    expect(ds.factors.map((f) => `${f.name}:${f.size}`)).toEqual(['elevation:2', 'azimuth:3', 'object_type:2']);
    const x = renderObservations(ds, [ds.stateSpace.toIndex([1, 2, 1])]);
    // pixel (0, 0), channel 2 of car 1 at elevation 1, azimuth 2: 100 + 10 + 2 + 2
    expect(x[2]).toBeCloseTo(114 / 255, 6);
    const bytes = readFileSync(join(d, 'car_0.mat'));
    writeFileSync(join(d, 'car_0.mat'), bytes.subarray(0, bytes.length - 20));
    await expect(createDataset('cars3d', { path: d, size: 2 })).rejects.toThrow(/truncated|corrupt/);
  });
});
