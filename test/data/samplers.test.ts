import { describe, expect, it } from 'vitest';
import {
  createDataset,
  renderObservations,
  samplePairs,
  sampleTriplets,
  batchStream,
  sampleTraversal,
  sampleBatch,
  sampleTemporalPairs,
  temporalStepProbabilities,
  StateSpace,
  type GroundTruthDataset,
} from '../../src/data/index.js';
import { Rng } from '../../src/util/rng.js';
import { UserError } from '../../src/util/errors.js';

const xy = await createDataset('xysquares');
const xy4 = await createDataset('xysquares', { gridSpacing: 4 });

describe('samplers', () => {
  it('pairs differ in exactly k factors (fixed k), or in 1 … F (random k)', async () => {
    for (const k of [1, 2, 4]) {
      const idx = samplePairs(xy, 200, k, new Rng(k));
      for (let i = 0; i < 200; i++) {
        const a = xy.stateSpace.toFactors(idx[i]),
          b = xy.stateSpace.toFactors(idx[200 + i]);
        expect(a.reduce((n, v, j) => n + (v !== b[j] ? 1 : 0), 0)).toBe(k);
      }
    }
    const r = samplePairs(xy, 300, 'random', new Rng(9));
    const counts = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const a = xy.stateSpace.toFactors(r[i]),
        b = xy.stateSpace.toFactors(r[300 + i]);
      counts.add(a.reduce((n, v, j) => n + (v !== b[j] ? 1 : 0), 0));
    }
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBe(6);
  });
  it("'resample' pairs redraw the chosen factor from all its values: identical at rate mean(1/size), else k = 1", () => {
    // default xysquares: 6 factors of 8 values → 1/8 of the pairs identical; spacing 4: 15 values → 1/15
    for (const [ds, rate] of [
      [xy, 1 / 8],
      [xy4, 1 / 15],
    ] as const) {
      const n = 20000;
      const idx = samplePairs(ds, n, 1, new Rng(11), 'resample');
      let same = 0;
      for (let i = 0; i < n; i++) {
        const a = ds.stateSpace.toFactors(idx[i]),
          b = ds.stateSpace.toFactors(idx[n + i]);
        const diff = a.reduce((c, v, j) => c + (v !== b[j] ? 1 : 0), 0);
        expect(diff).toBeLessThanOrEqual(1);
        if (diff === 0) same++;
      }
      // binomial: 4 standard deviations
      expect(Math.abs(same / n - rate)).toBeLessThan(4 * Math.sqrt((rate * (1 - rate)) / n));
    }
    // 'exact' (the default) never gives an identical pair; sampleBatch passes the mode through
    const exact = sampleBatch(xy, 2000, 'pairs', new Rng(12), 1, 1, 'exact');
    for (let i = 0; i < 2000; i++) expect(exact[i]).not.toBe(exact[2000 + i]);
    const re = sampleBatch(xy, 2000, 'pairs', new Rng(12), 1, 1, 'resample');
    let same = 0;
    for (let i = 0; i < 2000; i++) if (re[i] === re[2000 + i]) same++;
    expect(same).toBeGreaterThan(150);
    // both modes pick the same first observations and the same factors from one stream
    for (let i = 0; i < 2000; i++) expect(re[i]).toBe(exact[i]);
  });
  it('triplets put the positive no farther from the anchor than the negative', async () => {
    const t = sampleTriplets(xy, 100, new Rng(1));
    const d = (i: number, j: number) => {
      const a = xy.stateSpace.toFactors(i),
        b = xy.stateSpace.toFactors(j);
      return a.reduce((s, v, k) => s + Math.abs(v - b[k]), 0);
    };
    for (let i = 0; i < 100; i++) expect(d(t[i], t[100 + i])).toBeLessThanOrEqual(d(t[i], t[200 + i]));
  });
  it('the batch stream is a function of (seed, step): a resumed stream continues identically', async () => {
    const a = batchStream(xy, { batchSize: 4, kind: 'single', seed: 3 });
    const first = [a.next().value!, a.next().value!, a.next().value!];
    const b = batchStream(xy, { batchSize: 4, kind: 'single', seed: 3, start: 2 });
    expect(Array.from(b.next().value!.indices)).toEqual(Array.from(first[2].indices));
    const trav = sampleTraversal(xy, 2, new Rng(4));
    expect(trav.length).toBe(8);
    trav.forEach((idx, v) => expect(xy.stateSpace.toFactors(idx)[2]).toBe(v));
  });
});

