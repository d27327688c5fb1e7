/**
 * The regression trees of the gradient boosting (gbt.ts), grown level by level on lists of the samples in
 * each feature's sorted order (gbt-split.ts). One grower serves every tree of a fit.
 */
import type { Rng } from '../../util/rng.js';
import { bestSplit, type SortedFeatures, type SplitScan } from './gbt-split.js';

/** Nodes with at most this impurity are leaves (scikit-learn's EPSILON, DBL_EPSILON). */
const EPSILON = 2.220446049250313e-16;

/**
 * One fitted tree, stored as a complete binary tree: node k has children 2k+1 (value ≤ threshold) and
 * 2k+2; feature −1 marks a leaf.
 */
export interface Trees {
  feature: Int32Array;
  threshold: Float64Array;
  value: Float64Array;
  size: number;
}

/**
 * Grows depth-limited regression trees on `residual` (Friedman-MSE split gain), leaves by a Newton step
 * scale·Σr / Σp(1−p). Working buffers are allocated once and reused by every tree of a fit.
 *
 * Each feature keeps a list of the samples in its sorted order, in which every node of the current level
 * owns the same range [start, start + count). A node's split is found by one pass over
 * each feature's range with the running sums in local variables; the lists are then partitioned stably
 * (left child first) so that the children own contiguous ranges in turn.
 */
export class TreeGrower {
  readonly residual: Float64Array;
  readonly prob: Float64Array;
  /** After grow(): the leaf (node index) of each training sample. */
  readonly node: Int32Array;
  private readonly n: number;
  private readonly d: number;
  /**
   * One array holds three copies of the lists (sample indices): the global order (read by every root), and
   * two that the levels below partition into in turn; then each sample's rank per feature, and its goRight
   * flag. V8 reloads a typed array's data pointer after every store to another typed array, so a single
   * array makes the partition ≈ 2.5× faster.
   */
  private readonly ints: Uint16Array | Int32Array;
  private cur = 0;
  private next: number;
  private readonly rankOfOff: number;
  private readonly goRightOff: number;
  // per node of one level (heap order from its first node): range, count, Σr, Σr², chosen split
  private readonly start: Int32Array;
  private readonly cnt: Int32Array;
  private readonly sum: Float64Array;
  private readonly sum2: Float64Array;
  private readonly splitFeature: Int32Array;
  private readonly splitAt: Int32Array;
  /** The children's Σr and Σr² (slots 2s, 2s+1), gathered while a level splits. */
  private readonly childSum: Float64Array;
  private readonly childSum2: Float64Array;
  /** bestSplit's result, reused. */
  private readonly scan: SplitScan = { proxy: -1, at: -1 };
  // per node of the tree: Σr, Σp(1−p) of its samples when it is a leaf
  private readonly leafR: Float64Array;
  private readonly leafH: Float64Array;

  constructor(
    private readonly X: ArrayLike<number>,
    private readonly s: SortedFeatures,
    private readonly depth: number,
  ) {
    const n = s.n,
      d = s.d,
      w = 1 << depth;
    this.n = n;
    this.d = d;
    this.residual = new Float64Array(n);
    this.prob = new Float64Array(n);
    this.node = new Int32Array(n);
    // 16-bit entries when they fit: half the memory traffic in the partitions and scans
    this.ints = n <= 0xffff ? new Uint16Array(4 * n * d + n) : new Int32Array(4 * n * d + n);
    this.ints.set(s.order, 0);
    this.next = n * d;
    this.rankOfOff = 3 * n * d;
    this.ints.set(s.rankOf, this.rankOfOff);
    this.goRightOff = 4 * n * d;
    this.start = new Int32Array(w);
    this.cnt = new Int32Array(w);
    this.sum = new Float64Array(w);
    this.sum2 = new Float64Array(w);
    this.splitFeature = new Int32Array(w);
    this.splitAt = new Int32Array(w);
    this.childSum = new Float64Array(w);
    this.childSum2 = new Float64Array(w);
    this.leafR = new Float64Array(2 * w - 1);
    this.leafH = new Float64Array(2 * w - 1);
  }

