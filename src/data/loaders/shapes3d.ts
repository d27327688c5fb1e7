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

export async function loadShapes3d(path?: string) {
  const p = locate(path, 'shapes3d', 'shapes3d/3dshapes.h5');
  const lib = await loadH5();
  let file: InstanceType<H5['File']>;
  try {
    file = new lib.File(p, 'r');
  } catch (e) {
    throw new UserError(`${p}: not a readable HDF5 file (${(e as Error).message}); expected the 3dshapes.h5 file`);
  }
  const images = file.get('images'),
    labelsDs = file.get('labels');
  if (!(images instanceof lib.Dataset) || !(labelsDs instanceof lib.Dataset))
    throw new UserError(`${p}: needs datasets 'images' and 'labels'`);
  const [n, h, w, c] = images.shape as number[];
  let labelValues: ArrayLike<number>;
  try {
    labelValues = labelsDs.value as ArrayLike<number>;
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
