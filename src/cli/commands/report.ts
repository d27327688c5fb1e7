import type { Command } from 'commander';
import { resolve } from 'node:path';
import { headlineDefaults, reportOutput } from '../../headline/defaults.js';
import { checkOutputFolder } from '../../util/out-dir.js';
import { parseInteger, parsePositiveInteger, startEngine, withEngineOptions } from '../options.js';

/** The main job: analyse XYSquares, train two short β-VAEs, score them, write one HTML report. */
export function registerReport(program: Command): void {
  withEngineOptions(
    program
      .command('report')
      .description(
        "the main job: Michlo et al.'s headline story in a few minutes (analysis, two short Ada-GVAE runs, scores, the committed study results, one HTML report)",
      )
      .option('--out <dir>', 'output folder', 'out/report')
      .option('--steps <n>', 'training steps per run', parsePositiveInteger, headlineDefaults.steps)
      .option('--batch-size <n>', 'training batch size', parsePositiveInteger, headlineDefaults.batchSize)
      .option(
        '--traversals <n>',
        'traversals per factor for the analysis',
        parsePositiveInteger,
        headlineDefaults.traversals,
      )
      .option('--pairs <n>', 'pairs per factor for the correlations', parsePositiveInteger, headlineDefaults.pairs)
      .option(
        '--codes <n>',
        'observations encoded for the scores',
        parsePositiveInteger,
        headlineDefaults.numTrainCodes,
      )
      .option('--seed <n>', 'random seed', parseInteger, headlineDefaults.seed),
  ).action(async (opts) => {
    checkOutputFolder(opts.out, reportOutput);
    await startEngine(opts);
    const { runHeadline } = await import('../../headline/index.js');
    const path = await runHeadline({
      out: opts.out,
      steps: opts.steps,
      batchSize: opts.batchSize,
      traversals: opts.traversals,
      pairs: opts.pairs,
      seed: opts.seed,
      numTrainCodes: opts.codes,
    });
    console.log(`report: ${resolve(path)}`);
  });
}
