import { describe, expect, it } from 'vitest';
import {
  createDataset,
  renderObservations,
  samplePairs,
  sampleTriplets,
  batchStream,
  sampleTraversal,
} from '../../src/data/index.js';
import { Rng } from '../../src/util/rng.js';

const xy = await createDataset('xysquares');

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