  /**
   * Grows one tree into `trees` at offset `at`, adds its unnormalised impurity decreases to `importance`
   * (features from `impAt`), leaves each sample's leaf in `this.node`; `rng` breaks exact ties. `hints`
   * (from `hintAt`, one per node) holds the feature each node split on last time, updated here: it orders
   * the scans (so it is part of the deterministic state: it decides the order in which exact ties are met).
   */
  grow(
    trees: Trees,
    at: number,
    importance: Float64Array,
    impAt: number,
    scale: number,
    hints: Int32Array,
    hintAt: number,
    rng: Rng,
  ): void {
    const {
      n,
      d,
      residual: r,
      node,
      start,
      cnt,
      sum,
      sum2,
      splitFeature,
      splitAt,
      ints,
      goRightOff: gOff,
      X,
      scan,
    } = this;
    const { distinct } = this.s;
    const { feature, threshold, value } = trees;
    for (let k = 0; k < trees.size; k++) {
      feature[at + k] = -1;
      threshold[at + k] = 0;
      value[at + k] = 0;
    }
    this.cur = 0;
    this.next = n * d;
    let s0 = 0,
      s2 = 0;
    for (let i = 0; i < n; i++) {
      s0 += r[i];
      s2 += r[i] * r[i];
    }
    start[0] = 0;
    cnt[0] = n;
    sum[0] = s0;
    sum2[0] = s2;
    for (let level = 0; level < this.depth; level++) {
      const width = 1 << level,
        base = width - 1; // this level's nodes: base … base+width−1 (heap order)
      const idx = this.cur; // list entry q of the current lists: sample ints[idx + q]
      let anySplit = false;
      for (let s = 0; s < width; s++) {
        splitFeature[s] = -1;
        const a = start[s],
          c = cnt[s];
        // a node splits only with ≥ 2 samples and impurity above EPSILON, as scikit-learn decides
        if (c < 2 || !(sum2[s] / c - (sum[s] / c) ** 2 > EPSILON)) {
          for (let q = a; q < a + c; q++) node[ints[idx + q]] = base + s; // its samples' leaf (any feature's list)
          continue;
        }
        let bestGain = -1,
          ties = 0;
        // the feature that split this node in the class's previous tree first: its gain lets the scans of
        // the others skip most blocks
        const first = hints[hintAt + base + s];
        for (let jj = -1; jj < d; jj++) {
          const j = jj < 0 ? first : jj;
          if (j < 0 || (jj >= 0 && j === first) || distinct[j] < 2) continue;
          // only a gain within the tie tolerance of the best so far matters
          const floor = splitFeature[s] < 0 ? -1 : (bestGain - 1e-9 * Math.max(1, bestGain)) * c;
          bestSplit(ints, r, idx + j * n + a, this.rankOfOff + j * n, c, sum[s], floor, scan);
          if (scan.at < 0) continue;
          // scikit-learn takes the first strictly better split over features in a random order: exact ties
          // (duplicated codes) are broken uniformly at random
          const g = scan.proxy / c;
          const tol = 1e-9 * Math.max(1, bestGain);
          if (splitFeature[s] < 0 || g > bestGain + tol) {
            bestGain = g;
            splitFeature[s] = j;
            splitAt[s] = scan.at;
            ties = 1;
          } else if (g >= bestGain - tol && rng.int(++ties) === 0) {
            splitFeature[s] = j;
            splitAt[s] = scan.at;
          }
        }
        const f = splitFeature[s];
        if (f < 0) {
          for (let q = a; q < a + c; q++) node[ints[idx + q]] = base + s;
          continue;
        }
        hints[hintAt + base + s] = f;
        anySplit = true;
        // the children: left = the first splitAt samples of feature f's range
        const o = idx + f * n + a,
          m = splitAt[s];
        let ls = 0,
          ls2 = 0;
        for (let q = 0; q < m; q++) {
          const i = ints[o + q],
            v = r[i];
          ls += v;
          ls2 += v * v;
          ints[gOff + i] = 0;
        }
        for (let q = m; q < c; q++) ints[gOff + ints[o + q]] = 1;
        const k = at + base + s;
        feature[k] = f;
        // the midpoint of the neighbouring values, computed as scikit-learn does
        const lo = X[ints[o + m - 1] * d + f],
          hi = X[ints[o + m] * d + f];
        let th = lo / 2 + hi / 2;
        if (th === hi || !Number.isFinite(th)) th = lo;
        threshold[k] = th;
        const impurity = (c: number, s1: number, s2: number) => s2 - (s1 * s1) / c; // c · variance
        const rs = sum[s] - ls,
          rs2 = sum2[s] - ls2;
        importance[impAt + f] += (impurity(c, sum[s], sum2[s]) - impurity(m, ls, ls2) - impurity(c - m, rs, rs2)) / n;
        this.childSum[2 * s] = ls;
        this.childSum[2 * s + 1] = rs;
        this.childSum2[2 * s] = ls2;
        this.childSum2[2 * s + 1] = rs2;
      }
      if (!anySplit) break;
      if (level === this.depth - 1) {
        // the children are leaves
        for (let s = 0; s < width; s++) {
          const f = splitFeature[s];
          if (f < 0) continue;
          const o = idx + f * n + start[s],
            m = splitAt[s],
            left = 2 * (base + s) + 1;
          for (let q = 0; q < cnt[s]; q++) node[ints[o + q]] = left + (q < m ? 0 : 1);
        }
        break;
      }
      // partition every feature's range of each split node, stably, left child first
      for (let s = 0; s < width; s++) {
        if (splitFeature[s] < 0) continue;
        for (let j = 0; j < d; j++) {
          const o = j * n + start[s];
          // the split feature's own list is already in order: left child first
          if (j === splitFeature[s]) ints.copyWithin(this.next + o, this.cur + o, this.cur + o + cnt[s]);
          else this.partition(o, cnt[s], splitAt[s]);
        }
      }
      this.cur = this.next;
      this.next = this.cur === n * d ? 2 * n * d : n * d;
      // next level's nodes, in heap order (slots of unsplit nodes stay empty)
      for (let s = width - 1; s >= 0; s--) {
        const a = start[s],
          c = cnt[s],
          m = splitAt[s],
          split = splitFeature[s] >= 0;
        start[2 * s] = a;
        cnt[2 * s] = split ? m : 0;
        start[2 * s + 1] = a + m;
        cnt[2 * s + 1] = split ? c - m : 0;
      }
      sum.set(this.childSum.subarray(0, 2 * width));
      sum2.set(this.childSum2.subarray(0, 2 * width));
    }
    // leaves: one Newton step each
    const { leafR, leafH, prob } = this;
    leafR.fill(0);
    leafH.fill(0);
    for (let i = 0; i < n; i++) {
      const k = node[i],
        pi = prob[i];
      leafR[k] += r[i];
      leafH[k] += pi * (1 - pi);
    }
    for (let k = 0; k < trees.size; k++)
      if (feature[at + k] < 0) value[at + k] = leafH[k] > 1e-150 ? (scale * leafR[k]) / leafH[k] : 0;
  }

  /** Stable partition of c list entries from position o by goRight (m go left), into the other lists. */
  private partition(o: number, c: number, m: number): void {
    const { ints, goRightOff: g0 } = this;
    const from = this.cur + o,
      to = this.next + o;
    let lp = to,
      rp = to + m;
    for (let q = from, end = from + c; q < end; q++) {
      const i = ints[q],
        g = ints[g0 + i]; // branch-free: the side is unpredictable
      ints[lp + g * (rp - lp)] = i;
      lp += 1 - g;
      rp += g;
    }
  }
}
