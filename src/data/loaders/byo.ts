import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../util/errors.js';
import { readNpz, toInt32, type NdArray } from '../formats/npz.js';
import { readPng } from '../formats/png.js';
import { TableDataset, uint8Source, type ImageSource } from './table.js';
import { defineDataset } from '../define.js';

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
    const ishape = a.images.shape,
      fshape = a.factors.shape;
    if (ishape.length < 3 || ishape.length > 4 || fshape.length !== 2)
      throw new UserError(
        `${path}: 'images' must be N×H×W or N×H×W×C and 'factors' N×F, got [${ishape}] and [${fshape}]`,
      );
    const [n, h, w, c = 1] = ishape;
    if (n === 0) throw new UserError(`${path}: holds no images (N = 0)`);
    if (fshape[0] !== n) throw new UserError(`${path}: ${n} images but ${fshape[0]} factor rows`);
    if (fshape[1] === 0) throw new UserError(`${path}: 'factors' has no columns (N×0): give at least one factor`);
    checkImages(a.images, path, h * w * c, [h, w, c]);
    const labels = toInt32(a.factors, `${path}:factors`);
    const F = fshape[1];
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
  if (!statSync(path).isDirectory())
    throw new UserError(`byo: ${path} is neither an .npz file nor a folder (of PNGs with factors.csv)`);
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
  if (lines.length < 2) throw new UserError(`${csvPath}: has a header but no rows (one row per image)`);
  const rows = lines.slice(1).map((l, i) => {
    const cells = l.split(',').map((s) => s.trim());
    const vals = cells.slice(1).map(Number);
    if (cells.length !== header.length || vals.some((v) => !Number.isInteger(v) || v < 0))
      throw new UserError(`${csvPath}: line ${i + 2} needs a filename and ${names.length} non-negative integer labels`);
    if (!existsSync(join(path, cells[0])))
      throw new UserError(`${csvPath}: line ${i + 2} names ${cells[0]}, which is not in ${path}`);
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
 * Images are checked at the door: uint8 (0–255) or floats in [0, 1], every value finite. A NaN pixel would
 * otherwise load, and training would then stop on a NaN loss and blame the learning rate.
 */
function checkImages(images: NdArray, path: string, rowSize: number, [, w, c]: number[]): void {
  if (images.dtype === 'uint8') return;
  if (images.dtype !== 'float32' && images.dtype !== 'float64')
    throw new UserError(`${path}: 'images' must be uint8 (0–255) or float (0–1), got ${images.dtype}`);
  const d = images.data as Float32Array | Float64Array;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (Number.isFinite(v) && v >= 0 && v <= 1) continue;
    const r = Math.floor(i / rowSize),
      p = i % rowSize;
    const where = `image ${r}, pixel (y ${Math.floor(p / (w * c))}, x ${Math.floor(p / c) % w}, channel ${p % c})`;
    if (!Number.isFinite(v))
      throw new UserError(`${path}: 'images' holds ${v} at ${where}: every pixel must be finite`);
    throw new UserError(
      `${path}: 'images' holds ${v} at ${where}: float images must lie in [0, 1]` +
        (v > 1 && v <= 255 ? ' (for 0–255 values, store them as uint8 or divide by 255)' : ''),
    );
  }
}

export const byo = defineDataset({
  name: 'byo',
  description: 'your own data: an .npz with images and factors, or a folder of PNGs with factors.csv (--set path=...)',
  schema: byoSchema,
  files: {
    factors: null,
    shape: null,
    needs: '--set path=FILE.npz (images, factors) or a folder of PNGs with factors.csv',
  },
  create: (p) => loadByo(p.path),
});
