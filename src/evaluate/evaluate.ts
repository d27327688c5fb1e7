/**
 * Scoring a trained run: every metric of the registry on codes the run's encoder makes from its own dataset
 * (train and test samples drawn from one seed), plus the metrics that sample the dataset themselves (BetaVAE,
 * FactorVAE scores) at a named sample-size preset. Writes `eval.json` and `eval.html` (the code × factor
 * matrices as heatmaps).
 */
import { join } from 'node:path';
import {
  evalPresets,
  metrics,
  parseMetricList,
  sampleCodesAndFactors,
  computeArrayMetrics,
  type EvalPresetName,
  type CodeFactorMatrix,
  type ModelMetricDefinition,
} from '../metrics/index.js';
import { checkRunFolder, loadRun, type LoadedRun } from '../train/index.js';
import { Rng } from '../util/rng.js';
import { writeFileAtomic } from '../util/fs.js';
import { lockFolder } from '../util/lock.js';
import { writeOutputs } from '../util/signals.js';
import { heatmapSvg, htmlPage, htmlTable } from '../viz/index.js';
import { evaluateDefaults } from './defaults.js';

export interface EvaluateOptions {
  /** Metric names (default: every metric). */
  names?: string[];
  /** Observations for the train codes (default 10,000, disentanglement_lib's). */
  numTrain?: number;
  /** Observations for the test codes (default 5,000). */
  numTest?: number;
  seed?: number;
  /** Sample sizes of the BetaVAE / FactorVAE scores (default 'quick'; 'reference' is disentanglement_lib's). */
  preset?: EvalPresetName;
}

export { evaluateDefaults } from './defaults.js';

export interface Evaluation {
  /** Flat scores, rounded to 6 decimals (the keys of eval.json's `metrics`). */
  scores: Record<string, number>;
  matrices: CodeFactorMatrix[];
  step: number;
  /** Things to tell the user (a factor left out of the metrics, …). */
  warnings: string[];
}

const round = (r: Record<string, number>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 1e6) / 1e6]));

/** Score an open run (no files written): for periodic scoring during training, and for `evaluateRun`. */
export async function evaluateLoaded(loaded: LoadedRun, o: EvaluateOptions = {}): Promise<Evaluation> {
  const ds = loaded.run.dataset;
  const rng = new Rng(o.seed ?? evaluateDefaults.seed);
  const names = o.names ?? parseMetricList(undefined);
  const rep = (x: Float32Array, n: number) => loaded.encode(x, n, 'mean');
  const defs = await Promise.all(names.map((n) => metrics.get(n)));
  const codesNames = defs.filter((d) => d.kind === 'codes').map((d) => d.name);
  const scores: Record<string, number> = {};
  const matrices: CodeFactorMatrix[] = [];
  const warnings: string[] = [];
  if (codesNames.length) {
    const train = sampleCodesAndFactors(ds, rep, o.numTrain ?? evaluateDefaults.numTrain, rng.fork('train'));
    const test = sampleCodesAndFactors(ds, rep, o.numTest ?? evaluateDefaults.numTest, rng.fork('test'));
    const factorNames = ds.factors.map((f) => f.name);
    const r = await computeArrayMetrics(train, test, codesNames, factorNames);
    Object.assign(scores, r.scores);
    matrices.push(...r.matrices.map((m) => ({ ...m, colLabels: r.factors.map((k) => factorNames[k]) })));
    warnings.push(...r.warnings);
  }
  const preset = evalPresets[o.preset ?? evaluateDefaults.preset];
  for (const d of defs.filter((d): d is ModelMetricDefinition => d.kind === 'model')) {
    const r = d.run(ds, rep, rng.fork(d.name), preset);
    Object.assign(scores, r.scores);
    matrices.push(...(r.matrices ?? []));
  }
  return { scores: round(scores), matrices, step: loaded.run.step, warnings };
}

/** Score the run in `dir` and write `eval.json` and `eval.html` there (holding the folder's lock meanwhile). */
export async function evaluateRun(dir: string, o: EvaluateOptions = {}): Promise<Evaluation> {
  checkRunFolder(dir);
  const lock = lockFolder(dir, 'evaluate');
  try {
    const loaded = await loadRun(dir);
    try {
      const ev = await evaluateLoaded(loaded, o);
      await writeOutputs(() => writeEvaluation(dir, loaded, ev, o));
      return ev;
    } finally {
      loaded.dispose();
    }
  } finally {
    lock.release();
  }
}

function writeEvaluation(dir: string, loaded: LoadedRun, ev: Evaluation, o: EvaluateOptions): void {
  const record = {
    step: ev.step,
    numTrain: o.numTrain ?? evaluateDefaults.numTrain,
    numTest: o.numTest ?? evaluateDefaults.numTest,
    seed: o.seed ?? evaluateDefaults.seed,
    preset: o.preset ?? evaluateDefaults.preset,
    metrics: ev.scores,
    ...(ev.warnings.length ? { warnings: ev.warnings } : {}),
  };
  writeFileAtomic(join(dir, 'eval.json'), JSON.stringify(record, null, 2));
  const codes = [...Array(loaded.run.config.model.z).keys()].map((j) => `z${j}`);
  const factors = loaded.run.dataset.factors.map((f) => f.name);
  const figs = ev.matrices.map((m) =>
    heatmapSvg(m.data, m.rows, m.cols, { title: m.title, rowLabels: codes, colLabels: m.colLabels ?? factors, min: 0 }),
  );
  writeFileAtomic(
    join(dir, 'eval.html'),
    htmlPage(
      `Evaluation of ${dir}`,
      htmlTable(
        ['metric', 'value'],
        Object.entries(ev.scores).map(([k, v]) => [k, v]),
      ) + `<div class="figs">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>`,
    ),
  );
}
