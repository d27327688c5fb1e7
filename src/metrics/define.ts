/**
 * How a metric is declared. A `codes` metric is a pure function of train/test codes and factors (arrays made
 * anywhere: `disentangle metrics`); a `model` metric samples observations from the dataset itself and encodes
 * them (the BetaVAE and FactorVAE scores: `disentangle evaluate`). Both return flat scores (the keys of
 * eval.json and `--json`) and, optionally, code × factor matrices for pictures.
 */
import type { Definition } from '../registry/index.js';
import type { GroundTruthDataset } from '../data/types.js';
import type { Rng } from '../util/rng.js';
import type { CodesAndFactors } from './utils.js';
import type { RepresentationFn } from './dataset-metrics.js';

/** A numCodes × numFactors matrix (row-major), e.g. mutual information or DCI importance. */
export interface CodeFactorMatrix {
  title: string;
  data: Float64Array;
  rows: number;
  cols: number;
  /** Names of the columns, where they are not the dataset's factors in order (e.g. one was left out). */
  colLabels?: string[];
  /** Which codes the rows are (indices), where they are not all codes in order (e.g. inactive ones dropped). */
  rowCodes?: number[];
}

/** Curves over a shared x axis, one per factor (e.g. DCI-ES's loss–capacity curves), for a line chart. */
export interface MetricCurves {
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  /** One series per factor, in the order of the matrices' columns. */
  series: Array<{ name: string; values: number[] }>;
  /** The factors' names, where known (the series are then drawn under them). */
  colLabels?: string[];
}

export interface MetricResult {
  scores: Record<string, number>;
  matrices?: CodeFactorMatrix[];
  curves?: MetricCurves[];
  /**
   * The detailed output beside the flat scores: per-factor values and the like, keyed by metric
   * (eval.json's `details`); arrays per factor follow the matrices' columns.
   */
  details?: Record<string, Record<string, number | number[] | number[][]>>;
}

/**
 * Sample sizes of the model metrics. `reference` is disentanglement_lib's (FactorVAE score: 10,000 train
 * votes, 5,000 eval votes, 10,000 points for the variance; BetaVAE score: 10,000 / 5,000 points); `quick`
 * caps them (2,000 / 1,000 / 5,000 and 1,000 / 500) so that scoring during training stays cheap on a CPU.
 */
export const evalPresets = {
  reference: {
    factorvae: { numTrain: 10000, numEval: 5000, numVarianceEstimate: 10000 },
    betavae: { numTrain: 10000, numEval: 5000 },
  },
  quick: {
    factorvae: { numTrain: 2000, numEval: 1000, numVarianceEstimate: 5000 },
    betavae: { numTrain: 1000, numEval: 500 },
  },
} as const;
export type EvalPresetName = keyof typeof evalPresets;

/**
 * 10,000 / 5,000 codes are disentanglement_lib's sizes; the model metrics' `quick` preset keeps scoring during
 * training cheap on a CPU (`reference` is disentanglement_lib's).
 */
export const scoreDefaults = { numTrain: 10000, numTest: 5000, seed: 0, preset: 'quick' as EvalPresetName };
export type EvalPreset = (typeof evalPresets)[EvalPresetName];

export interface CodesMetricDefinition extends Definition {
  readonly kind: 'codes';
  run(train: CodesAndFactors, test: CodesAndFactors): MetricResult;
}

export interface ModelMetricDefinition extends Definition {
  readonly kind: 'model';
  run(ds: GroundTruthDataset, rep: RepresentationFn, rng: Rng, preset: EvalPreset): MetricResult;
}

export type MetricDefinition = CodesMetricDefinition | ModelMetricDefinition;

export function defineCodesMetric(d: Omit<CodesMetricDefinition, 'kind'>): CodesMetricDefinition {
  return { kind: 'codes', ...d };
}

export function defineModelMetric(d: Omit<ModelMetricDefinition, 'kind'>): ModelMetricDefinition {
  return { kind: 'model', ...d };
}
