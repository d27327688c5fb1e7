import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../util/errors.js';
import { parseMat } from '../formats/mat.js';
import { TableDataset, resizeArea, type ImageSource } from './table.js';
import { dataDir } from './common.js';
import { defineDataset } from '../define.js';
import type { FactorSpec } from '../types.js';

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
    { name: 'object_type', size: cars.length, categorical: true },
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

export const cars3d = defineDataset({
  name: 'cars3d',
  description: 'Cars3D from one .mat per car (im: 128×128×3×24×4), resized',
  schema: cars3dSchema,
  files: {
    factors: [
      { name: 'elevation', size: 4 },
      { name: 'azimuth', size: 24 },
      { name: 'object_type', size: 183, categorical: true },
    ],
    shape: [64, 64, 3],
    needs: 'data/cars3d/*.mat, one per car (or --set path=DIR)',
  },
  create: (p) => loadCars3d(p),
});
