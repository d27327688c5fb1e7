/**
 * The prediction study (issue 25): does a reconstruction loss's perceived-distance score on a dataset predict
 * the disentanglement that training with that loss reaches?
 *
 *   score(dataset, loss) = min over factors f of ρ_f, ρ_f = Spearman(|i − j|, d_loss(x_i, x_j)) over pairs
 *   drawn along traversals of f (Michlo et al., IJCAI 2023; computed by `analyze`'s function, same sampling);
 *   ρ_pred = Spearman(score(cell), median over seeds of the cell's MIG / DCI) over cells,
 *
 * a cell being one run group of a committed study (the same config but for the seed: dataset × its
 * parameters × loss × framework × training settings), only finished runs counted. The interval is a
 * percentile bootstrap over cells (resampled with replacement, seeded). The claim holds when the interval
 * lies above 0. Scores are cached by (dataset config, loss, sampling): the analysis is the expensive part.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { analysePerceivedDistances } from '../analysis/perceived.js';
import { spearman } from '../analysis/stats.js';
import { createDataset } from '../data/index.js';
import { parseLoss } from '../losses/index.js';
import { median, quantile } from '../sweep/plots.js';
import { writeFileAtomic } from '../util/fs.js';
import { Rng } from '../util/rng.js';
import { scatterSvg } from '../viz/index.js';
import { UserError } from '../util/errors.js';
import { canonical, type ClaimResult } from './claims.js';
import { sweepResults } from './results.js';
import { readExperimentRecord } from './record.js';

export interface Sampling {
  traversals: number;
  pairs: number;
  seed: number;
}

/** A loss's perceived-distance score on a dataset: the worst factor's rank correlation, the mean beside it. */
export interface LossScore {
  score: number | null;
  mean: number | null;
  /** Factor name → rank correlation (null for a factor with one value: nothing to order). */
  factors: Record<string, number | null>;
}

/** One run group: the runs of a study that differ only by their seed. */
export interface PredictionCell {
  study: string;
  sweep: string;
  label: string;
  dataset: Record<string, unknown>;
  loss: string;
  framework: string;
  /** Finished runs (seeds) of the group. */
  runs: number;
  /** Metric → median over the finished runs of its score (`stat`: the maximum over training, or the final); null when none scored it. */
  metrics: Record<string, number | null>;
  score: number | null;
  scoreMean: number | null;
  factors: Record<string, number | null>;
  /** Why the cell has no score (a dataset analyze cannot build), if so. */
  note?: string;
}

export interface Correlation {
  metric: string;
  rho: number | null;
  /** Cells with a score and the metric. */
  n: number;
  low: number | null;
  high: number | null;
  resamples: number;
}

export interface PredictionResult {
  format: 'disentangle-prediction-1';
  sampling: Sampling;
  stat: 'final' | 'max';
  studies: Array<{ dir: string; name: string; state: 'read' | 'missing' }>;
  cells: PredictionCell[];
  correlations: Correlation[];
  /** ρ within one dataset family, one study or one framework (no interval: few cells). */
  breakdown: Array<{
    by: 'dataset' | 'study' | 'framework';
    group: string;
    metric: string;
    rho: number | null;
    n: number;
  }>;
  claims: ClaimResult[];
  notes: string[];
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** A loss's score on a dataset, with `analyze`'s function and sampling (the random-pair baseline is not needed). */
export async function lossScore(
  dataset: Record<string, unknown>,
  loss: string,
  sampling: Sampling,
  onProgress?: (done: number, total: number) => void,
): Promise<LossScore> {
  const { name, ...params } = dataset;
  const ds = await createDataset(String(name), params);
  const r = analysePerceivedDistances(ds, await parseLoss(loss), {
    traversals: sampling.traversals,
    pairs: sampling.pairs,
    randomPairs: 1,
    seed: sampling.seed,
    onProgress,
  });
  const rhos = r.factors.map((f) => f.rankCorrelation).filter(Number.isFinite);
  return {
    score: rhos.length ? Math.min(...rhos) : null,
    mean: rhos.length ? rhos.reduce((a, b) => a + b, 0) / rhos.length : null,
    factors: Object.fromEntries(r.factors.map((f) => [f.name, finiteOrNull(f.rankCorrelation)])),
  };
}

/**
 * Spearman's ρ of x and y with a percentile bootstrap interval: `resamples` draws of the n pairs with
 * replacement (a draw whose ranks are constant on one side has no ρ and is left out).
 */
export function bootstrapSpearman(
  x: number[],
  y: number[],
  resamples: number,
  rng: Rng,
  level = 0.95,
): { rho: number; low: number; high: number; valid: number } {
  const n = x.length;
  const rho = spearman(x, y);
  const rhos: number[] = [];
  const bx = new Float64Array(n),
    by = new Float64Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let k = 0; k < n; k++) {
      const i = rng.int(n);
      bx[k] = x[i];
      by[k] = y[i];
    }
    const r = spearman(bx, by);
    if (Number.isFinite(r)) rhos.push(r);
  }
  const a = (1 - level) / 2;
  return { rho, low: quantile(rhos, a), high: quantile(rhos, 1 - a), valid: rhos.length };
}

