import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { parseParamAssignments } from '../../config/assignments.js';
import { UserError } from '../../util/errors.js';
import { collect, parseInteger, parsePositiveInteger } from '../options.js';

function checkOut(path: string, ext: string): void {
  if (!path.endsWith(ext)) throw new UserError(`--out must name a ${ext} file, got '${path}'`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`--out ${path} is a folder`);
}

/** `--indices 3,17,…` as flat indices of a dataset of `size` observations (exact up to 2^53). */
export function parseIndexList(list: string, size: number): Float64Array {
  const parts = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length) throw new UserError(`--indices needs a comma-separated list of indices, got '${list}'`);
  return Float64Array.from(parts, (p) => {
    const v = Number(p);
    if (Number.isNaN(v)) throw new UserError(`--indices: '${p}' is not a number (give whole numbers, e.g. 0,17,42)`);
    if (!Number.isInteger(v)) throw new UserError(`--indices: '${p}' is not a whole number`);
    if (!Number.isSafeInteger(v) || v < 0 || v >= size)
      throw new UserError(`--indices: index ${p} is out of range: valid indices are 0 … ${size - 1}`);
    return v;
  });
}

/** Rendered observations are float32 N·H·W·C in memory: refuse a count that cannot fit rather than crash. */
function checkCount(n: number, obsShape: readonly number[], what: string): void {
  const bytes = n * obsShape.reduce((a, b) => a * b, 1) * 4;
  if (bytes > 2 ** 32)
    throw new UserError(
      `${what} ${n} would need ${(bytes / 2 ** 30).toFixed(0)} GiB for the images: ` +
        `give at most ${Math.floor(2 ** 30 / obsShape.reduce((a, b) => a * b, 1)).toLocaleString('en')} at this image size`,
    );
}

