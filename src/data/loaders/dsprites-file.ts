import { UserError } from '../../util/errors.js';
import { readNpz, toInt32 } from '../formats/npz.js';
import { TableDataset, uint8Source } from './table.js';
import { locate, pathSchema } from './common.js';
import { defineDataset } from '../define.js';
import type { FactorSpec } from '../types.js';

/** The real file's factors (its constant colour column dropped). */
const FACTORS: FactorSpec[] = [
  { name: 'shape', size: 3, categorical: true },
  { name: 'scale', size: 6 },
  { name: 'orientation', size: 40 },
  { name: 'position_x', size: 32 },
  { name: 'position_y', size: 32 },
];
const FILE = 'dsprites/dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz';

/** dSprites' real file: `imgs` (N×64×64 uint8 0/1) and `latents_classes` (N×6; the constant colour column is dropped). */
export function loadDSpritesFile(path?: string) {
  const p = locate(path, 'dsprites_file', FILE);
  const a = readNpz(p);
  for (const k of ['imgs', 'latents_classes'])
    if (!a[k]) throw new UserError(`${p}: no '${k}' array (is this the dSprites .npz?)`);
  const n = a.imgs.shape[0];
  const lc = toInt32(a.latents_classes, `${p}:latents_classes`);
  const F = a.latents_classes.shape[1];
  const labels = new Int32Array(n * 5);
  for (let i = 0; i < n; i++) for (let k = 0; k < 5; k++) labels[i * 5 + k] = lc[i * F + (F - 5) + k];
  // Sizes as the file has them (3, 6, 40, 32, 32 in the real file; smaller in subsets).
  const factors: FactorSpec[] = FACTORS.map(({ name }, k) => {
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

export const dsprites_file = defineDataset({
  name: 'dsprites_file',
  description: 'dSprites from the real .npz (imgs, latents_classes) at data/dsprites/ or --set path=',
  schema: pathSchema,
  files: { factors: FACTORS, shape: [64, 64, 1], needs: `data/${FILE} (or --set path=...)` },
  create: (p) => loadDSpritesFile(p.path),
});