describe('temporal pairs (SlowVAE / PCL data)', () => {
  /** Factor changes x_{t+1} − x_t of n pairs: F arrays of n steps. */
  const steps = (ds: GroundTruthDataset, idx: Float64Array) => {
    const n = idx.length / 2;
    return ds.factors.map((_, k) =>
      Array.from({ length: n }, (_, i) => ds.stateSpace.toFactors(idx[n + i])[k] - ds.stateSpace.toFactors(idx[i])[k]),
    );
  };

  it('the step law is a discrete Laplace of scale ln(size)/rate, renormalised on the grid', () => {
    const p = temporalStepProbabilities(8, 3, 2);
    const w = Array.from({ length: 8 }, (_, j) => Math.exp((-Math.abs(j - 3) * 2) / Math.log(8)));
    const total = w.reduce((a, b) => a + b, 0);
    p.forEach((v, j) => expect(v).toBeCloseTo(w[j] / total, 12));
    // at an edge the law is renormalised over the grid (clipping would pile the mass beyond it onto value 0)
    const edge = temporalStepProbabilities(8, 0, 2);
    const fromZero = Array.from({ length: 8 }, (_, j) => Math.exp((-j * 2) / Math.log(8)));
    const zTotal = fromZero.reduce((a, b) => a + b, 0);
    edge.forEach((v, j) => expect(v).toBeCloseTo(fromZero[j] / zTotal, 12));
  });

  it('steps follow that law, get sparser with the rate, and every pair differs', () => {
    const n = 3000;
    let lastStay = 0;
    for (const rate of [1, 3, 10]) {
      const idx = sampleTemporalPairs(xy, n, rate, new Rng(rate));
      const d = steps(xy, idx);
      // expected law of the step of one factor of 8 values from a uniform start
      const expected = new Map<number, number>();
      for (let v = 0; v < 8; v++)
        temporalStepProbabilities(8, v, rate).forEach((q, j) =>
          expected.set(j - v, (expected.get(j - v) ?? 0) + q / 8),
        );
      // the redraw when nothing moved (probability s̄^F, s̄ = mean stay probability) bends the law at large
      // rates; at rates 1 and 3 it is below 0.07, spread over F = 6 factors
      if (rate <= 3)
        for (let k = 0; k < xy.factors.length; k++)
          for (const [delta, q] of expected) {
            const seen = d[k].filter((x) => x === delta).length / n;
            expect(Math.abs(seen - q)).toBeLessThan(0.03);
          }
      // unchanged factors: F·s̄ expected, less the one redrawn when all F stayed (start values independent)
      const F = xy.factors.length;
      const sBar = expected.get(0)!;
      const stay = d.flat().filter((x) => x === 0).length / (n * F);
      expect(Math.abs(stay - (sBar - sBar ** F / F))).toBeLessThan(0.02);
      expect(stay).toBeGreaterThan(lastStay); // sparser with a larger rate
      lastStay = stay;
      for (let i = 0; i < n; i++) expect(d.some((f) => f[i] !== 0)).toBe(true);
    }
    expect(lastStay).toBeGreaterThan(0.75); // rate 10: most factors keep their value
  });

  it("categorical factors never move; 'random' draws a rate per pair; nothing movable is a clear error", async () => {
    const ds = await createDataset('dsprites');
    expect(ds.factors[0]).toMatchObject({ name: 'shape', categorical: true });
    for (const rate of [1, 'random'] as const) {
      const d = steps(ds, sampleTemporalPairs(ds, 500, rate, new Rng(5)));
      expect(d[0].every((x) => x === 0)).toBe(true);
      expect(d[2].some((x) => x !== 0)).toBe(true);
    }
    const fixed: GroundTruthDataset = {
      name: 'fixed',
      factors: [
        { name: 'kind', size: 3, categorical: true },
        { name: 'one', size: 1 },
      ],
      obsShape: [1, 1, 1],
      params: {},
      stateSpace: new StateSpace([3, 1]),
      size: 3,
      renderInto: () => {},
    };
    expect(() => sampleTemporalPairs(fixed, 2, 1, new Rng(0))).toThrow(UserError);
    expect(() => sampleTemporalPairs(fixed, 2, 1, new Rng(0))).toThrow(/no factor a temporal step can change/);
  });

  it('a temporal batch is a function of (seed, step)', () => {
    const a = batchStream(xy, { batchSize: 8, kind: 'temporal', rate: 2, seed: 3 });
    const first = [a.next().value!, a.next().value!, a.next().value!];
    const b = batchStream(xy, { batchSize: 8, kind: 'temporal', rate: 2, seed: 3, start: 2 });
    expect(Array.from(b.next().value!.indices)).toEqual(Array.from(first[2].indices));
    expect(Array.from(first[1].indices)).not.toEqual(Array.from(first[2].indices));
    const again = sampleBatch(xy, 8, 'temporal', new Rng('3:batch:2'), 1, 2);
    expect(Array.from(again)).toEqual(Array.from(first[2].indices));
    expect(again.length).toBe(16);
  });
});

describe('XYObject and pinwheel', () => {
  it("XYObject: 75,000 images, one square of the factor's size and colour", async () => {
    const ds = await createDataset('xyobject');
    expect(ds.factors.map((f) => f.size)).toEqual([25, 25, 5, 24]);
    expect(ds.size).toBe(75000);
    const x = renderObservations(ds, [ds.stateSpace.toIndex([3, 4, 2, 5])]); // scale 11, colour 5 = hue 1 (yellow) at intensity 0.5
    let lit = 0;
    for (let i = 0; i < 4096; i++)
      if (x[i * 3] > 0) {
        lit++;
        expect(x[i * 3]).toBeCloseTo(0.5);
        expect(x[i * 3 + 1]).toBeCloseTo(0.5);
        expect(x[i * 3 + 2]).toBe(0);
      }
    expect(lit).toBe(121);
    const shaded = await createDataset('xyobject_shaded');
    expect(shaded.factors.map((f) => f.name)).toEqual(['x', 'y', 'scale', 'intensity', 'color']);
    expect(Array.from(renderObservations(shaded, [shaded.stateSpace.toIndex([3, 4, 2, 1, 1])]))).toEqual(Array.from(x));
  });
  it('pinwheel: deterministic 2-D points, arms by class', async () => {
    const a = await createDataset('pinwheel', { seed: 1 }),
      b = await createDataset('pinwheel', { seed: 1 });
    expect(a.obsShape).toEqual([1, 1, 2]);
    expect(Array.from(renderObservations(a, [0, 150, 399]))).toEqual(Array.from(renderObservations(b, [0, 150, 399])));
    const pts = renderObservations(
      a,
      Array.from({ length: 400 }, (_, i) => i),
    );
    const meanR = pts.reduce((s, _, i) => (i % 2 ? s : s + Math.hypot(pts[i], pts[i + 1])), 0) / 400;
    expect(meanR).toBeGreaterThan(0.8);
    expect(meanR).toBeLessThan(1.3);
  });
});
