import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeLatents, infomec } from '../../src/metrics/infomec.js';
import { digamma, knnMutualInfo } from '../../src/metrics/knn-mi.js';
import type { CodesAndFactors } from '../../src/metrics/index.js';
import { readNpz, toFloat64, toInt32 } from '../../src/data/formats/npz.js';
import { Rng } from '../../src/util/rng.js';

const dir = join(import.meta.dirname, 'fixtures', 'infomec');

interface Reference {
  infom: number;
  infoe: number;
  infoc: number;
  infoe_per_factor: number[];
  active: number[];
  nmi_factors_by_latents: number[][];
}
const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
  codes: Record<string, Reference>;
};

function load(name: string): CodesAndFactors {
  const a = readNpz(join(dir, `${name}.npz`));
  return {
    codes: toFloat64(a.codes),
    factors: toInt32(a.factors),
    n: a.codes.shape[0],
    numCodes: a.codes.shape[1],
    numFactors: a.factors.shape[1],
  };
}

describe('kNN mutual information (Ross 2014, as scikit-learn)', () => {
  it('digamma matches known values', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 12);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 12);
    expect(digamma(10)).toBeCloseTo(2.251752589066721, 12);
  });
  it('is near ln 2 for two well-separated labels and near 0 for labels unrelated to the feature', () => {
    const rng = new Rng(3);
    const n = 4000;
    const d = Int32Array.from({ length: n }, () => rng.int(2));
    const sep = Float64Array.from(d, (v) => v * 10 + rng.normal());
    const indep = Float64Array.from(d, () => rng.normal());
    expect(knnMutualInfo(sep, d)).toBeGreaterThan(Math.log(2) - 0.01);
    expect(knnMutualInfo(sep, d)).toBeLessThan(Math.log(2) + 0.01);
    expect(knnMutualInfo(indep, d)).toBeLessThan(0.01);
  });
  it('leaves out points whose label occurs once', () => {
    const c = [0, 0.1, 0.2, 5, 5.1, 5.2, 9];
    const d = [0, 0, 0, 1, 1, 1, 2];
    expect(knnMutualInfo(c, d, 2)).toBeCloseTo(knnMutualInfo(c.slice(0, 6), d.slice(0, 6), 2), 12);
  });
});

describe('InfoMEC against scikit-learn (scripts/infomec_reference.py)', () => {
  // Codes the implementation was not tuned to: a noisy code with pure-noise and inactive latents, a warped one,
  // an entangled rotation, a partial one. The kNN MI is deterministic up to the 1e-10 jitter both sides add
  // (different random streams): NMI agrees to ~1e-4. InfoE: both fit the same unpenalised logistic regression
  // for 100 L-BFGS iterations, stopped before convergence on separable factors; the optimisers' line searches
  // differ (Armijo backtracking here, scipy's Wolfe search there), so its log losses agree to ~1e-2.
  for (const name of Object.keys(reference.codes)) {
    it(`${name}: InfoM, InfoE, InfoC within 0.03, NMI within 0.002`, () => {
      const ref = reference.codes[name];
      const d = load(name);
      const r = infomec(d);
      expect(r.active).toEqual(ref.active);
      expect(Math.abs(r.infom - ref.infom)).toBeLessThan(0.03);
      expect(Math.abs(r.infoc - ref.infoc)).toBeLessThan(0.03);
      expect(Math.abs(r.infoe - ref.infoe)).toBeLessThan(0.03);
      const K = d.numFactors;
      ref.nmi_factors_by_latents.forEach((row, k) =>
        row.forEach((v, a) => expect(Math.abs(r.nmi[a * K + k] - v)).toBeLessThan(0.002)),
      );
    });
  }
});

describe('InfoMEC on simple codes', () => {
  it('drops latents whose range is at most a twentieth of the largest', () => {
    const codes = new Float64Array([0, 0, 0, 1, 0.04, 0.06, 2, 0.08, 0.12]); // ranges 2, 0.08, 0.12
    expect(activeLatents({ codes, factors: new Int32Array(3), n: 3, numCodes: 3, numFactors: 1 })).toEqual([0, 2]);
  });
  it('an axis-aligned code of well-separated factors scores near 1 on all three; all-constant codes 0', () => {
    const rng = new Rng(5);
    const n = 3000,
      sizes = [3, 4, 5];
    const factors = new Int32Array(n * 3),
      codes = new Float64Array(n * 3);
    for (let i = 0; i < n; i++)
      sizes.forEach((s, k) => {
        factors[i * 3 + k] = rng.int(s);
        codes[i * 3 + k] = factors[i * 3 + k] + 0.01 * rng.normal();
      });
    const r = infomec({ codes, factors, n, numCodes: 3, numFactors: 3 });
    expect(r.infom).toBeGreaterThan(0.95);
    expect(r.infoc).toBeGreaterThan(0.95);
    expect(r.infoe).toBeGreaterThan(0.9);
    const flat = infomec({ codes: new Float64Array(n * 3), factors, n, numCodes: 3, numFactors: 3 });
    expect([flat.infom, flat.infoe, flat.infoc]).toEqual([0, 0, 0]);
  });
});
