import type { Command } from 'commander';
import { join } from 'node:path';
import { Option } from 'commander';
import { readNpz, toFloat64, toInt32 } from '../../data/formats/npz.js';
import { metricNames, parseMetricList } from '../../metrics/registry.js';
import { evalPresets } from '../../metrics/define.js';
import type { CodesAndFactors } from '../../metrics/utils.js';
import { evaluateDefaults } from '../../evaluate/defaults.js';
import { UserError } from '../../util/errors.js';
import { lockFolder } from '../../util/lock.js';
import { parseInteger, parsePositiveInteger, startEngine, withEngineOptions } from '../options.js';

function readCodes(path: string): CodesAndFactors {
  const a = readNpz(path);
  for (const key of ['codes', 'factors'])
    if (!a[key])
      throw new UserError(`${path} has no '${key}' array (it needs 'codes' N×D float and 'factors' N×F int)`);
  const { codes, factors } = a;
  if (codes.shape.length !== 2 || factors.shape.length !== 2)
    throw new UserError(`${path}: 'codes' and 'factors' must be 2-D (got [${codes.shape}] and [${factors.shape}])`);
  if (codes.shape[0] !== factors.shape[0])
    throw new UserError(`${path}: ${codes.shape[0]} codes but ${factors.shape[0]} factor rows`);
  return {
    codes: toFloat64(codes),
    factors: toInt32(factors, `${path}:factors`),
    n: codes.shape[0],
    numCodes: codes.shape[1],
    numFactors: factors.shape[1],
  };
}

const round = (r: Record<string, number>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 1e6) / 1e6]));

export function registerMetrics(program: Command): void {
  program
    .command('metrics')
    .description('disentanglement metrics on codes made anywhere (.npz with codes N×D and factors N×F)')
    .requiredOption('--train <file.npz>', 'training codes and factors')
    .requiredOption('--test <file.npz>', 'test codes and factors')
    .option('--metrics <list>', `comma-separated subset of: ${metricNames('codes').join(', ')}`)
    .option('--json', 'last line is one flat JSON object')
    .action(async (opts) => {
      const names = parseMetricList(opts.metrics, 'codes');
      const { computeArrayMetrics } = await import('../../metrics/registry.js');
      const t0 = performance.now();
      const result = await computeArrayMetrics(readCodes(opts.train), readCodes(opts.test), names);
      for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
      const r = round(result.scores);
      if (opts.json) console.log(JSON.stringify(r));
      else {
        for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(36)} ${v}`);
        // the per-factor values of the metrics that have them (DCI-ES's explicitness, InfoE, …)
        for (const [metric, d] of Object.entries(result.details))
          for (const [k, v] of Object.entries(d))
            if (Array.isArray(v) && v.every((x) => typeof x === 'number'))
              console.log(`${`${metric}.${k}`.padEnd(36)} ${v.map((x) => Math.round(x * 1e4) / 1e4).join(' ')}`);
        console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
    });

  withEngineOptions(
    program
      .command('evaluate')
      .description(
        'every metric on a trained run and its dataset; writes eval.json and eval.html (MI and importance matrices)',
      )
      .argument('<run-dir>', 'a run folder made by `disentangle train`')
      .option('--metrics <list>', `comma-separated subset of: ${metricNames().join(', ')}`)
      .option('--num-train <n>', 'observations for the train codes', parsePositiveInteger, evaluateDefaults.numTrain)
      .option('--num-test <n>', 'observations for the test codes', parsePositiveInteger, evaluateDefaults.numTest)
      .addOption(
        new Option(
          '--preset <name>',
          "sample sizes of the BetaVAE/FactorVAE scores (reference = disentanglement_lib's)",
        )
          .choices(Object.keys(evalPresets))
          .default(evaluateDefaults.preset),
      )
      .option('--seed <n>', 'random seed', parseInteger, evaluateDefaults.seed)
      .option('--json', 'last line is one flat JSON object'),
  ).action(async (dir: string, opts) => {
    const names = parseMetricList(opts.metrics);
    const { checkRunFolder } = await import('../../train/folder-checks.js');
    checkRunFolder(dir);
    lockFolder(dir, 'evaluate'); // refused before anything is loaded; evaluateRun takes this same lock
    await startEngine(opts);
    const { evaluateRun } = await import('../../evaluate/index.js');
    const { scores, warnings } = await evaluateRun(dir, {
      names,
      numTrain: opts.numTrain,
      numTest: opts.numTest,
      seed: opts.seed,
      preset: opts.preset,
    });
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (opts.json) console.log(JSON.stringify(scores));
    else {
      for (const [k, v] of Object.entries(scores)) console.log(`${k.padEnd(36)} ${v}`);
      console.log(`wrote ${join(dir, 'eval.json')} and ${join(dir, 'eval.html')}`);
    }
  });
}
