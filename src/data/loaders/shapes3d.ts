import fs from 'node:fs';
import { UserError } from '../../util/errors.js';
import { TableDataset, labelsFromValues, type ImageSource } from './table.js';
import { locate, pathSchema } from './common.js';
import { defineDataset } from '../define.js';

const FACTORS = [
  { name: 'floor_hue', size: 10 },
  { name: 'wall_hue', size: 10 },
  { name: 'object_hue', size: 10 },
  { name: 'scale', size: 8 },
  { name: 'shape', size: 4, categorical: true },
  { name: 'orientation', size: 15 },
];

/** Shapes3D (.h5 with `images` N×64×64×3 uint8 and `labels` N×6 float), read in slices. */
type H5 = typeof import('h5wasm/node').default;
let h5: Promise<H5> | null = null;
/** The HDF5 library (wasm), loaded once on first use. */
function loadH5(): Promise<H5> {
  h5 ??= import('h5wasm/node').then(async ({ default: mod }) => {
    await mod.ready;
    return mod;
  });
  return h5;
}

/**
 * Run `fn` with the HDF5 library's diagnostics silenced: on a bad file it prints ≈ 40 lines of HDF5-DIAG
 * before our one-line error says the same. The library (emscripten, raw node file system) writes them to
 * file descriptor 2 with fs.writeSync while it runs; h5wasm offers no switch for HDF5's error printing.
 */
function quietly<T>(fn: () => T): T {
  const writeSync = fs.writeSync;
  const dropped = (data: unknown, offset?: unknown, length?: unknown): number =>
    typeof data === 'string'
      ? Buffer.byteLength(data)
      : typeof length === 'number'
        ? length
        : (data as ArrayBufferView).byteLength - (typeof offset === 'number' ? offset : 0);
  fs.writeSync = ((fd: number, ...rest: unknown[]) =>
    fd === 2
      ? dropped(rest[0], rest[1], rest[2])
      : (writeSync as (...a: unknown[]) => number)(fd, ...rest)) as typeof fs.writeSync;
  try {
    return fn();
  } finally {
    fs.writeSync = writeSync;
  }
}

const unreadable = (p: string, why: string) =>
  new UserError(
    `${p}: not a readable HDF5 file (${why}); expected the 3dshapes.h5 file ` +
      `(datasets 'images' N×64×64×3 uint8 and 'labels' N×6)`,
  );

export async function loadShapes3d(path?: string) {
  const p = locate(path, 'shapes3d', 'shapes3d/3dshapes.h5');
  const lib = await loadH5();
  let file: InstanceType<H5['File']>;
  try {
    // h5wasm does not throw when the file cannot be opened: it returns a file with a negative id
    file = quietly(() => new lib.File(p, 'r'));
  } catch (e) {
    throw unreadable(p, (e as Error).message);
  }
  if (!(Number(file.file_id) >= 0)) throw unreadable(p, 'corrupt, truncated, or not HDF5 at all');
  const [images, labelsDs] = quietly(() => [file.get('images'), file.get('labels')]);
  if (!(images instanceof lib.Dataset) || !(labelsDs instanceof lib.Dataset))
    throw new UserError(`${p}: needs datasets 'images' and 'labels'`);
  const [n, h, w, c] = images.shape as number[];
  let labelValues: ArrayLike<number>;
  try {
    labelValues = quietly(() => labelsDs.value as ArrayLike<number>);
  } catch (e) {
    throw new UserError(`${p}: cannot read 'labels' (truncated or corrupt file?): ${(e as Error).message}`);
  }
  const { labels, sizes } = labelsFromValues(labelValues, n, 6);
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
          data = quietly(() => images.slice([[ci * chunk, Math.min(n, (ci + 1) * chunk)]]) as Uint8Array);
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
    FACTORS.map(({ name }, k) => ({ name, size: sizes[k] })),
    [h, w, c],
    { path: p },
    source,
    labels,
    p,
  );
}

export const shapes3d = defineDataset({
  name: 'shapes3d',
  description: 'Shapes3D from 3dshapes.h5 (images, labels), read in slices',
  schema: pathSchema,
  files: { factors: FACTORS, shape: [64, 64, 3], needs: 'data/shapes3d/3dshapes.h5 (or --set path=...)' },
  create: (p) => loadShapes3d(p.path),
});
