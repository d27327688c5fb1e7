/**
 * The prediction study's parts: the bootstrap interval, the cells read from a committed study, the score
 * (analyze's function and sampling, cached), the claim's verdicts, and the scatter.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analysePerceivedDistances } from '../../src/analysis/index.js';
import { createDataset } from '../../src/data/index.js';
import { initEngine } from '../../src/engine/index.js';
import { parseLoss } from '../../src/losses/index.js';
import {
  bootstrapSpearman,
  cacheKey,
  collectCells,
  lossScore,
  predict,
  predictionSvg,
  resolveDatasetFiles,
  scoreCells,
  type PredictionCell,
  type PredictionResult,
} from '../../src/experiments/prediction.js';
import { Rng } from '../../src/util/rng.js';
import { UserError } from '../../src/util/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'prediction-'));

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

function cell(score: number | null, mig: number | null, o: Partial<PredictionCell> = {}): PredictionCell {
  return {
    study: 's',
    sweep: 'w',
    label: `cell ${score} ${mig}`,
    dataset: { name: 'xysquares' },
    loss: 'mse',
    framework: 'betavae',
    runs: 3,
    metrics: { mig },
    score,
    scoreMean: score,
    factors: {},
    ...o,
  };
}

describe('bootstrapSpearman', () => {
  it('is 1 with the interval [1, 1] on a monotone relation, −1 on a reversed one', () => {
    const x = [0.1, 0.4, 0.5, 0.7, 0.9, 0.95];
    const up = bootstrapSpearman(x, [1, 2, 3, 4, 5, 6], 300, new Rng(1));
    expect(up.rho).toBeCloseTo(1, 12);
    expect(up.low).toBeCloseTo(1, 12);
    expect(up.high).toBeCloseTo(1, 12);
    const down = bootstrapSpearman(x, [6, 5, 4, 3, 2, 1], 300, new Rng(1));
    expect(down.rho).toBeCloseTo(-1, 12);
    expect(down.high).toBeCloseTo(-1, 12);
  });

  it('gives an interval around ρ that straddles 0 on unrelated data, the same for the same seed', () => {
    const r = new Rng(7);
    const x = Array.from({ length: 40 }, () => r.uniform());
    const y = Array.from({ length: 40 }, () => r.uniform());
    const a = bootstrapSpearman(x, y, 1000, new Rng(3));
    const b = bootstrapSpearman(x, y, 1000, new Rng(3));
    expect(a).toEqual(b);
    expect(a.low).toBeLessThan(a.rho);
    expect(a.high).toBeGreaterThan(a.rho);
    expect(a.low).toBeLessThan(0);
    expect(a.high).toBeGreaterThan(0);
    expect(a.valid).toBe(1000);
    const c = bootstrapSpearman(x, y, 1000, new Rng(4));
    expect(c.low).not.toBe(a.low);
  });
});

describe('predict', () => {
  it('holds when the interval lies above 0, does not when it straddles 0, no data under 3 cells', () => {
    const good = [cell(0.5, 0.01), cell(0.6, 0.02), cell(0.8, 0.05), cell(0.9, 0.1), cell(0.99, 0.2), cell(1, 0.3)];
    const p = predict(good, ['mig'], 'max', 500, 0, 'predicts');
    expect(p.correlations[0]).toMatchObject({ metric: 'mig', rho: 1, n: 6 });
    expect(p.claims[0].verdict).toBe('holds');
    expect(p.claims[0].text).toBe('predicts (MIG)');
    const r = new Rng(5);
    const noise = Array.from({ length: 30 }, () => cell(r.uniform(), r.uniform()));
    const q = predict(noise, ['mig'], 'max', 500, 0, 'predicts');
    expect(q.claims[0].verdict).toBe('does not hold');
    expect(q.claims[0].groups[0].detail).toMatch(/does not lie above 0/);
    // cells without a score or without the metric are left out, and two are too few
    const few = predict(
      [cell(0.5, 0.1), cell(null, 0.2), cell(0.7, null), cell(0.9, 0.3)],
      ['mig'],
      'max',
      500,
      0,
      'p',
    );
    expect(few.correlations[0]).toMatchObject({ n: 2, rho: null });
    expect(few.claims[0].verdict).toBe('no data');
  });

  it('breaks the correlation down by dataset, by study and by framework', () => {
    const cs = [
      cell(0.5, 0.1, { study: 'a' }),
      cell(0.6, 0.2, { study: 'a' }),
      cell(0.7, 0.3, { study: 'a', framework: 'adagvae' }),
      cell(0.5, 0.3, { study: 'b' }),
      cell(0.6, 0.2, { study: 'b' }),
      cell(0.7, 0.1, { study: 'b', framework: 'adagvae' }),
    ];
    const { breakdown } = predict(cs, ['mig'], 'max', 200, 0, 'p');
    expect(breakdown.find((b) => b.by === 'study' && b.group === 'a')).toMatchObject({ rho: 1, n: 3 });
    expect(breakdown.find((b) => b.by === 'study' && b.group === 'b')).toMatchObject({ rho: -1, n: 3 });
    expect(breakdown.find((b) => b.by === 'framework' && b.group === 'adagvae')).toMatchObject({ rho: null, n: 2 });
    expect(breakdown.find((b) => b.by === 'dataset' && b.group === 'xysquares')).toMatchObject({ n: 6 });
  });
});

describe('cells of a committed study', () => {
  it('groups the finished runs of results/michlo2023-boxblur by config but for the seed, medians as its README', async () => {
    const { studies, cells } = await collectCells(
      [resolve('results/michlo2023-boxblur'), join(tmp, 'not-run-yet')],
      ['mig', 'dci_disentanglement'],
      'max',
    );
    expect(studies.map((s) => s.state)).toEqual(['read', 'missing']);
    expect(cells).toHaveLength(4);
    expect(cells.every((c) => c.runs === 3 && c.study === 'michlo2023-boxblur')).toBe(true);
    const ada = cells.find((c) => c.loss === 'mse+box31@3969' && c.framework === 'adagvae')!;
    // results/README.md: Ada-GVAE's MIG median of max 0.119 with the blur, DCI 0.153
    expect(ada.metrics.mig).toBeCloseTo(0.119, 3);
    expect(ada.metrics.dci_disentanglement).toBeCloseTo(0.153, 3);
    expect(ada.label).toBe('xysquares (gridSize 8, gridSpacing 8) · mse+box31@3969 · adagvae (beta 0.0001)');
  });

  it('refuses a folder that is not an experiment folder', async () => {
    await expect(collectCells([tmp], ['mig'], 'max')).rejects.toThrow(/is not an experiment folder/);
  });

  it("finds a run's moved dataset file beside the study, and says so when it is nowhere", () => {
    const moved = { name: 'perturbed', base: 'dsprites', file: '/nowhere/perturbation.npz', variant: 'noise' };
    expect(resolveDatasetFiles(moved, 'results/zietlow2021').file).toBe(
      resolve('results/zietlow2021/perturbation.npz'),
    );
    expect(() => resolveDatasetFiles(moved, tmp)).toThrow(UserError);
    expect(() => resolveDatasetFiles(moved, tmp)).toThrow(/not there, nor beside the study/);
    const here = { name: 'xysquares', gridSpacing: 8 };
    expect(resolveDatasetFiles(here, tmp)).toBe(here);
  });
});

describe('the score', () => {
  const sampling = { traversals: 2, pairs: 2000, seed: 0 };
  const dataset = { name: 'xysquares', gridSpacing: 8, gridSize: 8 };

  it("is analyze's worst factor's rank correlation (MSE at spacing 8 ≈ 0.58), the mean beside it", async () => {
    const s = await lossScore(dataset, 'mse', sampling);
    const { name, ...params } = dataset;
    const r = analysePerceivedDistances(await createDataset(name, params), await parseLoss('mse'), {
      traversals: 2,
      pairs: 2000,
      seed: 0,
    });
    expect(s.score).toBe(Math.min(...r.factors.map((f) => f.rankCorrelation)));
    expect(Object.keys(s.factors)).toEqual(r.factors.map((f) => f.name));
    expect(s.score!).toBeGreaterThan(0.5);
    expect(s.score!).toBeLessThan(0.66);
    expect(s.mean!).toBeGreaterThanOrEqual(s.score!);
  });

  it('is computed once per (dataset, loss) and read back from the cache', async () => {
    const path = join(tmp, 'scores.json');
    const cells = [cell(null, 0.1, { dataset }), cell(null, 0.2, { dataset, framework: 'adagvae' })];
    let cases = 0;
    await scoreCells(cells, new Map(), sampling, path, (done) => (cases = Math.max(cases, done)));
    expect(cases).toBe(1);
    expect(cells[0].score).toBe(cells[1].score);
    expect(existsSync(path)).toBe(true);
    // a cached entry is used as it is (here one planted by hand): nothing is recomputed
    const entries = JSON.parse(readFileSync(path, 'utf8'));
    entries[0].score = 0.123;
    writeFileSync(path, JSON.stringify(entries));
    const again = [cell(null, 0.1, { dataset })];
    await scoreCells(again, new Map(), sampling, path, () => {
      throw new Error('recomputed');
    });
    expect(again[0].score).toBe(0.123);
    expect(entries[0].key).toBe(cacheKey(dataset, 'mse', sampling));
    writeFileSync(path, '{oops');
    await expect(scoreCells(again, new Map(), sampling, path)).rejects.toThrow(/damaged/);
  });

  it('leaves a cell whose dataset file is gone without a score, and says why', async () => {
    const gone = { name: 'perturbed', base: 'dsprites', file: '/nowhere/p.npz', variant: 'original' };
    const cs = [cell(null, 0.1, { dataset: gone, loss: 'bce' })];
    const notes = await scoreCells(cs, new Map([['s', tmp]]), sampling, join(tmp, 'gone.json'));
    expect(cs[0].score).toBeNull();
    expect(notes[0]).toMatch(/no score — dataset file \/nowhere\/p\.npz/);
  });
});

it('draws one point per scored cell, with what it is on hover', () => {
  const cells = [cell(0.5, 0.1), cell(0.9, 0.3, { study: 't' }), cell(null, 0.2)];
  const r = {
    stat: 'max',
    cells,
    correlations: [{ metric: 'mig', rho: 0.5, low: 0.1, high: 0.9, n: 2, resamples: 100 }],
  } as unknown as PredictionResult;
  const svg = predictionSvg(r, 'mig');
  expect(svg.match(/<circle/g)).toHaveLength(2);
  expect(svg).toContain('<title>s: cell 0.5 0.1');
  expect(svg).toContain('ρ = 0.50 [0.10, 0.90]');
  expect(svg).toMatch(/>t<\/text>/);
});
