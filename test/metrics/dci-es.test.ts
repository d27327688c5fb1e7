import { describe, expect, it } from 'vitest';
import { dciEs, explicitnessFromCurve } from '../../src/metrics/dci-es.js';
import { computeArrayMetrics, mig, migKsg, type CodesAndFactors } from '../../src/metrics/index.js';
import { Rng } from '../../src/util/rng.js';
import { dsl, synthetic } from './fixtures.js';

/** Factors of the given sizes and a code of each: u + noise (readable) or a strong monotone warp of it. */
function codes(sizes: number[], n: number, seed: number, warp: boolean): CodesAndFactors {
  const rng = new Rng(seed);
  const F = sizes.length;
  const factors = new Int32Array(n * F),
    c = new Float64Array(n * F);
  for (let i = 0; i < n; i++)
    sizes.forEach((s, k) => {
      const f = rng.int(s);
      factors[i * F + k] = f;
      const u = f / (s - 1) + 0.03 * rng.normal();
      // a fold-free but far-from-linear warp: exponential growth, alternating in direction
      c[i * F + k] = warp ? Math.exp((k % 2 ? -6 : 6) * u) : u;
    });
  return { codes: c, factors, n, numCodes: F, numFactors: F };
}

describe('DCI-ES explicitness from loss–capacity curves', () => {
  it('closed forms: best at the lowest capacity → 1; a linear fall to 0 → 0; the running minimum is used', () => {
    expect(explicitnessFromCurve([0, 1, 2], [0.1, 0.1, 0.1], 1)).toBeCloseTo(1, 12);
    expect(explicitnessFromCurve([0, 4], [1, 0], 1)).toBeCloseTo(0, 12);
    // [0.5, 0.7, 0.2] → running min [0.5, 0.5, 0.2]: area above 0.2 = 0.3 + 0.15 = 0.45 over a range of 2
    expect(explicitnessFromCurve([0, 1, 2], [0.5, 0.7, 0.2], 1)).toBeCloseTo(1 - (2 * 0.45) / 2, 12);
  });
  it('ranks a readable code above a warped code of the same factors; both in [0, 1]; size = factors / codes', () => {
    const sizes = [3, 6, 10, 8, 8];
    const readable = dciEs(codes(sizes, 3000, 1, false), codes(sizes, 1500, 2, false));
    const warped = dciEs(codes(sizes, 3000, 1, true), codes(sizes, 1500, 2, true));
    for (const r of [readable, warped]) {
      expect(r.explicitness).toBeGreaterThanOrEqual(0);
      expect(r.explicitness).toBeLessThanOrEqual(1);
      expect(r.size).toBe(1);
      expect(r.curves).toHaveLength(5);
      for (const c of r.curves)
        for (let i = 1; i < c.minSoFar.length; i++) expect(c.minSoFar[i]).toBeLessThanOrEqual(c.minSoFar[i - 1]);
    }
    expect(readable.explicitness).toBeGreaterThan(warped.explicitness + 0.02);
    // per factor too: every factor is easier to read from the unwarped code
    readable.perFactor.forEach((e, k) => expect(e).toBeGreaterThan(warped.perFactor[k]));
  });
  it('with MLP probes (capacity = width) too: readable above warped, both in [0, 1]', () => {
    const sizes = [3, 6, 10];
    const o = { probe: 'mlp' as const, widths: [2, 4, 8] };
    const readable = dciEs(codes(sizes, 1500, 5, false), codes(sizes, 800, 6, false), o);
    const warped = dciEs(codes(sizes, 1500, 5, true), codes(sizes, 800, 6, true), o);
    expect(readable.curves[0].capacities).toEqual([0, 2, 4, 8]);
    for (const r of [readable, warped]) {
      expect(r.explicitness).toBeGreaterThanOrEqual(0);
      expect(r.explicitness).toBeLessThanOrEqual(1);
    }
    expect(readable.explicitness).toBeGreaterThan(warped.explicitness + 0.02);
    expect(() => dciEs(codes(sizes, 100, 5, false), codes(sizes, 50, 6, false), { depths: [17] })).toThrow(/depths/);
  });
  it('is registered: flat keys, per-factor details and the curves', async () => {
    const tr = codes([3, 4], 400, 3, false),
      te = codes([3, 4], 200, 4, false);
    const r = await computeArrayMetrics(tr, te, ['dci_es']);
    expect(Object.keys(r.scores).sort()).toEqual(['dci_es_explicitness', 'dci_es_size']);
    expect(r.details.dci_es.explicitness_per_factor).toHaveLength(2);
    expect(r.curves[0].series).toHaveLength(2);
    expect(r.curves[0].x).toEqual([0, 1, 2, 3, 4, 8, 10, 12, 14, 16]);
  });
});

describe('the 2023 metrics on degenerate codes', () => {
  it('all-zero codes give defined values: InfoMEC and MIG-kNN 0, DCI-ES E 1 (a flat curve: nothing to read at any capacity)', async () => {
    const d = synthetic([3, 4], 300, 'identity', 7);
    const zero = { ...d, codes: new Float64Array(d.codes.length) };
    const r = (await computeArrayMetrics(zero, zero, ['mig_ksg', 'infomec', 'dci_es'])).scores;
    expect(r).toEqual({ mig_ksg: 0, infom: 0, infoe: 0, infoc: 0, dci_es_explicitness: 1, dci_es_size: 1 });
  });
});

describe('MIG with kNN estimates', () => {
  it('a perfect code scores ≈ 1 where 20 bins give ≈ 0.9; duplicated codes 0', () => {
    const id = synthetic(dsl, 5000, 'identity', 0);
    expect(mig(id).mig).toBeLessThan(0.92);
    expect(migKsg(id).mig).toBeGreaterThan(0.97);
    expect(migKsg(synthetic(dsl, 5000, 'duplicated', 0)).mig).toBeLessThan(0.02);
  });
});
