/**
 * Scoring a representation of a dataset: the named metrics of the registry on codes of the dataset's own
 * observations (train and test samples drawn from one seed), plus the metrics that sample the dataset
 * themselves (BetaVAE, FactorVAE scores) at a named sample-size preset. The one core of `disentangle
 * evaluate`, of scores during training and of sweeps, so that their numbers line up.
 */
import type { GroundTruthDataset } from '../data/types.js';
import { Rng } from '../util/rng.js';
import {
  evalPresets,
  scoreDefaults,
  type CodeFactorMatrix,
  type EvalPresetName,
  type MetricCurves,
  type MetricResult,
  type ModelMetricDefinition,
} from './define.js';
import { sampleCodesAndFactors, type RepresentationFn } from './dataset-metrics.js';
import { computeArrayMetrics, metrics, metricNames } from './registry.js';

export interface ScoreOptions {
  /** Metric names (default: every metric). */
  names?: string[];
  /** Observations for the train codes. */
  numTrain?: number;
  /** Observations for the test codes. */
  numTest?: number;
  /** The same observations for the same seed, so that a curve over training is not sampling noise. */
  seed?: number;
  /** Sample sizes of the BetaVAE / FactorVAE scores. */
  preset?: EvalPresetName;
}

export interface Scores {
  /** Flat scores, rounded to 6 decimals (the keys of eval.json's `metrics` and of metrics.jsonl). */
  scores: Record<string, number>;
  matrices: CodeFactorMatrix[];
  /** Curves over the factors (DCI-ES's loss–capacity curves). */
  curves: MetricCurves[];
  /** Per-factor values and the like, by metric (eval.json's `details`). */
  details: NonNullable<MetricResult['details']>;
  /** What the user should be told (a factor left out of the metrics, …). */
  warnings: string[];
}

const round6 = (r: Record<string, number>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 1e6) / 1e6]));

export async function scoreRepresentation(
  ds: GroundTruthDataset,
  rep: RepresentationFn,
  o: ScoreOptions = {},
): Promise<Scores> {
  const rng = new Rng(o.seed ?? scoreDefaults.seed);
  const defs = await Promise.all((o.names ?? metricNames()).map((n) => metrics.get(n)));
  const codesNames = defs.filter((d) => d.kind === 'codes').map((d) => d.name);
  const scores: Record<string, number> = {};
  const matrices: CodeFactorMatrix[] = [];
  const curves: MetricCurves[] = [];
  const details: Scores['details'] = {};
  const warnings: string[] = [];
  if (codesNames.length) {
    const train = sampleCodesAndFactors(ds, rep, o.numTrain ?? scoreDefaults.numTrain, rng.fork('train'));
    const test = sampleCodesAndFactors(ds, rep, o.numTest ?? scoreDefaults.numTest, rng.fork('test'));
    const factorNames = ds.factors.map((f) => f.name);
    const r = await computeArrayMetrics(train, test, codesNames, factorNames);
    Object.assign(scores, r.scores);
    // a factor left out (single-valued) is not among the matrices' columns
    const colLabels = r.factors.map((k) => factorNames[k]);
    matrices.push(...r.matrices.map((m) => ({ ...m, colLabels })));
    curves.push(...r.curves.map((c) => ({ ...c, colLabels })));
    Object.assign(details, r.details);
    warnings.push(...r.warnings);
  }
  const preset = evalPresets[o.preset ?? scoreDefaults.preset];
  for (const d of defs.filter((d): d is ModelMetricDefinition => d.kind === 'model')) {
    const r = d.run(ds, rep, rng.fork(d.name), preset);
    Object.assign(scores, r.scores);
    matrices.push(...(r.matrices ?? []));
  }
  return { scores: round6(scores), matrices, curves, details, warnings };
}
