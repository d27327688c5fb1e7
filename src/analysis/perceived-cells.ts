/**
 * The perceived-distance rank correlation of `analyze` (perceived.ts), rebuilt for searching many losses on
 * one dataset: the same traversals and the same pairs from the same seed, but every image rendered once,
 * every filter applied once per image, and the 50,000 sampled pairs folded into counts on the T×L×L cells
 * (traversal, i, j) they fall on — so a candidate costs one sort of the cells per factor, not of the pairs.
 *
 *   per factor: ρ = Spearman( |v_i − v_j| , d(x_i, x_j) ) over pairs drawn with replacement along traversals
 *   (Michlo et al. 2023; ties ranked by average rank, distances rounded to 6 significant digits first,
 *   exactly as analyze), with d = d_base + α·d_aug for the loss base + kernel@α.
 *
 * Plain typed arrays, no tensors: the search filters thousands of images per candidate filter.
 */
import type { GroundTruthDataset } from '../data/types.js';
import { filterImage, type LinearKernel } from '../losses/filter.js';
import { Rng } from '../util/rng.js';
import { perceivedDefaults } from './defaults.js';

/** The pixel losses the search composes (their `imageElementwise` of losses/base.ts, averaged over H, W, C). */
export type PixelLoss = 'mse' | 'mae' | 'bce';

// bce's clip of the prediction to [ε, 1 − ε], ε = 1e-6, as the float32 tensors of losses/base.ts hold it: in
// float32 1 − ε is 1 − 1.013e-6, and −log of that differs from −log ε by 0.1% — enough to order ties differently
const P_LO = Math.fround(1e-6);
const P_HI = Math.fround(1 - 1e-6);

export interface CellSamplingOptions {
  traversals?: number;
  pairs?: number;
  randomPairs?: number;
  maxTraversalLength?: number;
  seed?: number;
}

/** One factor's traversals and the cells its sampled pairs fall on. */
export interface FactorCells {
  name: string;
  index: number;
  values: number[];
  /** Rendered traversal images, [T·L, H, W, C]. */
  images: Float32Array;
  /** The cells (t·L² + i·L + j) with at least one sampled pair, their counts, and the ground truth's average ranks. */
  cells: Int32Array;
  counts: Float64Array;
  gtRanks: Float64Array;
}

/** Per-cell distances of one factor, length T·L·L (0 on the diagonal, as analyze leaves it). */
export type CellDistances = Float64Array[];

/** Perceived distances of a pixel loss between images `a` (at ao) and `b` (at bo), averaged over `size` values. */
function pixelDistance(
  loss: PixelLoss,
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  size: number,
  logs?: { lp: Float32Array; lq: Float32Array },
): number {
  let s = 0;
  if (loss === 'mse')
    for (let k = 0; k < size; k++) {
      const d = a[ao + k] - b[bo + k];
      s += d * d;
    }
  else if (loss === 'mae') for (let k = 0; k < size; k++) s += Math.abs(a[ao + k] - b[bo + k]);
  else if (logs) {
    // −[a·log p + (1 − a)·log(1 − p)], p = clip(b): the logs of b precomputed once per image
    for (let k = 0; k < size; k++) s -= a[ao + k] * logs.lp[bo + k] + (1 - a[ao + k]) * logs.lq[bo + k];
  } else
    for (let k = 0; k < size; k++) {
      const p = Math.min(P_HI, Math.max(P_LO, b[bo + k]));
      s -= a[ao + k] * Math.log(p) + (1 - a[ao + k]) * Math.log(1 - p);
    }
  return s / size;
}

/** Average ranks (1-based) of values repeated `counts` times, for the cells in `order` (sorted by value). */
function weightedRanks(values: Float64Array, counts: Float64Array, order: Uint32Array, out: Float64Array): void {
  let start = 0;
  for (let a = 0; a < order.length;) {
    let b = a,
      n = 0;
    const v = values[order[a]];
    while (b < order.length && values[order[b]] === v) n += counts[order[b++]];
    const r = start + (n + 1) / 2;
    for (let k = a; k < b; k++) out[order[k]] = r;
    start += n;
    a = b;
  }
}

