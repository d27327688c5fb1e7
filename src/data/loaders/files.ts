/**
 * Loaders for the field's file-based datasets (datasets.md). Files are looked for at the `path` parameter,
 * else under $DISENTANGLE_DATA_DIR (default ./data). A missing, truncated or corrupt file gives an error
 * with the expected location.
 */
import { existsSync, openSync, readSync, closeSync, fstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../util/errors.js';
import { readNpz, toInt32, type NdArray } from '../formats/npz.js';
import { readPng } from '../../viz/png.js';
import { parseMat } from '../formats/mat.js';
import { TableDataset, labelsFromValues, uint8Source, resizeArea, type ImageSource } from './table.js';
import { StateSpace } from '../state-space.js';
import type { FactorSpec } from '../types.js';

export function dataDir(): string {
  return process.env.DISENTANGLE_DATA_DIR ?? 'data';
}

function locate(path: string | undefined, dataset: string, defaultRel: string): string {
  const p = path ?? join(dataDir(), defaultRel);
  if (!existsSync(p)) {
    throw new UserError(
      `${dataset}: file not found at ${p}. Put the file there (or set DISENTANGLE_DATA_DIR, or pass --set path=...)`,
    );
  }
  return p;
}

export const pathSchema = z.object({ path: z.string().optional() }).strict();

/** dSprites' real file: `imgs` (N×64×64 uint8 0/1) and `latents_classes` (N×6; the constant colour column is dropped). */
export function loadDSpritesFile(path?: string) {
  const p = locate(path, 'dsprites_file', 'dsprites/dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz');
  const a = readNpz(p);
  for (const k of ['imgs', 'latents_classes'])
    if (!a[k]) throw new UserError(`${p}: no '${k}' array (is this the dSprites .npz?)`);
  const n = a.imgs.shape[0];
  const lc = toInt32(a.latents_classes, `${p}:latents_classes`);
  const F = a.latents_classes.shape[1];
  const labels = new Int32Array(n * 5);
  for (let i = 0; i < n; i++) for (let k = 0; k < 5; k++) labels[i * 5 + k] = lc[i * F + (F - 5) + k];
  // Sizes as the file has them (3, 6, 40, 32, 32 in the real file; smaller in subsets).
  const names = ['shape', 'scale', 'orientation', 'position_x', 'position_y'];
  const factors: FactorSpec[] = names.map((name, k) => {
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, labels[i * 5 + k]);
    return { name, size: m + 1 };
  });
  return new TableDataset(
    'dsprites_file',
    factors,
    [64, 64, 1],
    { path: p },
    uint8Source(a.imgs.data as Uint8Array, n, 64 * 64, 1),
    labels,
    p,
  );
}

/** MPI3D (.npz `images` N×64×64×3 in C order of the factors). */
export const mpi3dSchema = z
  .object({
    path: z.string().optional(),
    variant: z.enum(['toy', 'realistic', 'real']).default('toy'),
    shapes: z
      .number()
      .int()
      .refine((v) => v === 4 || v === 6)
      .default(6),
  })
  .strict();
export function loadMpi3d(p0: z.output<typeof mpi3dSchema>) {
  const p = locate(p0.path, 'mpi3d', `mpi3d/mpi3d_${p0.variant}.npz`);
  const a = readNpz(p);
  if (!a.images) throw new UserError(`${p}: no 'images' array`);
  const factors: FactorSpec[] = [
    { name: 'object_color', size: p0.shapes === 6 ? 6 : 4 },
    { name: 'object_shape', size: p0.shapes },
    { name: 'object_size', size: 2 },
    { name: 'camera_height', size: 3 },
    { name: 'background_color', size: 3 },
    { name: 'first_dof', size: 40 },
    { name: 'second_dof', size: 40 },
  ];
  const ss = new StateSpace(factors.map((f) => f.size));
  const n = a.images.shape[0];
  if (n !== ss.size)
    throw new UserError(
      `${p}: ${n} images, expected ${ss.size} for the ${p0.variant} variant with ${p0.shapes} shapes (set --set shapes=4 for the older release)`,
    );
  const labels = new Int32Array(n * factors.length);
  const f = new Int32Array(factors.length);
  for (let i = 0; i < n; i++) labels.set(ss.toFactors(i, f), i * factors.length);
  return new TableDataset(
    `mpi3d_${p0.variant}`,
    factors,
    [64, 64, 3],
    { ...p0, path: p },
    uint8Source(a.images.data as Uint8Array, n, 64 * 64 * 3),
    labels,
    p,
  );
}

