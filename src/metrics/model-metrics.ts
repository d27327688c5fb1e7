/**
 * Metrics and diagnostics of a trained model that need its encoder or decoder:
 *  - factored components, linearity and axis alignment along factor traversals (Michlo et al.);
 *  - distance to orthogonality of the decoder Jacobian (Rolinek et al., CVPR 2019);
 *  - per-latent KL (active vs passive dimensions) is in frameworks/perLatentKl.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { GroundTruthDataset } from '../data/types.js';
import { renderObservations, sampleTraversal } from '../data/index.js';
import type { Rng } from '../util/rng.js';
import type { RepresentationFn } from './dataset-metrics.js';
import { pearsonOr0, rankData } from './stats.js';

const rescale = (r: number, n: number) => (n > 1 ? (r - 1 / n) / (1 - 1 / n) : 1);

/**
 * Along random traversals of each factor: linearity = largest principal variance / total variance of the
 * traversal's codes; axis alignment = largest per-dimension variance / total; both rescaled as
 * (r − 1/D)/(1 − 1/D). Also the rank and linear correlation of ground-truth and latent (L2) distances.
 */
export function factoredComponents(ds: GroundTruthDataset, rep: RepresentationFn, rng: Rng, traversals = 32) {
  const perFactor = ds.factors.map((f, k) => {
    let lin = 0,
      axis = 0,
      n = 0;
    const gt: number[] = [],
      lat: number[] = [];
    if (f.size < 2) return { name: f.name, linearity: 0, axisAlignment: 0, rankCorrelation: 0, linearCorrelation: 0 };
    for (let t = 0; t < traversals; t++) {
      const idx = sampleTraversal(ds, k, rng);
      const z = rep(renderObservations(ds, idx), idx.length);
      const D = z.length / idx.length;
      const M = new Matrix(idx.length, D);
      for (let i = 0; i < idx.length; i++) for (let j = 0; j < D; j++) M.set(i, j, z[i * D + j]);
      const centred = M.clone().subRowVector(M.mean('column'));
      const cov = centred.transpose().mmul(centred).div(idx.length);
      const total = cov.trace();
      if (total > 0) {
        const eig = new EigenvalueDecomposition(cov, { assumeSymmetric: true }).realEigenvalues;
        lin += rescale(Math.max(...eig) / total, D);
        axis += rescale(Math.max(...cov.diag()) / total, D);
        n++;
      }
      for (let i = 0; i < idx.length; i++)
        for (let j = i + 1; j < idx.length; j++) {
          gt.push(j - i);
          let d = 0;
          for (let q = 0; q < D; q++) d += (z[i * D + q] - z[j * D + q]) ** 2;
          lat.push(Math.sqrt(d));
        }
    }
    return {
      name: f.name,
      linearity: n ? lin / n : 0,
      axisAlignment: n ? axis / n : 0,
      rankCorrelation: pearsonOr0(rankData(gt), rankData(lat)),
      linearCorrelation: pearsonOr0(gt, lat),
    };
  });
  const mean = (key: 'linearity' | 'axisAlignment' | 'rankCorrelation' | 'linearCorrelation') =>
    perFactor.reduce((a, f) => a + f[key], 0) / perFactor.length;
  return {
    factors: perFactor,
    linearity: mean('linearity'),
    axisAlignment: mean('axisAlignment'),
    rankCorrelation: mean('rankCorrelation'),
    linearCorrelation: mean('linearCorrelation'),
  };
}

/** The nearest signed permutation to V (Z×Z) by exhaustive search for small Z, greedy otherwise: ‖V − P‖_F. */
function distanceToSignedPermutation(V: Matrix): number {
  const Z = V.rows;
  const abs = V.abs();
  let best: number[] = [];
  if (Z <= 8) {
    let bestScore = -Infinity;
    const perm = [...Array(Z).keys()];
    const permute = (i: number) => {
      if (i === Z) {
        const s = perm.reduce((a, c, r) => a + abs.get(r, c), 0);
        if (s > bestScore) {
          bestScore = s;
          best = perm.slice();
        }
        return;
      }
      for (let j = i; j < Z; j++) {
        [perm[i], perm[j]] = [perm[j], perm[i]];
        permute(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
    };
    permute(0);
  } else {
    const used = new Set<number>();
    best = new Array(Z);
    const entries: Array<[number, number, number]> = [];
    for (let r = 0; r < Z; r++) for (let c = 0; c < Z; c++) entries.push([abs.get(r, c), r, c]);
    entries.sort((a, b) => b[0] - a[0]);
    const rows = new Set<number>();
    for (const [, r, c] of entries)
      if (!rows.has(r) && !used.has(c)) {
        best[r] = c;
        rows.add(r);
        used.add(c);
      }
  }
  let d = 0;
  for (let r = 0; r < Z; r++)
    for (let c = 0; c < Z; c++) {
      const p = best[r] === c ? Math.sign(V.get(r, c)) || 1 : 0;
      d += (V.get(r, c) - p) ** 2;
    }
  return Math.sqrt(d);
}

/**
 * Distance to orthogonality of the decoder Jacobian J = ∂x/∂z at encoded points (Rolinek et al.): SVD
 * J = UΣVᵀ (V from the eigenvectors of JᵀJ), then ‖V − P‖_F with P the nearest signed permutation;
 * averaged over points. J by central finite differences (step `eps`) of the decoder.
 */
export function jacobianOrthogonality(
  decode: (z: Float32Array, n: number) => Float32Array,
  codes: Float32Array,
  n: number,
  zDim: number,
  eps = 1e-2,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const zs = new Float32Array(2 * zDim * zDim);
    for (let d = 0; d < zDim; d++)
      for (const [k, s] of [
        [0, 1],
        [1, -1],
      ] as const) {
        const row = (2 * d + k) * zDim;
        zs.set(codes.subarray(i * zDim, (i + 1) * zDim), row);
        zs[row + d] += s * eps;
      }
    const x = decode(zs, 2 * zDim);
    const P = x.length / (2 * zDim);
    const J = new Matrix(P, zDim);
    for (let d = 0; d < zDim; d++)
      for (let p = 0; p < P; p++) J.set(p, d, (x[2 * d * P + p] - x[(2 * d + 1) * P + p]) / (2 * eps));
    const V = new EigenvalueDecomposition(J.transpose().mmul(J), { assumeSymmetric: true }).eigenvectorMatrix;
    total += distanceToSignedPermutation(V);
  }
  return total / n;
}
