/** Data shared by the metrics tests: synthetic codes (the reference's sanity cases) and a factor dataset. */
import type { CodesAndFactors } from '../../src/metrics/index.js';
import { StateSpace } from '../../src/data/index.js';
import type { GroundTruthDataset } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';

/**
 * n samples of factors with the given sizes, and codes: the factors themselves ('identity'), each factor
 * twice ('duplicated'), or standard normal noise unrelated to them ('random').
 */
export function synthetic(
  sizes: number[],
  n: number,
  mode: 'identity' | 'random' | 'duplicated',
  seed: number,
): CodesAndFactors {
  const rng = new Rng(seed);
  const F = sizes.length;
  const factors = new Int32Array(n * F);
  for (let i = 0; i < n; i++)
    sizes.forEach((s, k) => {
      factors[i * F + k] = rng.int(s);
    });
  const D = mode === 'duplicated' ? 2 * F : F;
  const codes = new Float64Array(n * D);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < F; k++) {
      if (mode === 'random') codes[i * D + k] = rng.normal();
      else {
        codes[i * D + k] = factors[i * F + k];
        if (mode === 'duplicated') codes[i * D + F + k] = factors[i * F + k];
      }
    }
  return { codes, factors, n, numCodes: D, numFactors: F };
}

/** dSprites' factor sizes, and ten factors of ten values. */
export const dsl = [3, 6, 40, 32, 32];
export const id10 = new Array(10).fill(10);

/** observation = the factor vector itself (as the reference's sanity data). */
export function factorDataset(sizes: number[]): GroundTruthDataset {
  const ss = new StateSpace(sizes);
  const f = new Int32Array(sizes.length);
  return {
    name: 'factors',
    factors: sizes.map((s, k) => ({ name: `f${k}`, size: s })),
    obsShape: [1, 1, sizes.length],
    params: {},
    stateSpace: ss,
    size: ss.size,
    renderInto(i, out, off) {
      ss.toFactors(i, f);
      for (let k = 0; k < sizes.length; k++) out[off + k] = f[k];
    },
  };
}