/** Shapes3D (.h5 with `images` N×64×64×3 uint8 and `labels` N×6 float), read in slices. */
let h5: any = null;
/** Load the HDF5 library (wasm) once; registry entries that need it declare it as their `prepare`. */
export async function prepareH5(): Promise<void> {
  if (!h5) {
    const mod = (await import('h5wasm/node')).default;
    await mod.ready;
    h5 = mod;
  }
}

export function loadShapes3d(path?: string) {
  const p = locate(path, 'shapes3d', 'shapes3d/3dshapes.h5');
  if (!h5) throw new Error('loadShapes3d: call prepareDataset() first (the HDF5 library loads asynchronously)');
  let file: any;
  try {
    file = new h5.File(p, 'r');
  } catch (e) {
    throw new UserError(`${p}: not a readable HDF5 file (${(e as Error).message}); expected the 3dshapes.h5 file`);
  }
  const images = file.get('images'),
    labelsDs = file.get('labels');
  if (!images || !labelsDs) throw new UserError(`${p}: needs datasets 'images' and 'labels'`);
  const [n, h, w, c] = images.shape as number[];
  let labelValues: ArrayLike<number>;
  try {
    labelValues = labelsDs.value as ArrayLike<number>;
  } catch (e) {
    throw new UserError(`${p}: cannot read 'labels' (truncated or corrupt file?): ${(e as Error).message}`);
  }
  const { labels, sizes } = labelsFromValues(labelValues, n, 6);
  const names = ['floor_hue', 'wall_hue', 'object_hue', 'scale', 'shape', 'orientation'];
  const rowSize = h * w * c;
  // Chunked reads with a small cache: random access is one slice per 256-row chunk.
  const chunk = 256;
  const cache = new Map<number, Uint8Array>();
  const source: ImageSource = {
    rows: n,
    read(row, out, offset) {
      const ci = Math.floor(row / chunk);
      let data = cache.get(ci);
      if (!data) {
        try {
          data = images.slice([[ci * chunk, Math.min(n, (ci + 1) * chunk)]]) as Uint8Array;
        } catch (e) {
          throw new UserError(`${p}: cannot read images ${ci * chunk}…: ${(e as Error).message} (truncated file?)`);
        }
        if (cache.size >= 64) cache.delete(cache.keys().next().value!);
        cache.set(ci, data);
      }
      const base = (row - ci * chunk) * rowSize;
      for (let i = 0; i < rowSize; i++) out[offset + i] = data[base + i] / 255;
    },
  };
  return new TableDataset(
    'shapes3d',
    names.map((name, k) => ({ name, size: sizes[k] })),
    [h, w, c],
    { path: p },
    source,
    labels,
    p,
  );
}

/** SmallNORB binary matrix files (`…-dat.mat`, `…-cat.mat`, `…-info.mat`). */
export function readNorbMatrix(path: string): {
  type: 'uint8' | 'int32';
  dims: number[];
  data: Uint8Array | Int32Array;
} {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 24));
    readSync(fd, head, 0, head.length, 0);
    if (head.length < 8) throw new UserError(`${path}: truncated NORB file`);
    const magic = head.readUInt32LE(0);
    const type = magic === 0x1e3d4c55 ? 'uint8' : magic === 0x1e3d4c54 ? 'int32' : null;
    if (!type) throw new UserError(`${path}: not a NORB matrix file (magic 0x${magic.toString(16)})`);
    const ndim = head.readInt32LE(4);
    const dims: number[] = [];
    for (let i = 0; i < Math.max(3, ndim); i++) dims.push(head.readInt32LE(8 + 4 * i));
    const shape = dims.slice(0, ndim);
    const count = shape.reduce((a, b) => a * b, 1);
    const offset = 8 + 4 * Math.max(3, ndim);
    const bytes = count * (type === 'uint8' ? 1 : 4);
    if (size < offset + bytes) throw new UserError(`${path}: truncated: ${size} bytes, expected ${offset + bytes}`);
    const buf = Buffer.alloc(bytes);
    readSync(fd, buf, 0, bytes, offset);
    const data =
      type === 'uint8'
        ? new Uint8Array(buf.buffer, buf.byteOffset, bytes)
        : new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytes));
    return { type, dims: shape, data };
  } finally {
    closeSync(fd);
  }
}

