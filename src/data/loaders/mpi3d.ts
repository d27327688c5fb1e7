import { z } from 'zod';
import { UserError } from '../../util/errors.js';
import { readNpz } from '../formats/npz.js';
import { TableDataset, uint8Source } from './table.js';
import { StateSpace } from '../state-space.js';
import { locate } from './common.js';
import { defineDataset } from '../define.js';
import type { FactorSpec } from '../types.js';

/** The factors of a release with 6 shapes (the current one) or 4 (the older one). */
function mpi3dFactors(shapes: number): FactorSpec[] {
  return [
    { name: 'object_color', size: shapes === 6 ? 6 : 4 },
    { name: 'object_shape', size: shapes, categorical: true },
    { name: 'object_size', size: 2 },
    { name: 'camera_height', size: 3 },
    { name: 'background_color', size: 3 },
    { name: 'first_dof', size: 40 },
    { name: 'second_dof', size: 40 },
  ];
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
  const factors = mpi3dFactors(p0.shapes);
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

export const mpi3d = defineDataset({
  name: 'mpi3d',
  description: 'MPI3D toy/realistic/real from .npz (images)',
  schema: mpi3dSchema,
  files: { factors: mpi3dFactors(6), shape: [64, 64, 3], needs: 'data/mpi3d/mpi3d_<variant>.npz (or --set path=...)' },
  create: (p) => loadMpi3d(p),
});