function compact(o: Record<string, unknown>): string {
  return Object.entries(o)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${typeof v === 'string' ? v : canonical(v)}`)
    .join(', ');
}

/** "xysquares (gridSize 8, gridSpacing 4)"; a dataset file by its name only. */
export function datasetLabel(d: Record<string, unknown>): string {
  const { name, file, ...rest } = d;
  const params = { ...rest, ...(typeof file === 'string' ? { file: basename(file) } : {}) };
  return Object.keys(params).length ? `${String(name)} (${compact(params)})` : String(name);
}

function frameworkLabel(f: Record<string, unknown>): string {
  const { name, ...rest } = f;
  return Object.keys(rest).length ? `${String(name)} (${compact(rest)})` : String(name);
}

function withoutSeed(config: Record<string, unknown>): Record<string, unknown> {
  const train = { ...((config.train as Record<string, unknown> | undefined) ?? {}) };
  delete train.seed;
  return { ...config, train };
}

/**
 * The cells of the experiment folders `dirs` (finished runs grouped by config but for the seed). A folder
 * that is not there (a study not run yet) is listed as missing; one that is not an experiment folder is an error.
 */
export async function collectCells(
  dirs: string[],
  metrics: string[],
  stat: 'final' | 'max',
): Promise<{ studies: PredictionResult['studies']; cells: PredictionCell[] }> {
  const studies: PredictionResult['studies'] = [];
  const cells: PredictionCell[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) {
      studies.push({ dir, name: basename(dir), state: 'missing' });
      continue;
    }
    const rec = readExperimentRecord(dir);
    studies.push({ dir, name: rec.experiment, state: 'read' });
    const steps = ((rec.spec as { steps?: Array<{ kind: string; name: string }> }).steps ?? []).filter(
      (s) => s.kind === 'sweep',
    );
    for (const s of steps) {
      const res = await sweepResults(dir, s.name);
      if (!res) continue;
      const groups = new Map<string, { config: Record<string, unknown>; rows: typeof res.rows }>();
      res.rows.forEach((r, i) => {
        if (r.state !== 'done') return;
        const config = res.sweep.runs[i].config as unknown as Record<string, unknown>;
        const key = canonical(withoutSeed(config));
        const g = groups.get(key) ?? { config, rows: [] };
        g.rows.push(r);
        groups.set(key, g);
      });
      for (const { config, rows } of groups.values()) {
        const dataset = config.dataset as Record<string, unknown>;
        const framework = config.framework as Record<string, unknown>;
        const loss = String(config.loss);
        const m = Object.fromEntries(
          metrics.map((k) => {
            const v = rows.map((r) => r[stat][k]).filter(Number.isFinite);
            return [k, v.length ? median(v) : null];
          }),
        );
        cells.push({
          study: rec.experiment,
          sweep: s.name,
          label: `${datasetLabel(dataset)} · ${loss} · ${frameworkLabel(framework)}`,
          dataset,
          loss,
          framework: String(framework.name),
          runs: rows.length,
          metrics: m,
          score: null,
          scoreMean: null,
          factors: {},
        });
      }
    }
  }
  return { studies, cells };
}

/**
 * A dataset config as a run recorded it, with a data file that has moved since (an exported study: the
 * run's absolute path is gone) found beside the study's experiment.json under the same name.
 */
export function resolveDatasetFiles(dataset: Record<string, unknown>, studyDir: string): Record<string, unknown> {
  const file = dataset.file;
  if (typeof file !== 'string' || existsSync(file)) return dataset;
  const beside = join(studyDir, basename(file));
  if (existsSync(beside)) return { ...dataset, file: resolve(beside) };
  throw new UserError(
    `dataset file ${file} of a run in ${studyDir} is not there, nor beside the study (${beside}): ` +
      'copy it there, or leave the study out of the prediction step',
  );
}

interface CacheEntry extends LossScore {
  key: string;
  dataset: Record<string, unknown>;
  loss: string;
}

export const cacheKey = (dataset: Record<string, unknown>, loss: string, s: Sampling) =>
  canonical({ dataset, loss, traversals: s.traversals, pairs: s.pairs, seed: s.seed });

/** Read a score cache (a damaged one is a clear error, not silently recomputed over). */
export function readScoreCache(path: string): Map<string, CacheEntry> {
  if (!existsSync(path)) return new Map();
  try {
    const entries = JSON.parse(readFileSync(path, 'utf8')) as CacheEntry[];
    return new Map(entries.map((e) => [e.key, e]));
  } catch {
    throw new UserError(`${path} is damaged (not JSON): delete it, and the scores are computed again`);
  }
}

/**
 * Give every cell its loss's score, computing each (dataset, loss) once and keeping it in the cache file
 * (written after each, so a stopped run keeps what it computed).
 */
export async function scoreCells(
  cells: PredictionCell[],
  studyDirs: Map<string, string>,
  sampling: Sampling,
  cachePath: string,
  onCase?: (done: number, total: number, label: string) => void,
): Promise<string[]> {
  const cache = readScoreCache(cachePath);
  const notes: string[] = [];
  const keys = cells.map((c) => cacheKey(c.dataset, c.loss, sampling));
  const todo = [...new Set(keys)].filter((k) => !cache.has(k));
  let done = 0;
  for (const [i, c] of cells.entries()) {
    const key = keys[i];
    if (!cache.has(key)) {
      onCase?.(done, todo.length, `${datasetLabel(c.dataset)} · ${c.loss}`);
      let s: LossScore;
      try {
        s = await lossScore(resolveDatasetFiles(c.dataset, studyDirs.get(c.study) ?? '.'), c.loss, sampling);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        notes.push(`${c.label} (${c.study}): no score — ${e.message}`);
        continue;
      }
      cache.set(key, { key, dataset: c.dataset, loss: c.loss, ...s });
      writeFileAtomic(cachePath, JSON.stringify([...cache.values()], null, 1));
      onCase?.(++done, todo.length, `${datasetLabel(c.dataset)} · ${c.loss}`);
    }
    const e = cache.get(key)!;
    Object.assign(c, { score: e.score, scoreMean: e.mean, factors: e.factors });
  }
  return notes;
}

const label = (metric: string) => (metric === 'dci_disentanglement' ? 'DCI disentanglement' : metric.toUpperCase());

/** The correlations, their breakdown by study and by framework, and the claim per metric. */
export function predict(
  cells: PredictionCell[],
  metrics: string[],
  stat: 'final' | 'max',
  resamples: number,
  seed: number,
  claimText: string,
): Pick<PredictionResult, 'correlations' | 'breakdown' | 'claims'> {
  const rng = new Rng(seed).fork('bootstrap');
  const usable = (m: string) => cells.filter((c) => c.score !== null && c.metrics[m] !== null);
  const correlations: Correlation[] = metrics.map((m) => {
    const cs = usable(m);
    if (cs.length < 3) return { metric: m, rho: null, n: cs.length, low: null, high: null, resamples };
    const b = bootstrapSpearman(
      cs.map((c) => c.score!),
      cs.map((c) => c.metrics[m]!),
      resamples,
      rng.fork(m),
    );
    return {
      metric: m,
      rho: finiteOrNull(b.rho),
      n: cs.length,
      low: finiteOrNull(b.low),
      high: finiteOrNull(b.high),
      resamples,
    };
  });
  const breakdown: PredictionResult['breakdown'] = [];
  // a dataset by its family (a perturbed dSprites is dSprites)
  const groupOf = (c: PredictionCell, by: 'dataset' | 'study' | 'framework') =>
    by === 'dataset' ? String(c.dataset.base ?? c.dataset.name) : c[by];
  for (const by of ['dataset', 'study', 'framework'] as const)
    for (const m of metrics) {
      const cs = usable(m);
      for (const g of [...new Set(cs.map((c) => groupOf(c, by)))].sort()) {
        const sub = cs.filter((c) => groupOf(c, by) === g);
        const rho =
          sub.length >= 3
            ? spearman(
                sub.map((c) => c.score!),
                sub.map((c) => c.metrics[m]!),
              )
            : NaN;
        breakdown.push({ by, group: g, metric: m, rho: finiteOrNull(rho), n: sub.length });
      }
    }
  const claims: ClaimResult[] = correlations.map((c) => {
    const holds = c.rho === null || c.low === null ? null : c.low > 0;
    const detail =
      c.rho === null
        ? `${c.n} cells with a score and ${c.metric}: too few for a rank correlation`
        : `ρ = ${c.rho.toFixed(3)}, 95 % interval [${c.low?.toFixed(3)}, ${c.high?.toFixed(3)}] over ${c.n} cells ` +
          `(${c.resamples} bootstrap resamples)${holds ? '' : ': the interval does not lie above 0'}`;
    return {
      id: `prediction-${c.metric}`,
      text: `${claimText} (${label(c.metric)})`,
      verdict: holds === null ? 'no data' : holds ? 'holds' : 'does not hold',
      groups: [{ group: '', statistic: c.rho ?? NaN, n: c.n, holds, detail }],
      statistic:
        `Spearman ρ over cells of the loss's worst-factor perceived-distance score with the median ${label(c.metric)} ` +
        `(${stat} over training) of the cell's seeds; percentile bootstrap over cells; holds when the interval lies above 0`,
    };
  });
  return { correlations, breakdown, claims };
}