export const smallnorbSchema = z
  .object({
    path: z.string().optional(),
    split: z.enum(['training', 'testing']).default('training'),
    size: z.number().int().min(1).max(96).default(64),
  })
  .strict();
export function loadSmallNorb(p0: z.output<typeof smallnorbSchema>) {
  const dir = p0.path ?? join(dataDir(), 'smallnorb');
  const stem = `smallnorb-${p0.split === 'training' ? '5x46789x9x18x6x2x96x96-training' : '5x01235x9x18x6x2x96x96-testing'}`;
  const file = (kind: string) => locate(join(dir, `${stem}-${kind}.mat`), 'smallnorb', '');
  const dat = readNorbMatrix(file('dat')),
    cat = readNorbMatrix(file('cat')),
    info = readNorbMatrix(file('info'));
  const n = dat.dims[0],
    H = dat.dims[2],
    W = dat.dims[3];
  if (cat.dims[0] !== n || info.dims[0] !== n)
    throw new UserError(`${dir}: -dat, -cat and -info files disagree on the number of images`);
  const labels = new Int32Array(n * 4);
  const inf = info.data as Int32Array,
    ct = cat.data as Int32Array;
  for (let i = 0; i < n; i++) {
    labels[i * 4] = ct[i];
    labels[i * 4 + 1] = inf[i * 4 + 1]; // elevation 0…8
    labels[i * 4 + 2] = inf[i * 4 + 2] / 2; // azimuth 0, 2, …, 34 → 0…17
    labels[i * 4 + 3] = inf[i * 4 + 3]; // lighting 0…5
  }
  const S = p0.size;
  const px = dat.data as Uint8Array;
  const source: ImageSource = {
    rows: n,
    read(row, out, offset) {
      // the left image of the stereo pair
      resizeArea(px.subarray(row * 2 * H * W, row * 2 * H * W + H * W), H, W, 1, S, S, out, offset);
    },
  };
  const factors: FactorSpec[] = [
    { name: 'category', size: 5 },
    { name: 'elevation', size: 9 },
    { name: 'azimuth', size: 18 },
    { name: 'lighting', size: 6 },
  ];
  return new TableDataset('smallnorb', factors, [S, S, 1], { ...p0, path: dir }, source, labels, dir);
}

/**
 * Bring your own data: an .npz with `images` (N×H×W[×C], uint8 or float in [0, 1]) and `factors` (N×F int),
 * optionally `factor_names` is not needed (factors are named f0, f1, …); or a folder of PNGs with
 * `factors.csv` (header: filename,<factor names…>; one row per image).
 */
export const byoSchema = z.object({ path: z.string() }).strict();
export function loadByo(path: string) {
  if (!existsSync(path))
    throw new UserError(
      `byo: nothing at ${path}: give an .npz with images and factors, or a folder of PNGs with factors.csv`,
    );
  if (extname(path) === '.npz') {
    const a = readNpz(path);
    if (!a.images || !a.factors)
      throw new UserError(`${path}: needs arrays 'images' (N×H×W×C) and 'factors' (N×F int)`);
    const [n, h, w, c = 1] = a.images.shape;
    const labels = toInt32(a.factors, `${path}:factors`);
    const F = a.factors.shape[1];
    const sizes = Array.from({ length: F }, (_, k) => {
      let m = 0;
      for (let i = 0; i < n; i++) m = Math.max(m, labels[i * F + k]);
      return m + 1;
    });
    const img: NdArray = a.images;
    const rowSize = h * w * c;
    const source: ImageSource =
      img.dtype === 'uint8'
        ? uint8Source(img.data as Uint8Array, n, rowSize)
        : {
            rows: n,
            read: (row, out, off) => {
              for (let i = 0; i < rowSize; i++) out[off + i] = Number((img.data as Float32Array)[row * rowSize + i]);
            },
          };
    return new TableDataset(
      'byo',
      sizes.map((size, k) => ({ name: `f${k}`, size })),
      [h, w, c],
      { path },
      source,
      labels,
      path,
    );
  }
  const csvPath = join(path, 'factors.csv');
  if (!existsSync(csvPath))
    throw new UserError(
      `${path}: a folder needs factors.csv (header: filename,<factor names>); found ${readdirSync(path).slice(0, 5).join(', ')}`,
    );
  const lines = readFileSync(csvPath, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim());
  const header = lines[0].split(',').map((s) => s.trim());
  if (header[0] !== 'filename' || header.length < 2)
    throw new UserError(`${csvPath}: the header must be filename,<factor names>`);
  const names = header.slice(1);
  const rows = lines.slice(1).map((l, i) => {
    const cells = l.split(',').map((s) => s.trim());
    const vals = cells.slice(1).map(Number);
    if (cells.length !== header.length || vals.some((v) => !Number.isInteger(v) || v < 0))
      throw new UserError(`${csvPath}: line ${i + 2} needs a filename and ${names.length} non-negative integer labels`);
    return { file: cells[0], vals };
  });
  const first = readPng(join(path, rows[0].file));
  const [h, w] = [first.height, first.width];
  const c = 3;
  const images = rows.map((r) => {
    const im = readPng(join(path, r.file), 3);
    if (im.height !== h || im.width !== w)
      throw new UserError(`${r.file}: ${im.height}×${im.width}, expected ${h}×${w} like the first image`);
    return im.data as Uint8Array;
  });
  const labels = Int32Array.from(rows.flatMap((r) => r.vals));
  const sizes = names.map((_, k) => Math.max(...rows.map((r) => r.vals[k])) + 1);
  const source: ImageSource = {
    rows: rows.length,
    read: (row, out, off) => {
      const d = images[row];
      for (let i = 0; i < d.length; i++) out[off + i] = d[i] / 255;
    },
  };
  return new TableDataset(
    'byo',
    names.map((name, k) => ({ name, size: sizes[k] })),
    [h, w, c],
    { path },
    source,
    labels,
    path,
  );
}

