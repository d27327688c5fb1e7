/**
 * Local variance structure (Zietlow et al., ICML 2021; Rolinek et al., CVPR 2019): VAEs behave like local
 * PCA, so they recover factors when one-step changes of different factors move the image in near-orthogonal
 * directions with distinct magnitudes. These diagnostics need no training:
 *  - per-factor sensitivity E‖x(w + e_k) − x(w)‖² (mean over H·W·C, as perceived MSE);
 *  - the Gram matrix of per-factor difference directions at the same point (cosines, averaged over points);
 *  - local PCA of those differences: how well principal directions align with single factors, and how
 *    distinct the principal variances are (equal variances leave PCA's axes undetermined).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { GroundTruthDataset } from '../data/types.js';
import { Rng } from '../util/rng.js';

export interface LocalVarianceOptions {
  points?: number;
  seed?: number;
}

export interface LocalVarianceReport {
  dataset: string;
  points: number;
  factors: Array<{ name: string; size: number; sensitivity: number; sensitivityStd: number }>;
  /** F×F mean |cos| between per-factor difference directions at the same point (1 on the diagonal). */
  gramCosine: Float64Array;
  /** F×F mean dot product of difference directions, per pixel (diagonal = sensitivity). */
  gram: Float64Array;
  /** Mean over points and principal components of max_k |cos(pc, d_k)|: 1 = principal directions are single factors. */
  pcaAlignment: number;
  /** Mean over points of the smallest relative gap between consecutive principal variances (0 = degenerate). */
  pcaEigengap: number;
}

export function localVarianceStructure(
  ds: GroundTruthDataset,
  options: LocalVarianceOptions = {},
): LocalVarianceReport {
  const points = options.points ?? 256;
  const rng = new Rng(options.seed ?? 0);
  const F = ds.factors.length;
  const D = ds.obsShape[0] * ds.obsShape[1] * ds.obsShape[2];
  const base = new Float32Array(D);
  const moved = new Float32Array(F * D);
  const active = new Array<boolean>(F);
  const sens: number[][] = ds.factors.map(() => []);
  const gram = new Float64Array(F * F);
  const gramCos = new Float64Array(F * F);
  const pairCount = new Float64Array(F * F);
  let alignSum = 0,
    alignN = 0,
    gapSum = 0,
    gapN = 0;
  for (let p = 0; p < points; p++) {
    const w = ds.stateSpace.sampleFactors(1, rng);
    ds.renderInto(ds.stateSpace.toIndex(w), base, 0);
    for (let k = 0; k < F; k++) {
      const size = ds.factors[k].size;
      active[k] = size > 1;
      if (!active[k]) continue;
      const orig = w[k];
      // Forward step, or backward at the last value (the direction's sign does not matter: we use |cos|).
      w[k] = orig + 1 < size ? orig + 1 : orig - 1;
      ds.renderInto(ds.stateSpace.toIndex(w), moved, k * D);
      w[k] = orig;
      for (let i = 0; i < D; i++) moved[k * D + i] -= base[i];
    }
    const M = new Float64Array(F * F);
    for (let a = 0; a < F; a++) {
      if (!active[a]) continue;
      for (let b = a; b < F; b++) {
        if (!active[b]) continue;
        let s = 0;
        for (let i = 0; i < D; i++) s += moved[a * D + i] * moved[b * D + i];
        M[a * F + b] = M[b * F + a] = s;
      }
    }
    for (let a = 0; a < F; a++) {
      if (!active[a]) continue;
      sens[a].push(M[a * F + a] / D);
      for (let b = 0; b < F; b++) {
        if (!active[b]) continue;
        gram[a * F + b] += M[a * F + b] / D;
        const den = Math.sqrt(M[a * F + a] * M[b * F + b]);
        if (den > 0) {
          gramCos[a * F + b] += Math.abs(M[a * F + b]) / den;
          pairCount[a * F + b] += 1;
        }
      }
    }
    // Local PCA through the small Gram matrix: eigenvectors u_c of M give principal directions
    // v_c ∝ Σ_k u_ck d_k, and cos(v_c, d_k) = √λ_c · u_ck / ‖d_k‖.
    const idx = [...Array(F).keys()].filter((k) => active[k] && M[k * F + k] > 0);
    if (idx.length >= 1) {
      const sub = new Matrix(idx.map((a) => idx.map((b) => M[a * F + b])));
      const eig = new EigenvalueDecomposition(sub, { assumeSymmetric: true });
      const lambdas = eig.realEigenvalues;
      const V = eig.eigenvectorMatrix;
      const order = lambdas.map((l, i) => [l, i] as const).sort((x, y) => y[0] - x[0]);
      for (const [lambda, c] of order) {
        if (!(lambda > 1e-12 * order[0][0])) continue;
        let best = 0;
        idx.forEach((k, r) => {
          best = Math.max(best, Math.abs(Math.sqrt(lambda) * V.get(r, c)) / Math.sqrt(M[k * F + k]));
        });
        alignSum += Math.min(1, best);
        alignN++;
      }
      if (order.length >= 2 && order[0][0] > 0) {
        let minGap = Infinity;
        for (let i = 0; i + 1 < order.length; i++)
          minGap = Math.min(minGap, (order[i][0] - order[i + 1][0]) / order[0][0]);
        gapSum += minGap;
        gapN++;
      }
    }
  }
  for (let i = 0; i < F * F; i++) {
    gram[i] /= points;
    gramCos[i] = pairCount[i] > 0 ? gramCos[i] / pairCount[i] : 0;
  }
  return {
    dataset: ds.name,
    points,
    factors: ds.factors.map((f, k) => {
      const s = sens[k];
      const m = s.length ? s.reduce((x, y) => x + y, 0) / s.length : 0;
      const v = s.length ? s.reduce((x, y) => x + (y - m) ** 2, 0) / s.length : 0;
      return { name: f.name, size: f.size, sensitivity: m, sensitivityStd: Math.sqrt(v) };
    }),
    gram,
    gramCosine: gramCos,
    pcaAlignment: alignN ? alignSum / alignN : 0,
    pcaEigengap: gapN ? gapSum / gapN : 0,
  };
}
