import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  dciFromImportance,
  modularityFromMi,
  mig,
  modularity,
  sapContinuous,
  unsupervised,
  dci,
  computeArrayMetrics,
  MIN_ROWS,
  histogramDiscretize,
  discreteMutualInfo,
  fitGradientBoosting,
  type CodesAndFactors,
} from '../../src/metrics/index.js';
import { writeNpz } from '../../src/data/formats/npz.js';
import { Rng } from '../../src/util/rng.js';
import { UserError } from '../../src/util/errors.js';
import { dsl, id10, synthetic } from './fixtures.js';

describe('shared pieces', () => {
  it('discretises like np.histogram + np.digitize (labels 1 … bins)', async () => {
    const d = histogramDiscretize([0, 0.5, 1, 0.25, 0.999], 5, 1, 4);
    expect(Array.from(d)).toEqual([1, 3, 4, 2, 4]);
  });
  it('mutual information of identical labels is their entropy; independent labels give 0', async () => {
    expect(discreteMutualInfo([0, 1, 0, 1], [0, 1, 0, 1])).toBeCloseTo(Math.log(2), 12);
    expect(discreteMutualInfo([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(0, 12);
  });
});

describe('closed forms (the reference tests)', () => {
  it('DCI from importance matrices', async () => {
    const eye = (n: number) => Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
    expect(dciFromImportance(eye(10), 10, 10).disentanglement).toBeCloseTo(1, 6);
    expect(dciFromImportance(eye(10), 10, 10).completeness).toBeCloseTo(1, 6);
    expect(dciFromImportance(new Float64Array(100), 10, 10).disentanglement).toBe(0);
    // each of 5 factors coded twice: 10 codes × 5 factors → D = 1, C = 1 − ln2/ln10 (base = 10 codes)
    const twice = new Float64Array(50);
    for (let k = 0; k < 5; k++) {
      twice[k * 5 + k] = 1;
      twice[(5 + k) * 5 + k] = 1;
    }
    expect(dciFromImportance(twice, 10, 5).disentanglement).toBeCloseTo(1, 6);
    expect(dciFromImportance(twice, 10, 5).completeness).toBeCloseTo(1 - Math.log(2) / Math.log(10), 6);
    // one code for two factors: 5 codes × 10 factors, code i explains factors i and i + 5
    const shared = new Float64Array(50);
    for (let i = 0; i < 5; i++) {
      shared[i * 10 + i] = 1;
      shared[i * 10 + i + 5] = 1;
    }
    const r = dciFromImportance(shared, 5, 10);
    expect(r.completeness).toBeCloseTo(1, 6);
    expect(r.disentanglement).toBeCloseTo(1 - Math.log(2) / Math.log(10), 6);
  });
  it('DCI completeness weighs each factor by its share of the importance, as the reference does', () => {
    // 3 codes × 2 factors; factor 1's column is zero (its trees never split): C = 1·1 + 0·(1 − H) = 1, where
    // a plain mean over factors would give (1 + 0)/2
    const zeroColumn = Float64Array.of(1, 0, 0, 0, 0, 0);
    expect(dciFromImportance(zeroColumn, 3, 2).completeness).toBeCloseTo(1, 9);
    expect(dciFromImportance(zeroColumn, 3, 2).disentanglement).toBeCloseTo(1, 9);
    // columns summing to 3 and 2 (lasso importances do not sum to 1): factor 0 in code 0 alone (score 1),
    // factor 1 spread evenly over codes 1 and 2 (score 1 − ln2/ln3); weights 3/5 and 2/5
    const unequal = Float64Array.of(3, 0, 0, 1, 0, 1);
    expect(dciFromImportance(unequal, 3, 2).completeness).toBeCloseTo(
      3 / 5 + (2 / 5) * (1 - Math.log(2) / Math.log(3)),
      9,
    );
    expect(dciFromImportance(unequal, 3, 2).disentanglement).toBeCloseTo(1, 9);
  });
  it('modularity from MI matrices', () => {
    expect(modularityFromMi(Float64Array.of(1, 0, 0, 1), 2, 2)).toBeCloseTo(1, 12);
    // diagonal with one empty code: 3 codes, 2 factors → (1 + 1 + 0)/3
    expect(modularityFromMi(Float64Array.of(1, 0, 0, 1, 0, 0), 3, 2)).toBeCloseTo(2 / 3, 12);
    expect(modularityFromMi(new Float64Array(4), 2, 2)).toBe(0);
    // one code for two factors: 5 codes × 10 factors, code i informative of factors i and i + 5 → 1 − 1/9
    const m = new Float64Array(50);
    for (let i = 0; i < 5; i++) {
      m[i * 10 + i] = 1;
      m[i * 10 + i + 5] = 1;
    }
    expect(modularityFromMi(m, 5, 10)).toBeCloseTo(8 / 9, 12);
  });
});

describe('sanity values (metrics.md)', () => {
  it('MIG: 0.998 / ~0 / 0 on id10, 0.896 on dsl identity', async () => {
    expect(mig(synthetic(id10, 10000, 'identity', 0)).mig).toBeCloseTo(0.998, 2);
    expect(mig(synthetic(id10, 10000, 'random', 1)).mig).toBeLessThan(0.005);
    expect(mig(synthetic(id10, 10000, 'duplicated', 2)).mig).toBeCloseTo(0, 9);
    expect(mig(synthetic(dsl, 10000, 'identity', 3)).mig).toBeCloseTo(0.896, 2);
  });
  it('modularity: 1 on identity and duplicated, ≈ 0.277 on random id10, ≈ 0.665 on random dsl', async () => {
    expect(modularity(synthetic(id10, 10000, 'identity', 0))).toBeCloseTo(1, 3);
    expect(modularity(synthetic(id10, 10000, 'duplicated', 0))).toBeCloseTo(1, 3);
    expect(modularity(synthetic(id10, 10000, 'random', 4))).toBeCloseTo(0.277, 1);
    expect(modularity(synthetic(dsl, 10000, 'random', 5))).toBeCloseTo(0.665, 1);
  });
  it('continuous SAP: 0.9996 on the identity', async () => {
    expect(sapContinuous(synthetic(dsl, 10000, 'identity', 6)).sap).toBeGreaterThan(0.999);
    expect(sapContinuous(synthetic(dsl, 10000, 'duplicated', 6)).sap).toBeCloseTo(0, 9);
  });
  it('DCI with gradient-boosted trees: identity 1/1, duplicated completeness ≈ 1 − ln2/ln(2F), random ≈ 0', async () => {
    const small = [4, 5, 6];
    const fast = { nEstimators: 20 };
    const id = dci(synthetic(small, 600, 'identity', 7), synthetic(small, 300, 'identity', 8), fast);
    expect(id.disentanglement).toBeCloseTo(1, 3);
    expect(id.completeness).toBeCloseTo(1, 3);
    expect(id.informativeness_test).toBeCloseTo(1, 6);
    const dup = dci(synthetic(small, 600, 'duplicated', 9), synthetic(small, 300, 'duplicated', 10), fast);
    expect(dup.disentanglement).toBeCloseTo(1, 3);
    expect(dup.completeness).toBeCloseTo(1 - Math.log(2) / Math.log(6), 1);
    const rnd = dci(synthetic(small, 600, 'random', 11), synthetic(small, 300, 'random', 12), fast);
    expect(rnd.disentanglement).toBeLessThan(0.1);
  });
  it('DCI: a constant factor (no tree splits, a zero importance column) leaves the completeness unchanged', () => {
    const fast = { nEstimators: 20 };
    const train = synthetic([4, 5, 6], 600, 'identity', 14),
      test = synthetic([4, 5, 6], 300, 'identity', 15);
    // noisy codes, so that the completeness is not 1 whatever the weights
    const rng = new Rng(16);
    for (const d of [train, test]) for (let i = 0; i < d.codes.length; i++) d.codes[i] += 2 * rng.normal();
    // the same codes and factors plus a fourth factor that never varies
    const withConstant = (d: CodesAndFactors): CodesAndFactors => ({
      ...d,
      factors: Int32Array.from({ length: d.n * 4 }, (_, i) => (i % 4 < 3 ? d.factors[(i >> 2) * 3 + (i % 4)] : 0)),
      numFactors: 4,
    });
    const base = dci(train, test, fast);
    const more = dci(withConstant(train), withConstant(test), fast);
    for (let i = 0; i < 3; i++) expect(more.importance[i * 4 + 3]).toBe(0);
    expect(base.completeness).toBeGreaterThan(0.05);
    expect(base.completeness).toBeLessThan(0.95);
    // the other factors' models are the same, and the empty factor weighs nothing (a plain mean over the
    // factors would give 3/4 of it)
    expect(more.completeness).toBeCloseTo(base.completeness, 12);
  });
  it('gradient boosting learns a separable problem and ranks the informative feature first', () => {
    const rng = new Rng(13);
    const n = 400,
      X = new Float64Array(n * 2),
      y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.int(3);
      X[i * 2] = y[i] + 0.1 * rng.normal();
      X[i * 2 + 1] = rng.normal();
    }
    const m = fitGradientBoosting(X, n, 2, y, { nEstimators: 30 });
    expect(m.predict(X, n).every((v, i) => v === y[i])).toBe(true);
    expect(m.featureImportances[0]).toBeGreaterThan(0.9);
  });
  it('gradient boosting splits exactly, at the midpoint of the neighbouring values (as scikit-learn)', async () => {
    // 5000 distinct values (more than any bin count); the classes change between 2499 and 2501.5
    const n = 5000,
      X = new Float64Array(n),
      y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      X[i] = i < 2500 ? i : i + 1.5;
      y[i] = i < 2500 ? 0 : 1;
    }
    const m = fitGradientBoosting(X, n, 1, y, { nEstimators: 5 });
    expect(Array.from(m.predict([2500.24, 2500.26], 2))).toEqual([0, 1]); // threshold 2500.25
    expect(m.trainPredictions.every((v, i) => v === y[i])).toBe(true);
  });
  it('unsupervised: Gaussian TC ≈ 0 for independent codes, large for duplicated ones', async () => {
    expect(unsupervised(synthetic(id10, 5000, 'random', 14)).gaussian_total_correlation).toBeLessThan(0.01);
    const dup = unsupervised(synthetic([5, 5], 2000, 'duplicated', 15));
    expect(dup.gaussian_total_correlation).toBeGreaterThan(5);
    expect(dup.mutual_info_score).toBeGreaterThan(0.3);
  });
});

describe('degenerate inputs', () => {
  it('constant codes give defined values, NaN codes a clear error', async () => {
    const d: CodesAndFactors = {
      codes: new Float64Array(300 * 2),
      factors: Int32Array.from({ length: 300 }, (_, i) => i % 3),
      n: 300,
      numCodes: 2,
      numFactors: 1,
    };
    const r = (await computeArrayMetrics(d, d, ['mig', 'modularity', 'sap', 'unsupervised'])).scores;
    for (const v of Object.values(r)) expect(Number.isFinite(v)).toBe(true);
    expect(r.mig).toBe(0);
    const bad = { ...d, codes: Float64Array.from(d.codes, (v, i) => (i === 7 ? NaN : v)) };
    await expect(computeArrayMetrics(bad, d, ['mig'])).rejects.toThrow(UserError);
    await expect(computeArrayMetrics(bad, d, ['mig'])).rejects.toThrow(/NaN at row 3, dimension 1/);
  });
  it('too few rows is an error stating the minimum, not a score', async () => {
    for (const n of [0, 1, MIN_ROWS - 1]) {
      const d = synthetic([4, 6], n, 'identity', 17);
      await expect(computeArrayMetrics(d, synthetic([4, 6], 500, 'identity', 18))).rejects.toThrow(
        new RegExp(`train codes have ${n} rows?: the metrics need at least ${MIN_ROWS} observations`),
      );
    }
    const ok = synthetic([4, 6], MIN_ROWS, 'identity', 19);
    await expect(computeArrayMetrics(ok, ok, ['mig', 'dci'])).resolves.toBeTruthy();
  });
  it('a factor with a single value is left out of every metric, with a warning naming it', async () => {
    // factor 0 constant, factor 1 varying: every score equals the one on factor 1 alone (DCI completeness
    // used to count the constant factor as a factor no code explains)
    const varying = synthetic([6], 600, 'identity', 20);
    const withConstant: CodesAndFactors = {
      ...varying,
      factors: Int32Array.from({ length: 1200 }, (_, i) => (i % 2 ? varying.factors[(i - 1) / 2] : 3)),
      numFactors: 2,
    };
    const names = ['mig', 'dci', 'sap', 'modularity', 'explicitness', 'irs'];
    const both = await computeArrayMetrics(withConstant, withConstant, names, ['shape', 'scale']);
    const alone = await computeArrayMetrics(varying, varying, names);
    expect(both.scores).toEqual(alone.scores);
    expect(both.scores.dci_completeness).toBeGreaterThan(0.9);
    expect(both.factors).toEqual([1]);
    expect(both.warnings).toEqual([
      'factor shape has a single value (3) in the train codes: it is left out of every metric',
    ]);
    const allConstant = { ...withConstant, factors: new Int32Array(1200) };
    await expect(computeArrayMetrics(allConstant, allConstant, ['mig'])).rejects.toThrow(
      /every factor has a single value/,
    );
  });
  it('a factor with a single value is skipped by MIG', async () => {
    const d = synthetic([1, 10], 2000, 'identity', 16);
    expect(mig(d).mig).toBeCloseTo(mig({ ...d }).mig, 12);
    expect(Number.isFinite(mig(d).mig)).toBe(true);
  });
});

describe('metrics CLI', () => {
  it('reads .npz codes and prints one flat JSON object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
    for (const [file, seed] of [
      ['train.npz', 1],
      ['test.npz', 2],
    ] as const) {
      const s = synthetic([4, 6], 500, 'identity', seed);
      writeNpz(join(dir, file), {
        codes: { dtype: 'float32', shape: [500, 2], data: Float32Array.from(s.codes) },
        factors: { dtype: 'int64', shape: [500, 2], data: BigInt64Array.from(s.factors, (v) => BigInt(v)) },
      });
    }
    const files = ['--train', join(dir, 'train.npz'), '--test', join(dir, 'test.npz')];
    const metricsCli = (metrics: string, ...more: string[]) =>
      execFileSync('node', ['bin/disentangle.js', 'metrics', ...files, '--metrics', metrics, ...more], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    const out = metricsCli('mig,modularity,sap,unsupervised', '--json');
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.mig).toBeGreaterThan(0.9);
    expect(r.modularity).toBeGreaterThan(0.99);
    for (const k of ['sap', 'gaussian_total_correlation', 'gaussian_wasserstein_correlation', 'mutual_info_score'])
      expect(r).toHaveProperty(k);
    let err = '';
    try {
      metricsCli('foo');
    } catch (e: any) {
      err = e.stderr;
    }
    expect(err).toMatch(/unknown metric 'foo'.*mig/);
  });
});
