import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { createDataset, datasetCatalogue, renderObservations } from '../../data/index.js';
import { parseParamAssignments } from '../../config/index.js';
import { writeNpz } from '../../data/formats/npz.js';
import { Rng } from '../../util/rng.js';
import { UserError } from '../../util/errors.js';
import { tileImages, writePng } from '../../viz/index.js';
import { traversalGridImage } from '../../analysis/index.js';
import { collect, parseInteger, parsePositiveInteger } from '../options.js';

function checkOut(path: string, ext: string): void {
  if (!path.endsWith(ext)) throw new UserError(`--out must name a ${ext} file, got '${path}'`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`--out ${path} is a folder`);
}

export function registerData(program: Command): void {
  program
    .command('datasets')
    .description('the dataset catalogue: factors, sizes, image shape and parameters')
    .option('--json', 'print one JSON array')
    .action(async (opts: { json?: boolean }) => {
      const cat = await datasetCatalogue();
      if (opts.json) {
        console.log(
          JSON.stringify(cat.map(({ name, factors, shape, params, kind }) => ({ name, kind, factors, shape, params }))),
        );
        return;
      }
      for (const d of cat) {
        console.log(
          `${d.name.padEnd(16)} ${(d.shape?.join('×') ?? 'file').padEnd(9)} ${d.factors?.map((f) => `${f.name}(${f.size})`).join(' ') ?? 'factors from the file'}`,
        );
        console.log(`${''.padEnd(16)} ${d.description}`);
      }
    });

  const data = program.command('data').description('export, view and traverse datasets');

  data
    .command('export')
    .description('write observations to .npz: images (uint8 N×H×W×C), factors (int32 N×F), indices')
    .argument('<dataset>', 'dataset name')
    .option('--set <key=value>', 'dataset parameter, repeatable', collect, [])
    .option('--indices <list>', 'comma-separated flat indices')
    .option('--num <n>', 'number of random observations', parsePositiveInteger)
    .option('--seed <n>', 'random seed', parseInteger, 0)
    .requiredOption('--out <file.npz>', 'output file')
    .action(async (name: string, opts) => {
      checkOut(opts.out, '.npz');
      const ds = await createDataset(name, parseParamAssignments(opts.set));
      let indices: Int32Array;
      if (opts.indices !== undefined) {
        if (opts.num !== undefined) throw new UserError('give either --indices or --num, not both');
        const parts = String(opts.indices)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        indices = Int32Array.from(
          parts.map((p) => {
            const v = Number(p);
            if (!Number.isInteger(v) || v < 0 || v >= ds.size)
              throw new UserError(`index '${p}' is out of range: valid indices are 0 … ${ds.size - 1}`);
            return v;
          }),
        );
      } else if (opts.num !== undefined) {
        indices = ds.stateSpace.sampleIndices(opts.num, new Rng(opts.seed));
      } else throw new UserError('give --indices i,j,... or --num N (with --seed S)');
      const x = renderObservations(ds, indices);
      const images = new Uint8Array(x.length);
      for (let i = 0; i < x.length; i++) images[i] = Math.round(Math.min(1, Math.max(0, x[i])) * 255);
      const F = ds.factors.length;
      const factors = new Int32Array(indices.length * F);
      const f = new Int32Array(F);
      indices.forEach((idx, i) => factors.set(ds.stateSpace.toFactors(idx, f), i * F));
      writeNpz(opts.out, {
        images: { dtype: 'uint8', shape: [indices.length, ...ds.obsShape], data: images },
        factors: { dtype: 'int32', shape: [indices.length, F], data: factors },
        indices: { dtype: 'int32', shape: [indices.length], data: indices },
      });
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
      const ds = await createDataset(name, parseParamAssignments(opts.set));
      const idx = ds.stateSpace.sampleIndices(opts.num, new Rng(opts.seed));
      const [h, w, c] = ds.obsShape;
      writePng(
        opts.out,
        tileImages(renderObservations(ds, idx), idx.length, h, w, c, Math.ceil(Math.sqrt(idx.length)), 2, 0.5),
      );
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
      const ds = await createDataset(name, parseParamAssignments(opts.set));
      writePng(opts.out, traversalGridImage(ds, opts.seed, opts.maxLength));
      console.log(`wrote ${opts.out}`);
    });
}