/**
 * Cars3D: one .mat per car model with `im` (128×128×3×24×4 uint8: H, W, C, azimuth, elevation, stored
 * column-major), files sorted by name = object_type. Factors (elevation 4, azimuth 24, object_type),
 * images area-resized to `size`. All files are read at start (17,568 images at 128²×3 ≈ 0.9 GB as uint8).
 */
export const cars3dSchema = z
  .object({ path: z.string().optional(), size: z.number().int().min(1).max(128).default(64) })
  .strict();
export function loadCars3d(p0: z.output<typeof cars3dSchema>) {
  const dir = p0.path ?? join(dataDir(), 'cars3d');
  if (!existsSync(dir))
    throw new UserError(
      `cars3d: no folder at ${dir}: put the car_*.mat files there (or set DISENTANGLE_DATA_DIR, or --set path=...)`,
    );
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.mat'))
    .sort();
  if (files.length === 0) throw new UserError(`cars3d: no .mat files in ${dir}`);
  const S = p0.size;
  let H = 0,
    W = 0,
    A = 0,
    E = 0;
  const cars: Uint8Array[] = files.map((f) => {
    const where = join(dir, f);
    const im = parseMat(readFileSync(where), where).im;
    if (!im) throw new UserError(`${where}: no 'im' array`);
    if (im.dims.length !== 5 || im.dims[2] !== 3)
      throw new UserError(`${where}: 'im' has dims [${im.dims}], expected [H, W, 3, azimuths, elevations]`);
    if (!H) [H, W, , A, E] = im.dims;
    else if (im.dims[0] !== H || im.dims[1] !== W || im.dims[3] !== A || im.dims[4] !== E)
      throw new UserError(`${where}: dims [${im.dims}] differ from the first file's`);
    return im.data as Uint8Array;
  });
  const factors: FactorSpec[] = [
    { name: 'elevation', size: E },
    { name: 'azimuth', size: A },
    { name: 'object_type', size: cars.length },
  ];
  const n = E * A * cars.length;
  const labels = new Int32Array(n * 3);
  const rowOf: Array<[number, number, number]> = [];
  let r = 0;
  for (let e = 0; e < E; e++)
    for (let a = 0; a < A; a++)
      for (let c = 0; c < cars.length; c++) {
        labels.set([e, a, c], r * 3);
        rowOf.push([e, a, c]);
        r++;
      }
  const hwc = new Uint8Array(H * W * 3);
  const source: ImageSource = {
    rows: n,
    read(row, out, offset) {
      const [e, a, c] = rowOf[row];
      const d = cars[c];
      // column-major index of (y, x, ch, a, e)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          for (let ch = 0; ch < 3; ch++) {
            hwc[(y * W + x) * 3 + ch] = d[y + H * (x + W * (ch + 3 * (a + A * e)))];
          }
      resizeArea(hwc, H, W, 3, S, S, out, offset);
    },
  };
  return new TableDataset('cars3d', factors, [S, S, 3], { ...p0, path: dir }, source, labels, dir);
}