/** Pearson correlation of x and y with weights w (the correlation of the arrays each value repeated w times). */
function weightedPearson(x: Float64Array, y: Float64Array, w: Float64Array): number {
  let sw = 0,
    sx = 0,
    sy = 0;
  for (let i = 0; i < x.length; i++) {
    sw += w[i];
    sx += w[i] * x[i];
    sy += w[i] * y[i];
  }
  const mx = sx / sw,
    my = sy / sw;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - mx,
      dy = y[i] - my;
    sxy += w[i] * dx * dy;
    sxx += w[i] * dx * dx;
    syy += w[i] * dy * dy;
  }
  // the same tolerance as metrics/stats.ts's pearson: constant data has no correlation
  if (sxx <= 1e-24 * Math.max(1, mx * mx) * sw || syy <= 1e-24 * Math.max(1, my * my) * sw) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

const round6 = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(6)));

/**
 * A dataset's traversals and pairs sampled as `analyze` samples them, ready to score any loss base + kernel@α.
 * Factors with a single value are skipped (analyze reports no correlation for them).
 */
export class PerceivedCells {
  readonly factors: FactorCells[] = [];
  readonly skipped: string[] = [];
  readonly shape: readonly [number, number, number];
  /** Random pairs of the whole dataset (for the loss's scale): images a and b, [N, H, W, C] each. */
  readonly randomA: Float32Array;
  readonly randomB: Float32Array;
  readonly traversals: number;
  readonly pairs: number;
  readonly randomPairs: number;
  private readonly tmp: Float32Array;
  private readonly filtered: Float32Array;
  private readonly filteredB: Float32Array;

