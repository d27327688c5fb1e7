import { describe, expect, it } from 'vitest';
import { factoredComponents, jacobianOrthogonality } from '../../src/metrics/index.js';
import { Rng } from '../../src/util/rng.js';
import { factorDataset } from './fixtures.js';

/** A linear decoder x = A z (A: P×Z, row-major). */
const linearDecoder = (A: number[][]) => (z: Float32Array, n: number) => {
  const P = A.length,
    Z = A[0].length;
  const out = new Float32Array(n * P);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < P; p++) for (let j = 0; j < Z; j++) out[i * P + p] += A[p][j] * z[i * Z + j];
  return out;
};

describe('model metrics', () => {
  it('distance to orthogonality is 0 for orthogonal axis-aligned decoder columns, > 0 for rotated ones', () => {
    const codes = Float32Array.of(0.1, -0.3, 1, 2);
    expect(
      jacobianOrthogonality(
        linearDecoder([
          [3, 0],
          [0, 1],
          [0, 0],
        ]),
        codes,
        2,
        2,
      ),
    ).toBeCloseTo(0, 4);
    const c = Math.cos(Math.PI / 4),
      s = Math.sin(Math.PI / 4);
    // columns (3c, 3s, 0), (−s, c, 0)·1 → JᵀJ's eigenvectors are the axes again (columns orthogonal): 0
    expect(
      jacobianOrthogonality(
        linearDecoder([
          [3 * c, -s],
          [3 * s, c],
          [0, 0],
        ]),
        codes,
        2,
        2,
      ),
    ).toBeCloseTo(0, 3);
    // a shear: non-orthogonal columns → V rotated away from the axes
    const d = jacobianOrthogonality(
      linearDecoder([
        [1, 1],
        [0, 1],
        [0, 0],
      ]),
      codes,
      2,
      2,
    );
    expect(d).toBeGreaterThan(0.3);
  });
  it('factored components: the identity representation is linear, axis-aligned and ordered', () => {
    const ds = factorDataset([6, 5, 4]);
    const r = factoredComponents(ds, (x) => Float32Array.from(x), new Rng(1), 8);
    expect(r.linearity).toBeCloseTo(1, 6);
    expect(r.axisAlignment).toBeCloseTo(1, 6);
    expect(r.rankCorrelation).toBeCloseTo(1, 6);
    // a rotated representation stays linear but loses axis alignment
    const rot = factoredComponents(
      ds,
      (x, n) =>
        Float32Array.from({ length: n * 3 }, (_, i) => {
          const row = Math.floor(i / 3),
            j = i % 3,
            a = x[row * 3],
            b = x[row * 3 + 1],
            c = x[row * 3 + 2];
          return j === 0 ? (a + b) / Math.SQRT2 : j === 1 ? (a - b) / Math.SQRT2 : c;
        }),
      new Rng(1),
      8,
    );
    expect(rot.linearity).toBeCloseTo(1, 6);
    // variance split evenly over two of three dimensions: (½ − ⅓)/(1 − ⅓) = ¼
    expect(rot.factors[0].axisAlignment).toBeCloseTo(0.25, 6);
  });
});

describe('UDR and the lasso DCI', async () => {
  const { udr, dciLasso, fitLasso } = await import('../../src/metrics/index.js');
  it('UDR: 1 for models that are permutations of each other, low for unrelated ones', () => {
    const rng = new Rng(2);
    const n = 500,
      z = Float64Array.from({ length: n * 3 }, () => rng.normal());
    const perm = Float64Array.from({ length: n * 3 }, (_, i) => {
      const r = Math.floor(i / 3),
        j = i % 3;
      return 2 * z[r * 3 + [2, 0, 1][j]] + 1;
    });
    const other = Float64Array.from({ length: n * 3 }, () => rng.normal());
    const r = udr(
      [
        { codes: z, dim: 3 },
        { codes: perm, dim: 3 },
        { codes: other, dim: 3 },
      ],
      n,
    );
    // (spurious rank correlations of ~1/√n between unrelated latents keep it just below 1)
    expect(r.pairwise[0 * 3 + 1]).toBeGreaterThan(0.95);
    expect(r.pairwise[0 * 3 + 2]).toBeLessThan(0.2);
    // an uninformative latent (KL below the threshold) is left out of the sums
    const withKl = udr(
      [
        { codes: z, dim: 3, kl: [1, 1, 0] },
        { codes: perm, dim: 3, kl: [1, 1, 1] },
      ],
      n,
    );
    expect(withKl.pairwise[1]).toBeGreaterThan(0.95);
  });
  it('lasso: recovers a sparse linear model; DCI-lasso on the identity is 1/1', () => {
    const rng = new Rng(3);
    const n = 400,
      X = Float64Array.from({ length: n * 3 }, () => rng.normal());
    const y = Float64Array.from({ length: n }, (_, i) => 2 * X[i * 3] - X[i * 3 + 2] + 0.5);
    const { coef, intercept } = fitLasso(X, n, 3, y, 1e-4);
    expect(coef[0]).toBeCloseTo(2, 2);
    expect(coef[1]).toBeCloseTo(0, 2);
    expect(coef[2]).toBeCloseTo(-1, 2);
    expect(intercept).toBeCloseTo(0.5, 2);
    const f = Int32Array.from({ length: n * 2 }, () => rng.int(5));
    const d = { codes: Float64Array.from(f), factors: f, n, numCodes: 2, numFactors: 2 };
    const r = dciLasso(d, d);
    expect(r.disentanglement).toBeCloseTo(1, 6);
    expect(r.completeness).toBeCloseTo(1, 6);
    expect(r.informativeness_test).toBeGreaterThan(0.99);
  });
});
