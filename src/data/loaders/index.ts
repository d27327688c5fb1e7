/** Registers the file-based datasets (datasets.md) with the dataset registry. */
import { registerDataset } from '../registry.js';
import {
  pathSchema,
  byoSchema,
  mpi3dSchema,
  smallnorbSchema,
  cars3dSchema,
  loadDSpritesFile,
  loadMpi3d,
  loadShapes3d,
  loadSmallNorb,
  loadCars3d,
  loadByo,
  prepareH5,
} from './files.js';

const f = (names: Array<[string, number]>) => names.map(([name, size]) => ({ name, size }));

registerDataset({
  name: 'dsprites_file',
  kind: 'file',
  schema: pathSchema,
  description: 'dSprites from the real .npz (imgs, latents_classes) at data/dsprites/ or --set path=',
  create: (p) => loadDSpritesFile(p.path as string | undefined),
  describe: () => ({
    factors: f([
      ['shape', 3],
      ['scale', 6],
      ['orientation', 40],
      ['position_x', 32],
      ['position_y', 32],
    ]),
    shape: [64, 64, 1],
  }),
});
registerDataset({
  name: 'shapes3d',
  kind: 'file',
  schema: pathSchema,
  description: 'Shapes3D from 3dshapes.h5 (images, labels), read in slices',
  create: (p) => loadShapes3d(p.path as string | undefined),
  prepare: prepareH5,
  describe: () => ({
    factors: f([
      ['floor_hue', 10],
      ['wall_hue', 10],
      ['object_hue', 10],
      ['scale', 8],
      ['shape', 4],
      ['orientation', 15],
    ]),
    shape: [64, 64, 3],
  }),
});
registerDataset({
  name: 'mpi3d',
  kind: 'file',
  schema: mpi3dSchema,
  description: 'MPI3D toy/realistic/real from .npz (images)',
  create: (p) => loadMpi3d(p as any),
  describe: () => ({
    factors: f([
      ['object_color', 6],
      ['object_shape', 6],
      ['object_size', 2],
      ['camera_height', 3],
      ['background_color', 3],
      ['first_dof', 40],
      ['second_dof', 40],
    ]),
    shape: [64, 64, 3],
  }),
});
registerDataset({
  name: 'smallnorb',
  kind: 'file',
  schema: smallnorbSchema,
  description: 'SmallNORB binary -dat/-cat/-info files (left image, resized; instance as nuisance)',
  create: (p) => loadSmallNorb(p as any),
  describe: () => ({
    factors: f([
      ['category', 5],
      ['elevation', 9],
      ['azimuth', 18],
      ['lighting', 6],
    ]),
    shape: [64, 64, 1],
  }),
});
registerDataset({
  name: 'cars3d',
  kind: 'file',
  schema: cars3dSchema,
  description: 'Cars3D from one .mat per car (im: 128×128×3×24×4), resized',
  create: (p) => loadCars3d(p as any),
  describe: () => ({
    factors: f([
      ['elevation', 4],
      ['azimuth', 24],
      ['object_type', 183],
    ]),
    shape: [64, 64, 3],
  }),
});
registerDataset({
  name: 'byo',
  kind: 'file',
  schema: byoSchema,
  description: 'your own data: an .npz with images and factors, or a folder of PNGs with factors.csv (--set path=...)',
  create: (p) => loadByo(p.path as string),
  describe: () => ({ factors: [], shape: [0, 0, 0] }),
});