/** One line per dataset: name, shape, factors; then its description and its parameters' defaults. */
function datasetLines(d: {
  name: string;
  description: string;
  shape: number[] | null;
  factors: Array<{ name: string; size: number }> | null;
  params: Record<string, unknown>;
  required: string[];
  optional: string[];
  needs?: string;
}): string[] {
  const params = [
    ...d.required.map((k) => `${k}=… (required)`),
    ...Object.entries(d.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
    ...d.optional.map((k) => `${k}=… (optional)`),
  ].join(' ');
  return [
    `${d.name.padEnd(16)} ${(d.shape?.join('×') ?? 'from file').padEnd(9)} ${d.factors?.map((f) => `${f.name}(${f.size})`).join(' ') ?? 'factors from the file'}`,
    `${''.padEnd(16)} ${d.description}`,
    ...(params ? [`${''.padEnd(16)} parameters (--set key=value): ${params}`] : []),
    ...(d.needs ? [`${''.padEnd(16)} needs: ${d.needs}`] : []),
  ];
}

export function registerData(program: Command): void {
  program
    .command('datasets')
    .description('the dataset catalogue: factors, sizes, image shape and parameters')
    .option('--json', 'print one JSON array')
    .action(async (opts: { json?: boolean }) => {
      const { datasetCatalogue } = await import('../../data/registry.js');
      const cat = await datasetCatalogue();
      if (opts.json) {
        console.log(
          JSON.stringify(
            cat.map(({ name, factors, shape, params, required, optional, kind }) => ({
              name,
              kind,
              factors,
              shape,
              params,
              required,
              optional,
            })),
          ),
        );
        return;
      }
      for (const d of cat) console.log(datasetLines(d).join('\n'));
    });

  const data = program.command('data').description('export, view and traverse datasets');

  data
    .command('export')
    .description('write observations to .npz: images (uint8 N×H×W×C), factors (int32 N×F), indices (int64 N)')
    .argument('<dataset>', 'dataset name')
    .option('--set <key=value>', 'dataset parameter, repeatable', collect, [])
    .option('--indices <list>', 'comma-separated flat indices')
    .option('--num <n>', 'number of random observations', parsePositiveInteger)
    .option('--seed <n>', 'random seed', parseInteger, 0)
    .requiredOption('--out <file.npz>', 'output file')
    .action(async (name: string, opts) => {
      checkOut(opts.out, '.npz');
      if (opts.indices !== undefined && opts.num !== undefined)
        throw new UserError('give either --indices or --num, not both');
      if (opts.indices === undefined && opts.num === undefined)
        throw new UserError('give --indices i,j,... or --num N (with --seed S)');
      const params = parseParamAssignments(opts.set);
      const { createDataset } = await import('../../data/registry.js');
      const { writeNpz } = await import('../../data/formats/npz.js');
      const { Rng } = await import('../../util/rng.js');
      const ds = await createDataset(name, params);
      if (opts.num !== undefined) checkCount(opts.num, ds.obsShape, '--num');
      const indices =
        opts.indices !== undefined
          ? parseIndexList(String(opts.indices), ds.size)
          : ds.stateSpace.sampleIndices(opts.num, new Rng(opts.seed));
      const { renderObservations } = await import('../../data/render.js');
      const x = renderObservations(ds, indices);
      const images = new Uint8Array(x.length);
      for (let i = 0; i < x.length; i++) images[i] = Math.round(Math.min(1, Math.max(0, x[i])) * 255);
      const F = ds.factors.length;
      const factors = new Int32Array(indices.length * F);
      const f = new Int32Array(F);
      indices.forEach((idx, i) => factors.set(ds.stateSpace.toFactors(idx, f), i * F));
      const { writeOutputs } = await import('../../util/signals.js');
      await writeOutputs(() =>
        writeNpz(opts.out, {
          images: { dtype: 'uint8', shape: [indices.length, ...ds.obsShape], data: images },
          factors: { dtype: 'int32', shape: [indices.length, F], data: factors },
          // int64: flat indices of big datasets (XYSquares at spacing 1: 57⁶ ≈ 3.4·10¹⁰) do not fit 32 bits
          indices: { dtype: 'int64', shape: [indices.length], data: BigInt64Array.from(indices, (v) => BigInt(v)) },
        }),
      );
      console.log(`wrote ${indices.length} observations of ${ds.name} to ${opts.out}`);
    });

  data
    .command('grid')
    .description('a PNG grid of random observations')
    .argument('<dataset>', 'dataset name')
    .option('--set <key=value>', 'dataset parameter, repeatable', collect, [])
    .option('--num <n>', 'number of observations', parsePositiveInteger, 36)
    .option('--seed <n>', 'random seed', parseInteger, 0)
    .requiredOption('--out <file.png>', 'output file')
    .action(async (name: string, opts) => {
      checkOut(opts.out, '.png');
      const params = parseParamAssignments(opts.set);
      const { createDataset } = await import('../../data/registry.js');
      const { tileImages, writePng } = await import('../../viz/index.js');
      const { Rng } = await import('../../util/rng.js');
      const ds = await createDataset(name, params);
      checkCount(opts.num, ds.obsShape, '--num');
      const idx = ds.stateSpace.sampleIndices(opts.num, new Rng(opts.seed));
      const [h, w, c] = ds.obsShape;
      const { renderObservations } = await import('../../data/render.js');
      const image = tileImages(
        renderObservations(ds, idx),
        idx.length,
        h,
        w,
        c,
        Math.ceil(Math.sqrt(idx.length)),
        2,
        0.5,
      );
      const { writeOutputs } = await import('../../util/signals.js');
      await writeOutputs(() => writePng(opts.out, image));
      console.log(`wrote ${opts.out}`);
    });

  data
    .command('traverse')
    .description('a PNG with one row per factor: that factor traversed from a random start')
    .argument('<dataset>', 'dataset name')
    .option('--set <key=value>', 'dataset parameter, repeatable', collect, [])
    .option('--seed <n>', 'random seed', parseInteger, 0)
    .option('--max-length <n>', 'at most this many values per row', parsePositiveInteger, 16)
    .requiredOption('--out <file.png>', 'output file')
    .action(async (name: string, opts) => {
      checkOut(opts.out, '.png');
      const params = parseParamAssignments(opts.set);
      const { createDataset } = await import('../../data/registry.js');
      const { writePng } = await import('../../viz/index.js');
      const { traversalGridImage } = await import('../../analysis/index.js');
      const ds = await createDataset(name, params);
      const image = traversalGridImage(ds, opts.seed, opts.maxLength);
      const { writeOutputs } = await import('../../util/signals.js');
      await writeOutputs(() => writePng(opts.out, image));
      console.log(`wrote ${opts.out}`);
    });
}
