import { describe, expect, it } from 'vitest';
import {
  sapDiscrete,
  explicitness,
  irs,
  hoyer,
  rocAuc,
  betaVaeScore,
  fitLogisticRegression,
  factorVaeScore,
} from '../../src/metrics/index.js';
import { Rng } from '../../src/util/rng.js';
import { factorDataset, id10, synthetic } from './fixtures.js';

describe('learned metrics against the sanity table (metrics.md)', () => {
  it('SAP (discrete): ≈ 0.192 / 0.003 / 0 on id10', () => {
    expect(sapDiscrete(synthetic(id10, 4000, 'identity', 1), synthetic(id10, 2000, 'identity', 2)).sap).toBeCloseTo(
      0.192,
      1,
    );
    expect(sapDiscrete(synthetic(id10, 4000, 'random', 3), synthetic(id10, 2000, 'random', 4)).sap).toBeLessThan(0.02);
    expect(sapDiscrete(synthetic(id10, 2000, 'duplicated', 5), synthetic(id10, 1000, 'duplicated', 6)).sap).toBeCloseTo(
      0,
      9,
    );
  });
  it('explicitness: 1.0 on the identity, ≈ 0.5 on random codes', () => {
    const small = [4, 5, 3];
    expect(
      explicitness(synthetic(small, 1500, 'identity', 7), synthetic(small, 800, 'identity', 8)).explicitness_test,
    ).toBeGreaterThan(0.97);
    const r = explicitness(synthetic(small, 1500, 'random', 9), synthetic(small, 800, 'random', 10)).explicitness_test;
    expect(Math.abs(r - 0.5)).toBeLessThan(0.05);
  });
  it('IRS: 1.0 / ≈ 0.38 / 1.0 on id10', () => {
    expect(irs(synthetic(id10, 5000, 'identity', 11))).toBeCloseTo(1, 6);
    expect(irs(synthetic(id10, 5000, 'random', 12))).toBeCloseTo(0.377, 1);
    expect(irs(synthetic(id10, 5000, 'duplicated', 13))).toBeCloseTo(1, 6);
  });
  it('Hoyer: 1 for one-hot codes, 0 for constant-magnitude codes', () => {
    const n = 4,
      D = 4;
    const oneHot = Float64Array.from({ length: n * D }, (_, i) => (i % D === Math.floor(i / D) ? 1 : 0));
    expect(hoyer({ codes: oneHot, factors: new Int32Array(n), n, numCodes: D, numFactors: 1 })).toBeCloseTo(1, 9);
    const flat = Float64Array.from({ length: n * D }, (_, i) => ((i + Math.floor(i / D)) % 2 ? 1 : -1));
    expect(hoyer({ codes: flat, factors: new Int32Array(n), n, numCodes: D, numFactors: 1 })).toBeCloseTo(0, 9);
  });
  it('ROC-AUC and logistic regression behave on hand-made cases', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
    const X = Float64Array.of(-2, -1, 1, 2),
      y = Int32Array.of(0, 0, 1, 1);
    const m = fitLogisticRegression(X, 4, 1, y);
    expect(Array.from(m.predict(X, 4))).toEqual([0, 0, 1, 1]);
  });
});

describe('dataset-sampling scores', () => {
  const ds = factorDataset([5, 6, 4]);
  const identity = (x: Float32Array) => Float32Array.from(x);
  const randomRep = (rng: Rng) => (_x: Float32Array, n: number) =>
    Float32Array.from({ length: n * 3 }, () => rng.normal());
  it('BetaVAE score: 1.0 on the identity, chance on random codes', () => {
    expect(betaVaeScore(ds, identity, new Rng(1), { numTrain: 300, numEval: 150 }).eval_accuracy).toBeCloseTo(1, 6);
    expect(
      betaVaeScore(ds, randomRep(new Rng(2)), new Rng(3), { numTrain: 300, numEval: 150 }).eval_accuracy,
    ).toBeLessThan(0.5);
  });
  it('FactorVAE score: 1.0 on the identity, 0 when no dimension is active', () => {
    expect(
      factorVaeScore(ds, identity, new Rng(4), { numTrain: 300, numEval: 150, numVarianceEstimate: 1000 })
        .eval_accuracy,
    ).toBeCloseTo(1, 6);
    expect(
      factorVaeScore(ds, (_x, n) => new Float32Array(n * 3), new Rng(5), {
        numTrain: 50,
        numEval: 50,
        numVarianceEstimate: 200,
      }).eval_accuracy,
    ).toBe(0);
  });
});
