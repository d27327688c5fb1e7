/**
 * The dataset registry: one line per dataset, each importing its module on first use. The CLI, configs and
 * the web page discover datasets here (`datasets.names()`, `await datasets.get(name)`).
 */
import { Registry } from '../registry/index.js';
import type { DatasetDefinition } from './define.js';
import type { FactorSpec, GroundTruthDataset } from './types.js';

export const datasets = new Registry<DatasetDefinition>('dataset', ' (see `disentangle datasets`)')
  // procedural
  .add('xysquares', () => import('./procedural/xysquares.js').then((m) => m.xysquares))
  .add('xysinglesquare', () => import('./procedural/xysinglesquare.js').then((m) => m.xysinglesquare))
  .add('xcolumns', () => import('./procedural/xcolumns.js').then((m) => m.xcolumns))
  .add('dsprites', () => import('./procedural/dsprites.js').then((m) => m.dsprites))
  .add('dsprites_color', () => import('./procedural/dsprites.js').then((m) => m.dsprites_color))
  .add('dsprites_noisy', () => import('./procedural/dsprites.js').then((m) => m.dsprites_noisy))
  .add('dsprites_scream', () => import('./procedural/dsprites.js').then((m) => m.dsprites_scream))
  .add('xyobject', () => import('./procedural/xyobject.js').then((m) => m.xyobject))
  .add('xyobject_shaded', () => import('./procedural/xyobject.js').then((m) => m.xyobject_shaded))
  .add('pinwheel', () => import('./procedural/pinwheel.js').then((m) => m.pinwheel))
  // file-based (datasets.md): files under data/ or $DISENTANGLE_DATA_DIR, or --set path=
  .add('dsprites_file', () => import('./loaders/dsprites-file.js').then((m) => m.dsprites_file))
  .add('shapes3d', () => import('./loaders/shapes3d.js').then((m) => m.shapes3d))
  .add('mpi3d', () => import('./loaders/mpi3d.js').then((m) => m.mpi3d))
  .add('smallnorb', () => import('./loaders/smallnorb.js').then((m) => m.smallnorb))
  .add('cars3d', () => import('./loaders/cars3d.js').then((m) => m.cars3d))
  .add('byo', () => import('./loaders/byo.js').then((m) => m.byo))
  // another dataset seen through a perturbation (Zietlow et al.)
  .add('perturbed', () => import('./perturbed.js').then((m) => m.perturbedDataset(createDataset)));

/** Build dataset `name` from its parameters (validated by its schema; a UserError names a bad key). */
export async function createDataset(name: string, params: Record<string, unknown> = {}): Promise<GroundTruthDataset> {
  return (await datasets.get(name)).create(params);
}

export interface CatalogueEntry {
  name: string;
  description: string;
  kind: 'procedural' | 'file';
  /** null: given by the file (your own data). */
  factors: FactorSpec[] | null;
  shape: [number, number, number] | null;
  /** The parameters' defaults. */
  params: Record<string, unknown>;
  /** Parameters without a default: those that must be given, and those that may be. */
  required: string[];
  optional: string[];
  /** File-based datasets: what file to put where. */
  needs?: string;
}

/** Every dataset with its factors, shape and default parameters (procedural ones are built to read them). */
export async function datasetCatalogue(): Promise<CatalogueEntry[]> {
  return Promise.all(
    (await datasets.all()).map(async (d) => {
      const defaults = d.schema.safeParse({});
      let params: Record<string, unknown> = defaults.success ? { ...defaults.data } : {};
      let factors: FactorSpec[] | null, shape: [number, number, number] | null;
      if (d.files) ({ factors, shape } = d.files);
      else {
        // procedural: built once with its defaults, for the factor sizes and the derived defaults
        const ds = await d.create(params);
        factors = ds.factors.map((f) => ({
          name: f.name,
          size: f.size,
          ...(f.categorical ? { categorical: true } : {}),
        }));
        shape = [...ds.obsShape] as [number, number, number];
        params = { ...ds.params };
      }
      const open = Object.keys(d.schema.shape).filter((k) => params[k] === undefined);
      const required = open.filter((k) => !d.schema.shape[k].safeParse(undefined).success);
      const optional = open.filter((k) => !required.includes(k));
      return {
        name: d.name,
        description: d.description,
        kind: d.kind,
        factors,
        shape,
        params,
        required,
        optional,
        ...(d.files ? { needs: d.files.needs } : {}),
      };
    }),
  );
}