/** Score against the metric, one point per cell (hover: which), one colour per study. */
export function predictionSvg(r: PredictionResult, metric: string): string {
  const cs = r.cells.filter((c) => c.score !== null && c.metrics[metric] !== null);
  const studies = [...new Set(cs.map((c) => c.study))].sort();
  const corr = r.correlations.find((c) => c.metric === metric);
  const rho =
    corr?.rho === null || !corr
      ? 'ρ –'
      : `ρ = ${corr.rho.toFixed(2)} [${corr.low?.toFixed(2)}, ${corr.high?.toFixed(2)}]`;
  return scatterSvg(
    cs.map((c) => c.score!),
    cs.map((c) => c.metrics[metric]!),
    cs.map((c) => studies.indexOf(c.study)),
    {
      title: `${label(metric)} (${r.stat}, median of seeds) against the loss's score: ${rho}, ${cs.length} cells`,
      xLabel: "perceived-distance score (worst factor's rank correlation)",
      yLabel: `${label(metric)} (${r.stat})`,
      classNames: Object.fromEntries(studies.map((s, i) => [i, s])),
      pointTitles: cs.map(
        (c) =>
          `${c.study}: ${c.label} — score ${c.score!.toFixed(3)}, ${metric} ${c.metrics[metric]!.toFixed(3)} (${c.runs} runs)`,
      ),
    },
  );
}
