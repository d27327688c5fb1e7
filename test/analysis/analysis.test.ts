import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/index.js';
import {
  analysePerceivedDistances,
  localVarianceStructure,
  pearson,
  rankData,
  spearman,
  perceivedSummary,
} from '../../src/analysis/index.js';
import { barsDataset, testMse } from './helpers.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

describe('statistics', () => {
  it('ranks ties by their average rank (scipy rankdata)', () => {
    expect(Array.from(rankData([10, 20, 10, 30]))).toEqual([1.5, 3, 1.5, 4]);
  });
  it('pearson and spearman match closed forms', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // Monotone but non-linear: Spearman 1, Pearson < 1.
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [1, 8, 27, 64])).toBeLessThan(0.99);
    // A hand-computed case: x = [1,2,3,4,5], y = [2,1,4,3,5] → ρ = 1 − 6·Σd²/(n(n²−1)) = 1 − 6·4/120 = 0.8
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]))).toBe(true);
  });
  it('gives the published 0.58 for a factor whose perceived distance is constant', () => {
    // 8 positions, no overlap: perceived distance is 0 for i = j and a constant otherwise.
    const gt: number[] = [],
      pd: number[] = [];
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++) {
        gt.push(Math.abs(i - j));
        pd.push(i === j ? 0 : 1);
      }
    expect(spearman(gt, pd)).toBeCloseTo(0.58, 2);
  });
});

describe('perceived distances', () => {
  it('non-overlapping bars: constant distance with zero std, adversarial verdict', () => {
    const ds = barsDataset(2, 6, 4, 4);
    const r = analysePerceivedDistances(ds, testMse, { traversals: 6, pairs: 4000, randomPairs: 500, seed: 1 });
    const W = ds.obsShape[1];
    for (const f of r.factors) {
      // Two bars of 4 pixels differ: 8 changed values out of W·C.
      expect(f.mean).toBeCloseTo(8 / (W * 2), 6);
      expect(f.std).toBeLessThan(1e-7);
      expect(f.verdict).toBe('adversarial');
      expect(f.rankCorrelation).toBeGreaterThan(0.5);
      expect(f.rankCorrelation).toBeLessThan(0.7);
      // the matrix is the same constant off the diagonal and 0 on it
      expect(f.matrix[0]).toBe(0);
      expect(f.matrix[1]).toBeCloseTo(8 / (W * 2), 6);
    }
    // random pairs: both factors may change → larger on average than one factor's change
    expect(r.randomPairs.mean).toBeGreaterThan(r.factors[0].mean);
    const s = perceivedSummary(r);
    expect(s.factors.map((f) => f.name)).toEqual(['x0', 'x1']);
  });
  it('overlapping bars: distance grows with |i − j|, ordered verdict', () => {
    const ds = barsDataset(1, 8, 8, 1);
    const r = analysePerceivedDistances(ds, testMse, { traversals: 2, pairs: 4000, randomPairs: 100, seed: 2 });
    const f = r.factors[0];
    // |i − j| = d ≤ 8 changes 2d pixels: distance exactly linear in d → Pearson and Spearman 1.
    expect(f.rankCorrelation).toBeCloseTo(1, 6);
    expect(f.linearCorrelation).toBeCloseTo(1, 6);
    expect(f.verdict).toBe('ordered');
    const W = ds.obsShape[1];
    expect(f.matrix[0 * 8 + 3]).toBeCloseTo(6 / W, 6);
  });
  it('is reproducible from the seed', () => {
    const ds = barsDataset(2, 5, 2, 1);
    const a = analysePerceivedDistances(ds, testMse, { traversals: 3, pairs: 500, randomPairs: 100, seed: 7 });
    const b = analysePerceivedDistances(ds, testMse, { traversals: 3, pairs: 500, randomPairs: 100, seed: 7 });
    expect(perceivedSummary(a)).toEqual(perceivedSummary(b));
  });
});

describe('local variance structure', () => {
  it('bars in separate channels: orthogonal directions, equal sensitivities', () => {
    const ds = barsDataset(3, 5, 2, 2);
    const lv = localVarianceStructure(ds, { points: 20, seed: 3 });
    const F = 3;
    for (let a = 0; a < F; a++)
      for (let b = 0; b < F; b++) expect(lv.gramCosine[a * F + b]).toBeCloseTo(a === b ? 1 : 0, 9);
    // moving a non-overlapping 2-pixel bar changes 4 values of W·C
    const W = ds.obsShape[1];
    for (const f of lv.factors) expect(f.sensitivity).toBeCloseTo(4 / (W * 3), 9);
    expect(lv.pcaAlignment).toBeCloseTo(1, 6);
    // all equal variances: PCA cannot pick axes
    expect(lv.pcaEigengap).toBeCloseTo(0, 9);
  });
});

describe('adversarial perturbation (Zietlow et al.)', async () => {
  const { findPerturbation } = await import('../../src/analysis/perturbation.js');
  const { applyPerturbation, applyUniformNoise, perturbationField } = await import('../../src/data/perturbed.js');
  it('is bounded by epsilon, depends on factors only, and entangles the local directions', () => {
    const ds = barsDataset(3, 5, 2, 2);
    const eps = 0.2;
    const p = findPerturbation(ds, { epsilon: eps, steps: 60, batch: 8, lr: 0.1, seed: 4 });
    const before = localVarianceStructure(ds, { points: 30, seed: 5 });
    const pert = applyPerturbation(ds, p);
    const after = localVarianceStructure(pert, { points: 30, seed: 5 });
    // off-diagonal cosines grow: directions are no longer orthogonal
    const off = (g: Float64Array) => (g[1] + g[2] + g[5]) / 3;
    expect(off(after.gramCosine)).toBeGreaterThan(off(before.gramCosine) + 0.1);
    expect(p.alignmentAfter).toBeGreaterThan(p.alignmentBefore);
    // bounded: |x' − x| ≤ ε everywhere; same factors give the same image
    const D = ds.obsShape[1] * 3;
    const x = new Float32Array(D),
      y = new Float32Array(D),
      y2 = new Float32Array(D);
    for (const idx of [0, 17, 63, 124]) {
      ds.renderInto(idx, x, 0);
      pert.renderInto(idx, y, 0);
      pert.renderInto(idx, y2, 0);
      for (let i = 0; i < D; i++) {
        expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(eps + 1e-6);
        expect(y[i]).toBe(y2[i]);
      }
    }
    const m = new Float32Array(D);
    perturbationField(p, [1, 2, 3], m);
    expect(Math.max(...m.map(Math.abs))).toBeLessThanOrEqual(1);
    // noise control: bounded, deterministic per index
    const noisy = applyUniformNoise(ds, eps, 9);
    noisy.renderInto(5, y, 0);
    noisy.renderInto(5, y2, 0);
    ds.renderInto(5, x, 0);
    for (let i = 0; i < D; i++) {
      expect(y[i]).toBe(y2[i]);
      expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(eps + 1e-6);
    }
  });
});
