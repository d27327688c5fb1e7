import type { Command } from 'commander';
import { join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { parseParamAssignments } from '../../config/assignments.js';
import { perceivedDefaults } from '../../analysis/defaults.js';
import { UserError } from '../../util/errors.js';
import { checkOutputFolder, prepareOutputFolder, type OutputFolder } from '../../util/out-dir.js';
import { writeOutputs } from '../../util/signals.js';
import {
  collect,
  parseNumber,
  parsePositiveInteger,
  parseInteger,
  startEngine,
  withEngineOptions,
} from '../options.js';

/** What `analyze --out` writes (an earlier output, marked by analysis.json, may be replaced). */
const analyzeOutput: OutputFolder = {
  command: 'analyze',
  names: ['report.html', 'analysis.json', 'traversals.png'],
  marker: 'analysis.json',
};

/** `perturb --out X.npz` also writes X.html: refuse when that name holds something not of ours. */
function checkPerturbOut(out: string): void {
  if (!out.endsWith('.npz')) throw new UserError(`--out must name a .npz file, got '${out}'`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UserError(`--out ${out} is a folder`);
  const html = out.replace(/\.npz$/, '.html');
  if (existsSync(html) && !existsSync(out))
    throw new UserError(
      `${html} exists and is not the report of an earlier \`perturb --out ${out}\`: refusing to overwrite it; ` +
        'choose another --out',
    );
}

export function registerAnalyze(program: Command): void {
  withEngineOptions(
    program
      .command('analyze')
      .description(
        'perceived distances of a dataset under a reconstruction loss: is the dataset adversarial for this loss?',
      )
      .argument('<dataset>', 'dataset name (see `disentangle datasets`)')
      .option('--set <key=value>', 'dataset parameter, repeatable (e.g. --set gridSpacing=4)', collect, [])
      .option('--loss <spec>', "reconstruction loss spec, e.g. mse, bce, 'mse+box31@3969'", 'mse')
      .option('--traversals <n>', 'random traversals per factor', parsePositiveInteger, perceivedDefaults.traversals)
      .option('--pairs <n>', 'pairs per factor for the correlations', parsePositiveInteger, perceivedDefaults.pairs)
      .option(
        '--random-pairs <n>',
        'random pairs for the baseline distance',
        parsePositiveInteger,
        perceivedDefaults.randomPairs,
      )
      .option('--seed <n>', 'random seed', parseInteger, 0)
      .option('--local-variance', 'also compute the local variance structure (Gram matrix, local PCA)')
      .option('--json', 'last line is one JSON object')
      .option('--out <dir>', 'write report.html, analysis.json and traversals.png into this folder'),
  ).action(async (name: string, opts) => {
    if (opts.out) checkOutputFolder(opts.out, analyzeOutput);
    const params = parseParamAssignments(opts.set);
    const { createDataset } = await import('../../data/registry.js');
    const ds = await createDataset(name, params);
    const { parseLoss } = await import('../../losses/index.js');
    const loss = await parseLoss(opts.loss);
    await startEngine(opts);
    const {
      analysePerceivedDistances,
      localVarianceStructure,
      perceivedReportHtml,
      perceivedSummary,
      traversalGridImage,
    } = await import('../../analysis/index.js');
    const { ProgressBar } = await import('../../util/progress.js');
    const { writeFileAtomic } = await import('../../util/fs.js');
    const { writePng } = await import('../../viz/index.js');
    const bar = new ProgressBar({ total: ds.factors.length * opts.traversals, label: 'analyze', unit: 'trav' });
    const t0 = performance.now();
    const report = analysePerceivedDistances(ds, loss, {
      traversals: opts.traversals,
      pairs: opts.pairs,
      randomPairs: opts.randomPairs,
      seed: opts.seed,
      onProgress: (d) => bar.update(d),
    });
    bar.finish();
    const seconds = (performance.now() - t0) / 1000;
    const lv = opts.localVariance || opts.out ? localVarianceStructure(ds, { seed: opts.seed }) : undefined;
    const summary = { ...perceivedSummary(report), seconds: Math.round(seconds * 100) / 100 };
    if (opts.out) {
      const out: string = opts.out;
      const html = perceivedReportHtml(report, ds, lv);
      const picture = traversalGridImage(ds, opts.seed);
      const json = JSON.stringify(
        {
          ...summary,
          matrices: Object.fromEntries(
            report.factors.map((f) => [f.name, { values: f.traversedValues, matrix: Array.from(f.matrix) }]),
          ),
          localVariance: lv && { ...lv, gram: Array.from(lv.gram), gramCosine: Array.from(lv.gramCosine) },
        },
        null,
        1,
      );
      await writeOutputs(() => {
        prepareOutputFolder(out, analyzeOutput);
        writeFileAtomic(join(out, 'report.html'), html);
        writeFileAtomic(join(out, 'analysis.json'), json);
        writePng(join(out, 'traversals.png'), picture);
      });
    }
    if (opts.json) {
      console.log(
        JSON.stringify(
          lv ? { ...summary, localVariance: { pcaAlignment: lv.pcaAlignment, pcaEigengap: lv.pcaEigengap } } : summary,
        ),
      );
    } else {
      console.log(`${report.dataset} ${JSON.stringify(report.params)} under ${report.loss} (${seconds.toFixed(1)} s)`);
      console.log(
        'factor'.padEnd(14) +
          'size'.padStart(6) +
          'mean'.padStart(10) +
          'std'.padStart(10) +
          'rank'.padStart(8) +
          'linear'.padStart(8) +
          '  verdict',
      );
      for (const f of report.factors) {
        console.log(
          f.name.padEnd(14) +
            String(f.size).padStart(6) +
            f.mean.toFixed(4).padStart(10) +
            f.std.toFixed(4).padStart(10) +
            (Number.isFinite(f.rankCorrelation) ? f.rankCorrelation.toFixed(3) : 'n/a').padStart(8) +
            (Number.isFinite(f.linearCorrelation) ? f.linearCorrelation.toFixed(3) : 'n/a').padStart(8) +
            `  ${f.verdict}`,
        );
      }
      console.log(
        'random pairs'.padEnd(20) +
          report.randomPairs.mean.toFixed(4).padStart(10) +
          report.randomPairs.std.toFixed(4).padStart(10),
      );
      for (const n of report.notes) console.log(`note: ${n}`);
      if (opts.out) console.log(`report: ${join(opts.out, 'report.html')}`);
    }
  });

  withEngineOptions(
    program
      .command('perturb')
      .description(
        'find the factor-conditioned perturbation m(w), ‖m‖∞ ≤ 1, that hides the local variance structure (Zietlow et al.)',
      )
      .argument('<dataset>', 'dataset name')
      .option('--set <key=value>', 'dataset parameter, repeatable', collect, [])
      .requiredOption('--epsilon <e>', 'perturbation amplitude ε in (0, 1] (≈ 0.1 for dSprites)', parseNumber)
      .option('--steps <n>', 'optimisation steps', parsePositiveInteger, 200)
      .option('--batch <n>', 'points per step', parsePositiveInteger, 16)
      .option('--seed <n>', 'random seed', parseInteger, 0)
      .option('--json', 'last line is one JSON object')
      .requiredOption('--out <file.npz>', 'where to write the perturbation (and a report beside it)'),
  ).action(async (name: string, opts) => {
    checkPerturbOut(opts.out);
    if (!(opts.epsilon > 0 && opts.epsilon <= 1))
      throw new UserError(`--epsilon must be in (0, 1], got ${opts.epsilon}`);
    const params = parseParamAssignments(opts.set);
    const { createDataset } = await import('../../data/registry.js');
    const ds = await createDataset(name, params);
    await startEngine(opts);
    const { findPerturbation, localVarianceStructure, traversalGridImage } = await import('../../analysis/index.js');
    const { applyPerturbation, applyUniformNoise, savePerturbation } = await import('../../data/perturbed.js');
    const { perturbationReportHtml } = await import('../../analysis/perturbation-io.js');
    const { ProgressBar } = await import('../../util/progress.js');
    const { writeFileAtomic } = await import('../../util/fs.js');
    const bar = new ProgressBar({ total: opts.steps, label: 'perturb', unit: 'step' });
    const p = findPerturbation(ds, {
      epsilon: opts.epsilon,
      steps: opts.steps,
      batch: opts.batch,
      seed: opts.seed,
      onProgress: (s, _t, v) => bar.update(s, `objective ${v.toFixed(4)}`),
    });
    bar.finish();
    const perturbed = applyPerturbation(ds, p);
    const noise = applyUniformNoise(ds, opts.epsilon, opts.seed);
    const lv = {
      original: localVarianceStructure(ds, { seed: opts.seed }),
      perturbed: localVarianceStructure(perturbed, { seed: opts.seed }),
      noise: localVarianceStructure(noise, { seed: opts.seed }),
    };
    const html = opts.out.replace(/\.npz$/, '.html');
    const page = perturbationReportHtml(ds, p, lv, [
      traversalGridImage(ds, opts.seed),
      traversalGridImage(perturbed, opts.seed),
      traversalGridImage(noise, opts.seed),
    ]);
    await writeOutputs(() => {
      checkPerturbOut(opts.out);
      savePerturbation(opts.out, p, ds);
      writeFileAtomic(html, page);
    });
    const summary = {
      dataset: ds.name,
      params: ds.params,
      epsilon: p.epsilon,
      out: opts.out,
      report: html,
      alignmentBefore: p.alignmentBefore,
      alignmentAfter: p.alignmentAfter,
      pcaAlignment: {
        original: lv.original.pcaAlignment,
        perturbed: lv.perturbed.pcaAlignment,
        noise: lv.noise.pcaAlignment,
      },
    };
    if (opts.json) console.log(JSON.stringify(summary));
    else {
      console.log(`perturbation written to ${opts.out}; report ${html}`);
      console.log(
        `local PCA alignment with factors: original ${lv.original.pcaAlignment.toFixed(3)}, perturbed ${lv.perturbed.pcaAlignment.toFixed(3)}, noise control ${lv.noise.pcaAlignment.toFixed(3)}`,
      );
    }
  });
}
