import { describe, expect, it } from 'vitest';
import { createDataset, renderObservations } from '../../src/data/index.js';
import { DSprites } from '../../src/data/procedural/dsprites.js';

const ds = await createDataset('dsprites');
const img = (f: number[]) => renderObservations(ds, [ds.stateSpace.toIndex(f)]);
const area = (x: Float32Array) => x.reduce((a, v) => a + v, 0);
const centroid = (x: Float32Array) => {
  let sx = 0,
    sy = 0,
    n = 0;
  for (let y = 0; y < 64; y++)
    for (let xx = 0; xx < 64; xx++)
      if (x[y * 64 + xx]) {
        sx += xx;
        sy += y;
        n++;
      }
  return [sx / n, sy / n];
};

describe('dSprites (procedural)', () => {
  it("has the real file's factors and sizes", async () => {
    expect(ds.factors.map((f) => `${f.name}:${f.size}`)).toEqual([
      'shape:3',
      'scale:6',
      'orientation:40',
      'position_x:32',
      'position_y:32',
    ]);
    expect(ds.size).toBe(737280);
    expect(ds.obsShape).toEqual([64, 64, 1]);
    expect(DSprites.values(1, 0)).toBe(0.5);
    expect(DSprites.values(1, 5)).toBe(1);
    expect(DSprites.values(2, 39)).toBeCloseTo(2 * Math.PI, 12);
  });
  it('is binary; shapes differ; scale grows the area monotonically', async () => {
    const x = img([0, 3, 0, 16, 16]);
    expect(x.every((v) => v === 0 || v === 1)).toBe(true);
    const shapes = [0, 1, 2].map((s) => img([s, 5, 0, 16, 16]));
    expect(area(shapes[0])).not.toBe(area(shapes[1]));
    expect(shapes[1].some((v, i) => v !== shapes[2][i])).toBe(true);
    for (const s of [0, 1, 2]) {
      const areas = [0, 1, 2, 3, 4, 5].map((sc) => area(img([s, sc, 0, 16, 16])));
      for (let i = 1; i < 6; i++) expect(areas[i]).toBeGreaterThan(areas[i - 1]);
    }
  });
  it('moves the centroid linearly with position, and orientation 0 equals 2π', async () => {
    const xs = [0, 10, 20, 31].map((p) => centroid(img([0, 2, 0, p, 16]))[0]);
    const step = (xs[3] - xs[0]) / 31;
    expect(step).toBeGreaterThan(0.5);
    for (const [i, p] of [
      [1, 10],
      [2, 20],
    ] as const)
      expect(xs[i]).toBeCloseTo(xs[0] + p * step, 0);
    expect(Array.from(img([2, 3, 0, 7, 9]))).toEqual(Array.from(img([2, 3, 39, 7, 9])));
    expect(Array.from(img([2, 3, 0, 7, 9]))).not.toEqual(Array.from(img([2, 3, 10, 7, 9])));
  });
  it('variants stay in [0, 1], keep the factors, and are deterministic per index', async () => {
    for (const name of ['dsprites_color', 'dsprites_noisy', 'dsprites_scream']) {
      const v = await createDataset(name);
      expect(v.obsShape).toEqual([64, 64, 3]);
      const a = renderObservations(v, [12345]),
        b = renderObservations(v, [12345]);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...a)).toBeLessThanOrEqual(1);
    }
    const c = renderObservations(await createDataset('dsprites_color'), [12345]);
    const m = renderObservations(ds, [12345]);
    for (let i = 0; i < 4096; i++)
      if (m[i] === 0) expect(c[i * 3]).toBe(0);
      else expect(c[i * 3]).toBeGreaterThanOrEqual(0.5);
  });
});