  constructor(
    readonly ds: GroundTruthDataset,
    options: CellSamplingOptions = {},
  ) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    const o = { ...perceivedDefaults, randomPairs: 256, ...given };
    this.traversals = o.traversals;
    this.pairs = o.pairs;
    this.randomPairs = o.randomPairs;
    this.shape = ds.obsShape;
    const D = this.shape[0] * this.shape[1] * this.shape[2];
    const rng = new Rng(o.seed);
    let maxImages = 0;
    ds.factors.forEach((f, k) => {
      const values =
        f.size <= o.maxTraversalLength
          ? Array.from({ length: f.size }, (_, i) => i)
          : Array.from({ length: o.maxTraversalLength }, (_, i) =>
              Math.round((i * (f.size - 1)) / (o.maxTraversalLength - 1)),
            );
      const L = values.length;
      if (L < 2) {
        this.skipped.push(f.name);
        return;
      }
      // the draws of analyze's factorTraversalDistances and of its pairs, in the same order from the same forks
      const frng = rng.fork(`factor:${k}`);
      const T = o.traversals;
      const images = new Float32Array(T * L * D);
      for (let t = 0; t < T; t++) {
        const start = ds.stateSpace.sampleFactors(1, frng);
        for (let v = 0; v < L; v++) {
          start[k] = values[v];
          ds.renderInto(ds.stateSpace.toIndex(start), images, (t * L + v) * D);
        }
      }
      maxImages = Math.max(maxImages, T * L);
      const prng = frng.fork('pairs');
      const all = new Float64Array(T * L * L);
      for (let p = 0; p < o.pairs; p++) {
        const t = prng.int(T);
        const i = prng.int(L);
        const j = prng.int(L);
        all[(t * L + i) * L + j] += 1;
      }
      const cellList: number[] = [];
      for (let c = 0; c < all.length; c++) if (all[c] > 0) cellList.push(c);
      const cells = Int32Array.from(cellList);
      const counts = Float64Array.from(cellList, (c) => all[c]);
      const gt = Float64Array.from(cellList, (c) => {
        const i = Math.floor(c / L) % L,
          j = c % L;
        return Math.abs(values[i] - values[j]);
      });
      const gtRanks = new Float64Array(cells.length);
      weightedRanks(gt, counts, sortedOrder(gt), gtRanks);
      this.factors.push({ name: f.name, index: k, values, images, cells, counts, gtRanks });
    });
    // analyze's random-pair baseline: the same fork and batches
    const rrng = rng.fork('random-pairs');
    const N = o.randomPairs;
    this.randomA = new Float32Array(N * D);
    this.randomB = new Float32Array(N * D);
    const batch = Math.min(o.batchPairs, N);
    for (let p0 = 0; p0 < N; p0 += batch) {
      const n = Math.min(batch, N - p0);
      const ia = ds.stateSpace.sampleIndices(n, rrng);
      const ib = ds.stateSpace.sampleIndices(n, rrng);
      for (let k = 0; k < n; k++) {
        ds.renderInto(ia[k], this.randomA, (p0 + k) * D);
        ds.renderInto(ib[k], this.randomB, (p0 + k) * D);
      }
    }
    this.tmp = new Float32Array(D);
    this.filtered = new Float32Array(Math.max(maxImages, N) * D);
    this.filteredB = new Float32Array(N * D);
  }

  /** Images per candidate filter (all traversals and both sides of the random pairs). */
  get imagesPerFilter(): number {
    return this.factors.reduce((s, f) => s + f.images.length, 0) / this.imageSize + 2 * this.randomPairs;
  }

  private get imageSize(): number {
    return this.shape[0] * this.shape[1] * this.shape[2];
  }

  private filterAll(src: Float32Array, n: number, kernel: LinearKernel | null): Float32Array {
    if (!kernel) return src;
    const [h, w, c] = this.shape;
    const D = h * w * c;
    for (let m = 0; m < n; m++) filterImage(src, m * D, h, w, c, kernel, this.filtered, m * D, this.tmp);
    return this.filtered;
  }

  /**
   * Distances under `loss` of every sampled cell of every factor, and the mean over the random pairs, between
   * the images filtered by `kernel` (null: the images themselves, the base term).
   */
  distances(loss: PixelLoss, kernel: LinearKernel | null): { cells: CellDistances; random: number } {
    const D = this.imageSize;
    const symmetric = loss !== 'bce';
    const cells = this.factors.map((f) => {
      const L = f.values.length;
      const T = f.images.length / (L * D);
      const x = this.filterAll(f.images, T * L, kernel);
      const logs = loss === 'bce' ? bceLogs(x, T * L * D) : undefined;
      const out = new Float64Array(T * L * L);
      // only traversals with a sampled cell are needed; analyze computes them all, the counts make it the same
      const needed = new Uint8Array(T);
      for (const c of f.cells) needed[Math.floor(c / (L * L))] = 1;
      for (let t = 0; t < T; t++) {
        if (!needed[t]) continue;
        for (let i = 0; i < L; i++)
          for (let j = symmetric ? i + 1 : 0; j < L; j++) {
            if (i === j) continue;
            const d = pixelDistance(loss, x, (t * L + i) * D, x, (t * L + j) * D, D, logs);
            out[(t * L + i) * L + j] = d;
            if (symmetric) out[(t * L + j) * L + i] = d;
          }
      }
      return out;
    });
    const N = this.randomPairs;
    const a = this.filterAll(this.randomA, N, kernel);
    let b = this.randomB;
    if (kernel) {
      const [h, w, c] = this.shape;
      b = this.filteredB;
      for (let m = 0; m < N; m++) filterImage(this.randomB, m * D, h, w, c, kernel, b, m * D, this.tmp);
    }
    const logs = loss === 'bce' ? bceLogs(b, N * D) : undefined;
    let s = 0;
    for (let p = 0; p < N; p++) s += pixelDistance(loss, a, p * D, b, p * D, D, logs);
    return { cells, random: N ? s / N : NaN };
  }

  /**
   * Spearman rank correlation per factor (in `factors` order) of ground truth and d_base + α·d_aug
   * (d_aug null: the base loss alone).
   */
  rankCorrelations(base: CellDistances, aug: CellDistances | null, alpha: number): number[] {
    return this.factors.map((f, k) => {
      const n = f.cells.length;
      const v = new Float64Array(n);
      const b = base[k],
        g = aug?.[k];
      for (let m = 0; m < n; m++) {
        const c = f.cells[m];
        v[m] = round6(g ? b[c] + alpha * g[c] : b[c]);
      }
      const ranks = new Float64Array(n);
      weightedRanks(v, f.counts, sortedOrder(v), ranks);
      return weightedPearson(f.gtRanks, ranks, f.counts);
    });
  }

  /** Traversal matrix of a factor averaged over traversals (L×L row-major), as analyze's `matrix`. */
  meanMatrix(k: number, base: CellDistances, aug: CellDistances | null, alpha: number): Float64Array {
    const L = this.factors[k].values.length;
    const all = base[k];
    const T = all.length / (L * L);
    const m = new Float64Array(L * L);
    for (let t = 0; t < T; t++)
      for (let c = 0; c < L * L; c++) m[c] += (all[t * L * L + c] + (aug ? alpha * aug[k][t * L * L + c] : 0)) / T;
    return m;
  }
}

function bceLogs(x: Float32Array, n: number): { lp: Float32Array; lq: Float32Array } {
  const lp = new Float32Array(n),
    lq = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const p = Math.min(P_HI, Math.max(P_LO, x[k]));
    lp[k] = Math.log(p);
    lq[k] = Math.log(1 - p);
  }
  return { lp, lq };
}

function sortedOrder(v: Float64Array): Uint32Array {
  const order = new Uint32Array(v.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => v[a] - v[b]);
}
