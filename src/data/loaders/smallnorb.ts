import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../util/errors.js';
import { TableDataset, resizeArea, type ImageSource } from './table.js';
import { dataDir, locate } from './common.js';
import { defineDataset } from '../define.js';
import type { FactorSpec } from '../types.js';

/** Instance (0…9) is a nuisance factor: it is not among the ground-truth factors. */
const FACTORS: FactorSpec[] = [
  { name: 'category', size: 5, categorical: true },
  { name: 'elevation', size: 9 },
  { name: 'azimuth', size: 18 },
  { name: 'lighting', size: 6 },
];

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
  return new TableDataset('smallnorb', FACTORS, [S, S, 1], { ...p0, path: dir }, source, labels, dir);
}

export const smallnorb = defineDataset({
  name: 'smallnorb',
  description: 'SmallNORB binary -dat/-cat/-info files (left image, resized; instance as nuisance)',
  schema: smallnorbSchema,
  files: {
    factors: FACTORS,
    shape: [64, 64, 1],
    needs: 'data/smallnorb/smallnorb-*-{dat,cat,info}.mat (or --set path=DIR)',
  },
  create: (p) => loadSmallNorb(p),
});
