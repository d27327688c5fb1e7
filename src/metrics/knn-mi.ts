/**
 * Mutual information between a continuous variable and discrete labels by nearest neighbours (Ross, "Mutual
 * information between discrete and continuous data sets", PLoS ONE 2014; the KSG estimator's idea, Kraskov,
 * Stögbauer & Grassberger 2004), as scikit-learn's mutual_info_classif computes it. For InfoMEC (infomec.ts) and
 * MIG with kNN estimates (array-metrics.ts `migKsg`).
 */
import { Rng } from '../util/rng.js';
import { column, type CodesAndFactors } from './utils.js';

/** ψ(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic series. */
export function digamma(x: number): number {
  let r = 0;
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))));
}

/** The largest double below r ≥ 0 (numpy's nextafter(r, 0)); 0 stays 0. */
function below(r: number): number {
  if (r <= 0) return 0;
  const b = new Float64Array([r]);
  const u = new BigInt64Array(b.buffer);
  u[0] -= 1n;
  return b[0];
}

/**
 * I(c; d) in nats between a continuous feature c and discrete labels d (Ross 2014), as scikit-learn computes it:
 * per point, r = distance to its k-th nearest neighbour among points of its label (k = min(nNeighbors, count − 1)),
 * m = points of any label strictly closer than r (itself included);
 *   I = ψ(N) + ⟨ψ(k)⟩ − ⟨ψ(N_label)⟩ − ⟨ψ(m)⟩, clipped at 0,
 * over the N points whose label occurs more than once (the others are left out, as there).
 */
export function knnMutualInfo(c: ArrayLike<number>, d: ArrayLike<number>, nNeighbors = 10): number {
  const n = c.length;
  // ψ at the integers 1 … n: ψ(1) = −γ, ψ(m + 1) = ψ(m) + 1/m
  const psi = new Float64Array(n + 1);
  psi[1] = digamma(1);
  for (let m = 1; m < n; m++) psi[m + 1] = psi[m] + 1 / m;
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const l = d[i];
    let a = byLabel.get(l);
    if (!a) byLabel.set(l, (a = []));
    a.push(i);
  }
  const kept = new Float64Array(n),
    radius = new Float64Array(n);
  let N = 0,
    sumK = 0,
    sumCount = 0;
  for (const idx of byLabel.values()) {
    const m = idx.length;
    if (m < 2) continue;
    const k = Math.min(nNeighbors, m - 1);
    const v = Float64Array.from(idx, (i) => c[i]).sort();
    // the k-th nearest of a sorted point: walk outwards, taking the nearer side each time
    for (let p = 0; p < m; p++) {
      let lo = p - 1,
        hi = p + 1,
        r = 0;
      for (let s = 0; s < k; s++) {
        const dl = lo >= 0 ? v[p] - v[lo] : Infinity,
          dh = hi < m ? v[hi] - v[p] : Infinity;
        if (dl <= dh) {
          r = dl;
          lo--;
        } else {
          r = dh;
          hi++;
        }
      }
      kept[N] = v[p];
      radius[N++] = below(r);
    }
    sumK += m * psi[k];
    sumCount += m * psi[m];
  }
  if (N === 0) return 0;
  const all = kept.slice(0, N).sort();
  // m: points within distance ≤ radius (the KD-tree's query_radius), found by binary search on the sorted values
  let sumM = 0;
  for (let i = 0; i < N; i++) {
    const x = kept[i],
      r = radius[i];
    let a = 0,
      b = N; // first j with x − all[j] ≤ r
    while (a < b) {
      const h = (a + b) >> 1;
      if (x - all[h] > r) a = h + 1;
      else b = h;
    }
    const left = a;
    b = N; // first j with all[j] − x > r
    while (a < b) {
      const h = (a + b) >> 1;
      if (all[h] - x <= r) a = h + 1;
      else b = h;
    }
    sumM += psi[a - left];
  }
  return Math.max(0, psi[N] + sumK / N - sumCount / N - sumM / N);
}

/**
 * I(c; v) for each code column and factor column: m[code, factor] (row-major). Each code gets scikit-learn's
 * jitter (1e-10 · max(1, mean |c / std(c)|) · N(0, 1), from `seed`) against ties, on its values scaled by
 * their std (the estimate does not depend on the scale otherwise); a constant code has MI 0.
 */
export function knnMutualInfoMatrix(d: CodesAndFactors, nNeighbors = 10, seed = 0): Float64Array {
  const { n, numCodes: D, numFactors: F } = d;
  const rng = new Rng(seed);
  const facs = [...Array(F).keys()].map((k) => column(d.factors, n, F, k));
  const m = new Float64Array(D * F);
  for (let j = 0; j < D; j++) {
    const c = column(d.codes, n, D, j);
    const mean = c.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(c.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    if (!(sd > 0)) continue;
    let absMean = 0;
    for (let i = 0; i < n; i++) absMean += Math.abs(c[i] / sd) / n;
    const scale = 1e-10 * Math.max(1, absMean);
    for (let i = 0; i < n; i++) c[i] = c[i] / sd + scale * rng.normal();
    for (let k = 0; k < F; k++) m[j * F + k] = knnMutualInfo(c, facs[k], nNeighbors);
  }
  return m;
}
