import type { Command } from 'commander';
import { join } from 'node:path';
import { readNpz, toFloat64, toInt32 } from '../../data/formats/npz.js';
import {
  computeArrayMetrics,
  parseMetricList,
  metricNames,
  sampleCodesAndFactors,
  factorVaeScore,
  betaVaeScore,
  mig,
  dci,
  type CodesAndFactors,
} from '../../metrics/index.js';
import { loadRun } from '../../train/index.js';
import { UserError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { writeFileAtomic } from '../../util/fs.js';
import { heatmapSvg, htmlPage, htmlTable } from '../../viz/index.js';
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
    .option('--metrics <list>', `comma-separated subset of: ${metricNames().join(', ')}`)
    .option('--json', 'last line is one flat JSON object')
    .action((opts) => {
      const names = parseMetricList(opts.metrics);
      const t0 = performance.now();
      const r = round(computeArrayMetrics(readCodes(opts.train), readCodes(opts.test), names));
      if (opts.json) console.log(JSON.stringify(r));
      else {
        for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(36)} ${v}`);
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
      .option('--metrics <list>', `comma-separated subset of: ${[...metricNames(), 'factorvae', 'betavae'].join(', ')}`)
      .option('--num-train <n>', 'observations for the train codes', parsePositiveInteger, 10000)
      .option('--num-test <n>', 'observations for the test codes', parsePositiveInteger, 5000)
      .option('--seed <n>', 'random seed', parseInteger, 0)
      .option('--json', 'last line is one flat JSON object'),
  ).action(async (dir: string, opts) => {
    const wanted = opts.metrics
      ? String(opts.metrics)
          .split(',')
          .map((s: string) => s.trim())
      : [...metricNames(), 'factorvae', 'betavae'];
    const names = parseMetricList(
      wanted.filter((n: string) => n !== 'factorvae' && n !== 'betavae').join(',') || undefined,
    );
    await startEngine(opts);
    const result = await evaluateRun(dir, {
      names,
      factorVae: wanted.includes('factorvae'),
      betaVae: wanted.includes('betavae'),
      numTrain: opts.numTrain,
      numTest: opts.numTest,
      seed: opts.seed,
    });
    if (opts.json) console.log(JSON.stringify(result));
    else {
      for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(36)} ${v}`);
      console.log(`wrote ${join(dir, 'eval.json')} and ${join(dir, 'eval.html')}`);
    }
  });
}

/** Score a trained run: array metrics on sampled codes (+ the FactorVAE score); eval.json and eval.html. */
export async function evaluateRun(
  dir: string,
  o: { names?: string[]; factorVae?: boolean; betaVae?: boolean; numTrain?: number; numTest?: number; seed?: number },
) {
  const loaded = await loadRun(dir);
  const ds = loaded.run.dataset;
  const rng = new Rng(o.seed ?? 0);
  const rep = (x: Float32Array, n: number) => loaded.encode(x, n, 'mean');
  const train = sampleCodesAndFactors(ds, rep, o.numTrain ?? 10000, rng.fork('train'));
  const test = sampleCodesAndFactors(ds, rep, o.numTest ?? 5000, rng.fork('test'));
  const names = o.names ?? metricNames();
  const result: Record<string, number> = computeArrayMetrics(
    train,
    test,
    names.filter((n) => n !== 'dci'),
  );
  let importance: Float64Array | null = null;
  if (names.includes('dci')) {
    const r = dci(train, test);
    importance = r.importance;
    Object.assign(result, {
      dci_disentanglement: r.disentanglement,
      dci_completeness: r.completeness,
      dci_informativeness_train: r.informativeness_train,
      dci_informativeness_test: r.informativeness_test,
    });
  }
  if (o.factorVae) {
    const f = factorVaeScore(ds, rep, rng.fork('factorvae'), {
      numTrain: Math.min(o.numTrain ?? 10000, 2000),
      numEval: Math.min(o.numTest ?? 5000, 1000),
      numVarianceEstimate: Math.min(o.numTrain ?? 10000, 5000),
    });
    result.factorvae_train_accuracy = f.train_accuracy;
    result.factorvae_eval_accuracy = f.eval_accuracy;
  }
  if (o.betaVae) {
    const b = betaVaeScore(ds, rep, rng.fork('betavae'), {
      numTrain: Math.min(o.numTrain ?? 10000, 1000),
      numEval: Math.min(o.numTest ?? 5000, 500),
    });
    result.betavae_train_accuracy = b.train_accuracy;
    result.betavae_eval_accuracy = b.eval_accuracy;
  }
  const rounded = round(result);
  const codes = [...Array(train.numCodes).keys()].map((j) => `z${j}`);
  const factors = ds.factors.map((f) => f.name);
  const mi = mig(train).mi;
  // The matrices as plain data too (codes × factors, row-major), for the web page.
  const matrix = (m: ArrayLike<number>) => ({ rows: codes, cols: factors, values: Array.from(m) });
  writeFileAtomic(
    join(dir, 'eval.json'),
    JSON.stringify(
      {
        step: loaded.run.step,
        numTrain: train.n,
        numTest: test.n,
        seed: o.seed ?? 0,
        metrics: rounded,
        matrices: { mi: matrix(mi), ...(importance ? { importance: matrix(importance) } : {}) },
      },
      null,
      2,
    ),
  );
  const figs = [
    heatmapSvg(mi, train.numCodes, train.numFactors, {
      title: 'mutual information (nats)',
      rowLabels: codes,
      colLabels: factors,
      min: 0,
    }),
  ];
  if (importance)
    figs.push(
      heatmapSvg(importance, train.numCodes, train.numFactors, {
        title: 'DCI importance',
        rowLabels: codes,
        colLabels: factors,
        min: 0,
      }),
    );
  writeFileAtomic(
    join(dir, 'eval.html'),
    htmlPage(
      `Evaluation of ${dir}`,
      htmlTable(
        ['metric', 'value'],
        Object.entries(rounded).map(([k, v]) => [k, v]),
      ) + `<div class="figs">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>`,
    ),
  );
  loaded.dispose();
  return rounded;
}
