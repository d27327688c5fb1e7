import { Rng } from '../../util/rng.js';
/**
 * Gradient-boosted decision trees for classification, matching the common defaults (scikit-learn's
 * GradientBoostingClassifier): 100 stages, depth-3 regression trees, learning rate 0.1, multinomial
 * deviance (one tree per class per stage; binomial deviance with one tree for two classes), Friedman-MSE
 * split gain, min_samples_leaf 1, leaves set by one Newton step, initial scores = log class priors.
 * Impurity-based feature importances as scikit-learn averages them (unnormalised per tree, mean over trees,
 * normalised to sum 1).
 *
 * Splits are exact, as scikit-learn's 'best' splitter finds them: every boundary between distinct values
 * (closer than 1e-7 counts as equal) is a candidate, the threshold is the midpoint of the two values next
 * to it in the node. Speed comes from sorting each feature once per data set instead of once per node
 * (see TreeGrower), from skipping the stretches of a scan that cannot hold the best split, and from threads
 * that share each stage's trees (GbtTeam).
 */
export interface GbtOptions {
  nEstimators?: number;
  /** At most 16 (trees are stored as complete binary trees). */
  maxDepth?: number;
  learningRate?: number;
  /** Seed for breaking ties between equally good splits (scikit-learn shuffles features per split). */
  seed?: number;
}

export interface GbtModel {
  classes: number[];
  /** Importances per feature (sum 1, or all 0 when no tree split). */
  featureImportances: Float64Array;
  predict(X: ArrayLike<number>, n: number): Int32Array;
  /** Predictions on the training data (from the boosted scores, no second pass). */
  trainPredictions: Int32Array;
  /** Predictions on `evalCodes` when the fit was given them (a team shares this work). */
  evalPredictions?: Int32Array;
}

/** Each feature sorted once; shared by every tree (and by every model fitted on the same X). */
export interface SortedFeatures {
  n: number;
  d: number;
  /** Per feature j, at [j·n + p]: the sample at position p of the ascending order (ties by index). */
  order: Int32Array;
  /** Per feature j, at [j·n + i]: the rank of sample i's distinct value (values within 1e-7 share one). */
  rankOf: Int32Array;
  /** Per feature: number of distinct values (a feature with one cannot split). */
  distinct: Int32Array;
}

/** scikit-learn's trees never split between values closer than this (FEATURE_THRESHOLD). */
const FEATURE_THRESHOLD = 1e-7;
/** Nodes with at most this impurity are leaves (scikit-learn's EPSILON, DBL_EPSILON). */
const EPSILON = 2.220446049250313e-16;

export function presortFeatures(X: ArrayLike<number>, n: number, d: number): SortedFeatures {
  const order = new Int32Array(d * n),
    rankOf = new Int32Array(d * n);
  const distinct = new Int32Array(d);
  const col = new Float64Array(n);
  const idx = new Int32Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) {
      col[i] = X[i * d + j];
      idx[i] = i;
    }
    idx.sort((a, b) => col[a] - col[b] || a - b);
    let rank = 0;
    for (let p = 0; p < n; p++) {
      const i = idx[p];
      if (p > 0 && col[i] > col[idx[p - 1]] + FEATURE_THRESHOLD) rank++;
      order[j * n + p] = i;
      rankOf[j * n + i] = rank;
    }
    distinct[j] = n > 0 ? rank + 1 : 0;
  }
  return { n, d, order, rankOf, distinct };
}

/**
 * One fitted tree, stored as a complete binary tree: node k has children 2k+1 (value ≤ threshold) and
 * 2k+2; feature −1 marks a leaf.
 */
interface Trees {
  feature: Int32Array;
  threshold: Float64Array;
  value: Float64Array;
  size: number;
}

/** The arrays a fit writes; shared memory when several threads fit one model together. */
export interface GbtBuffers {
  /** Scores and probabilities, class-major (row t: class t's n samples). */
  F: Float64Array;
  p: Float64Array;
  feature: Int32Array;
  threshold: Float64Array;
  value: Float64Array;
  /** Per tree: its unnormalised impurity decrease per feature. */
  treeImportance: Float64Array;
  /** Scores of the evaluation samples, class-major. */
  evalScore: Float64Array;
  /** Per class and node: the feature it split on in the class's last tree (−1: none yet); orders the scans. */
  hints: Int32Array;
  /** Per stage: the next class whose tree a thread may take. */
  claims: Int32Array;
}

/** Classes (sorted) and the number of trees per stage (one for two classes) of labels y. */
export function gbtShape(y: Int32Array): { classes: number[]; trees: number } {
  const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
  return { classes, trees: classes.length === 2 ? 1 : classes.length };
}

export function gbtBuffers(
  n: number,
  d: number,
  T: number,
  nEstimators = 100,
  maxDepth = 3,
  shared = false,
  nEval = 0,
): GbtBuffers {
  const nodes = nEstimators * T * ((2 << maxDepth) - 1);
  const f64 = (len: number) => new Float64Array(shared ? new SharedArrayBuffer(8 * len) : new ArrayBuffer(8 * len));
  const i32 = (len: number) => new Int32Array(shared ? new SharedArrayBuffer(4 * len) : new ArrayBuffer(4 * len));
  return {
    F: f64(n * T),
    p: f64(n * T),
    feature: i32(nodes),
    threshold: f64(nodes),
    value: f64(nodes),
    treeImportance: f64(nEstimators * T * d),
    evalScore: f64(nEval * T),
    hints: i32(T * ((2 << maxDepth) - 1)).fill(-1),
    claims: i32(nEstimators),
  };
}

/**
 * Threads fitting one model together (each calls fitGradientBoosting with the same data, options and
 * `buffers`, and its own `rank`): each stage, thread r computes the probabilities of its share of the
 * samples, then the threads take the stage's trees class by class; they meet at a barrier on `sync`
 * (3 Int32 in shared memory, zeroed) after each step. The model does not depend on the number of threads.
 */
export interface GbtTeam {
  threads: number;
  rank: number;
  sync: Int32Array;
  buffers: GbtBuffers;
  /** Shared counter of helper threads whose code has loaded (dci-worker.ts adds 1); see barrier(). */
  loaded?: Int32Array;
}

export class GbtTeamAborted extends Error {}

/** Waits until every thread of the team has arrived; throws when one of them gave up (sync[2] set). */
function barrier(team: GbtTeam): void {
  const { sync, threads } = team;
  const generation = Atomics.load(sync, 1);
  if (Atomics.add(sync, 0, 1) === threads - 1) {
    Atomics.store(sync, 0, 0);
    Atomics.add(sync, 1, 1);
    Atomics.notify(sync, 1);
  } else {
    let waited = 0;
    while (Atomics.load(sync, 1) === generation) {
      if (Atomics.load(sync, 2) !== 0) throw new GbtTeamAborted('a gradient-boosting thread failed');
      // no thread takes a minute for one step: one that never arrives has died; and a helper that has
      // not even loaded its code after 5 s failed to start (its error event cannot reach this blocked thread)
      if (Atomics.wait(sync, 1, generation, 1000) === 'timed-out') {
        waited++;
        if (waited >= 60 || (waited >= 5 && team.loaded && Atomics.load(team.loaded, 0) < threads - 1)) abortTeam(team);
      }
    }
  }
  if (Atomics.load(sync, 2) !== 0) throw new GbtTeamAborted('a gradient-boosting thread failed');
}

/** Marks the team's fit as failed and wakes every thread waiting at its barrier. */
export function abortTeam(team: Pick<GbtTeam, 'sync'>): never {
  Atomics.store(team.sync, 2, 1);
  Atomics.notify(team.sync, 1);
  throw new GbtTeamAborted('a gradient-boosting thread failed');
}

export function fitGradientBoosting(
  X: ArrayLike<number>,
  n: number,
  d: number,
  y: Int32Array,
  opts: GbtOptions & { presorted?: SortedFeatures; team?: GbtTeam; evalCodes?: ArrayLike<number>; nEval?: number } = {},
): GbtModel {
  const nEst = opts.nEstimators ?? 100,
    depth = opts.maxDepth ?? 3,
    lr = opts.learningRate ?? 0.1;
  if (!(depth >= 1 && depth <= 16)) throw new RangeError(`gradient boosting: maxDepth must be 1…16, got ${depth}`);
  const { classes, trees: T } = gbtShape(y); // binomial deviance: one tree on the positive class
  const K = classes.length;
  if (K === 1) {
    const evalPredictions = opts.evalCodes ? new Int32Array(opts.nEval ?? 0).fill(classes[0]) : undefined;
    return {
      classes,
      featureImportances: new Float64Array(d),
      predict: (_X, m) => new Int32Array(m).fill(classes[0]),
      trainPredictions: new Int32Array(n).fill(classes[0]),
      evalPredictions,
    };
  }
  const team = opts.team,
    threads = team?.threads ?? 1,
    rank = team?.rank ?? 0;
  const sync = () => {
    if (team && threads > 1) barrier(team);
  };
  const classIndex = new Map(classes.map((c, k) => [c, k]));
  const yi = Int32Array.from(y, (v) => classIndex.get(v)!);
  const sorted = opts.presorted ?? presortFeatures(X, n, d);
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) counts[yi[i]]++;
  const init = K === 2 ? [Math.log(counts[1] / counts[0])] : Array.from(counts, (c) => Math.log(c / n));
  const nEval = opts.evalCodes ? (opts.nEval ?? 0) : 0;
  const buf = team?.buffers ?? gbtBuffers(n, d, T, nEst, depth, false, nEval);
  const { F, p, treeImportance } = buf;
  const size = (2 << depth) - 1;
  const trees: Trees = { feature: buf.feature, threshold: buf.threshold, value: buf.value, size };
  const grower = new TreeGrower(X, sorted, depth);
  const { residual, prob } = grower;
  const { hints, claims } = buf;
  const mx = new Float64Array(n),
    z = new Float64Array(n);
  const lo = Math.floor((rank * n) / threads),
    hi = Math.floor(((rank + 1) * n) / threads); // this thread's samples
  for (let t = 0; t < T; t++) F.fill(init[t], t * n + lo, t * n + hi);

  for (let stage = 0; stage < nEst; stage++) {
    // class probabilities from the current scores (softmax over the rows, row by row)
    if (T === 1) for (let i = lo; i < hi; i++) p[i] = 1 / (1 + Math.exp(-F[i]));
    else {
      mx.fill(-Infinity, lo, hi);
      z.fill(0, lo, hi);
      for (let o = 0; o < n * T; o += n) for (let i = lo; i < hi; i++) if (F[o + i] > mx[i]) mx[i] = F[o + i];
      for (let o = 0; o < n * T; o += n)
        for (let i = lo; i < hi; i++) {
          const e = Math.exp(F[o + i] - mx[i]);
          p[o + i] = e;
          z[i] += e;
        }
      for (let o = 0; o < n * T; o += n) for (let i = lo; i < hi; i++) p[o + i] /= z[i];
    }
    sync();
    // each thread takes the stage's next class until none is left (the fastest thread takes more)
    for (let t = Atomics.add(claims, stage, 1); t < T; t = Atomics.add(claims, stage, 1)) {
      const target = T === 1 ? 1 : t,
        o = t * n,
        tr = stage * T + t,
        at = tr * size;
      for (let i = 0; i < n; i++) {
        const pi = p[o + i];
        prob[i] = pi;
        residual[i] = (yi[i] === target ? 1 : 0) - pi;
      }
      treeImportance.fill(0, tr * d, (tr + 1) * d);
      // a tie-breaking stream per tree: the same draws whichever thread grows it
      const rng = new Rng(`${opts.seed ?? 0}/${tr}`);
      grower.grow(trees, at, treeImportance, tr * d, T === 1 ? 1 : (K - 1) / K, hints, t * size, rng);
      const leaf = grower.node,
        value = trees.value;
      for (let i = 0; i < n; i++) F[o + i] += lr * value[at + leaf[i]];
    }
    sync();
  }
  // importances summed in tree order (so that they do not depend on the threads); trees that did not
  // split are left out of the mean, as scikit-learn does
  const importanceSum = new Float64Array(d);
  let relevantTrees = 0;
  for (let tr = 0; tr < nEst * T; tr++) {
    if (trees.feature[tr * size] < 0) continue;
    relevantTrees++;
    for (let j = 0; j < d; j++) importanceSum[j] += treeImportance[tr * d + j];
  }
  const imp = new Float64Array(d);
  let total = 0;
  for (let j = 0; j < d; j++) {
    imp[j] = relevantTrees ? importanceSum[j] / relevantTrees : 0;
    total += imp[j];
  }
  if (total > 0) for (let j = 0; j < d; j++) imp[j] /= total;

  const decide = (score: Float64Array, m: number, i: number) => {
    if (T === 1) return classes[score[i] > 0 ? 1 : 0];
    let best = 0;
    for (let t = 1; t < T; t++) if (score[t * m + i] > score[best * m + i]) best = t;
    return classes[best];
  };
  // For prediction every tree is made complete: a leaf above the last level becomes a chain of nodes that
  // always go left (threshold +∞) ending in a leaf with its value, so each sample takes exactly `depth` steps.
  const inner = (1 << depth) - 1;
  const cf = new Int32Array(nEst * T * inner),
    ct = new Float64Array(nEst * T * inner),
    cv = new Float64Array(nEst * T * (inner + 1));
  const leafOf = new Int32Array(size); // the first leaf on the path from the root to each node, or −1
  for (let tr = 0; tr < nEst * T; tr++) {
    const at = tr * size;
    for (let k = 0; k < size; k++) {
      const up = k > 0 ? leafOf[(k - 1) >> 1] : -1;
      leafOf[k] = up >= 0 ? up : trees.feature[at + k] < 0 ? k : -1;
      if (k < inner) {
        cf[tr * inner + k] = leafOf[k] >= 0 ? 0 : trees.feature[at + k];
        ct[tr * inner + k] = leafOf[k] >= 0 ? Infinity : trees.threshold[at + k];
      } else cv[tr * (inner + 1) + k - inner] = trees.value[at + leafOf[k]];
    }
  }
  /** Scores (class-major, m per class) of samples lo … hi−1 of Xp (m × d). */
  const scores = (Xp: ArrayLike<number>, m: number, lo: number, hi: number, score: Float64Array) => {
    // Tree by tree over a column-major copy of the codes: columns are read in order.
    const cols = new Float64Array(m * d);
    for (let i = lo; i < hi; i++) for (let j = 0; j < d; j++) cols[j * m + i] = Xp[i * d + j];
    for (let t = 0; t < T; t++) score.fill(init[t], t * m + lo, t * m + hi);
    for (let st = 0; st < nEst; st++) {
      for (let t = 0; t < T; t++) {
        const tr = st * T + t,
          fo = tr * inner,
          vo = tr * (inner + 1),
          so = t * m;
        let i = lo;
        for (; i + 4 <= hi; i += 4) {
          // four samples at once: four independent chains of dependent loads
          let k0 = 0,
            k1 = 0,
            k2 = 0,
            k3 = 0;
          for (let l = 0; l < depth; l++) {
            k0 = 2 * k0 + 2 - +(cols[cf[fo + k0] * m + i] <= ct[fo + k0]);
            k1 = 2 * k1 + 2 - +(cols[cf[fo + k1] * m + i + 1] <= ct[fo + k1]);
            k2 = 2 * k2 + 2 - +(cols[cf[fo + k2] * m + i + 2] <= ct[fo + k2]);
            k3 = 2 * k3 + 2 - +(cols[cf[fo + k3] * m + i + 3] <= ct[fo + k3]);
          }
          score[so + i] += lr * cv[vo + k0 - inner];
          score[so + i + 1] += lr * cv[vo + k1 - inner];
          score[so + i + 2] += lr * cv[vo + k2 - inner];
          score[so + i + 3] += lr * cv[vo + k3 - inner];
        }
        for (; i < hi; i++) {
          let k = 0;
          for (let l = 0; l < depth; l++) k = 2 * k + (cols[cf[fo + k] * m + i] <= ct[fo + k] ? 1 : 2);
          score[so + i] += lr * cv[vo + k - inner];
        }
      }
    }
  };
  const predict = (Xp: ArrayLike<number>, m: number): Int32Array => {
    const score = new Float64Array(m * T);
    scores(Xp, m, 0, m, score);
    return Int32Array.from({ length: m }, (_, i) => decide(score, m, i));
  };
  const trainPredictions = new Int32Array(n);
  for (let i = 0; i < n; i++) trainPredictions[i] = decide(F, n, i);
  let evalPredictions: Int32Array | undefined;
  if (opts.evalCodes) {
    // each thread scores its share of the evaluation samples
    scores(
      opts.evalCodes,
      nEval,
      Math.floor((rank * nEval) / threads),
      Math.floor(((rank + 1) * nEval) / threads),
      buf.evalScore,
    );
    sync();
    evalPredictions = Int32Array.from({ length: nEval }, (_, i) => decide(buf.evalScore, nEval, i));
  }
  return { classes, featureImportances: imp, predict, trainPredictions, evalPredictions };
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
class TreeGrower {
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
  // result of scanRange
  private scanProxy = -1;
  private scanAt = -1;
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
    const { n, d, residual: r, node, start, cnt, sum, sum2, splitFeature, splitAt, ints, goRightOff: gOff, X } = this;
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
          this.scanRange(j, a, c, sum[s], floor);
          if (this.scanAt < 0) continue;
          // scikit-learn takes the first strictly better split over features in a random order: exact ties
          // (duplicated codes) are broken uniformly at random
          const g = this.scanProxy / c;
          const tol = 1e-9 * Math.max(1, bestGain);
          if (splitFeature[s] < 0 || g > bestGain + tol) {
            bestGain = g;
            splitFeature[s] = j;
            splitAt[s] = this.scanAt;
            ties = 1;
          } else if (g >= bestGain - tol && rng.int(++ties) === 0) {
            splitFeature[s] = j;
            splitAt[s] = this.scanAt;
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

  /**
   * The best boundary in feature j's range of a node (c samples from list position a, residual sum
   * total): the largest Friedman proxy (n_R·Σ_L − n_L·Σ_R)² / (n_L·n_R) above `floor`, the first one on
   * ties, as scanProxy and scanAt (the number of samples going left; −1 when none beats `floor`).
   *
   * Pruned by blocks of 32 samples: with D = c·Σ_L − total·n_L, every boundary in a block has
   * |D| ≤ |D at its start| + Σ_block |c·r − total| and n_L·n_R ≥ its smallest value at the block's ends, so a
   * block whose bound cannot beat the best so far is passed with its sum only. The result is exact.
   */
  private scanRange(j: number, a: number, c: number, total: number, floor: number): void {
    const { ints, residual: r, n } = this;
    const idx = this.cur + j * n + a,
      rank = this.rankOfOff + j * n; // rank of sample i: ints[rank + i]
    const absTotal = Math.abs(total);
    let sl = 0,
      last = ints[rank + ints[idx]],
      best = floor,
      bestAt = -1;
    for (let q0 = 0; q0 < c; q0 += 32) {
      const q1 = Math.min(c, q0 + 32);
      // four partial sums: one running sum would wait on the latency of every addition
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0,
        q = q0;
      for (; q + 4 <= q1; q += 4) {
        const v0 = r[ints[idx + q]],
          v1 = r[ints[idx + q + 1]],
          v2 = r[ints[idx + q + 2]],
          v3 = r[ints[idx + q + 3]];
        s0 += v0;
        s1 += v1;
        s2 += v2;
        s3 += v3;
        a0 += Math.abs(v0);
        a1 += Math.abs(v1);
        a2 += Math.abs(v2);
        a3 += Math.abs(v3);
      }
      for (; q < q1; q++) {
        const v = r[ints[idx + q]];
        s0 += v;
        a0 += Math.abs(v);
      }
      const bs = s0 + s1 + (s2 + s3),
        ba = a0 + a1 + (a2 + a3);
      const qa = Math.max(q0, 1),
        qb = q1 - 1;
      const bound = Math.abs(c * sl - total * q0) + c * ba + (q1 - q0) * absTotal;
      const wMin = Math.min(qa * (c - qa), qb * (c - qb));
      // (the margin covers rounding in the bound itself)
      if (qa > qb || bound * bound * (1 + 1e-9) < best * wMin) {
        sl += bs;
        last = ints[rank + ints[idx + q1 - 1]];
        continue;
      }
      for (let q = q0; q < q1; q++) {
        const i = ints[idx + q],
          b = ints[rank + i];
        if (b !== last) {
          const diff = c * sl - total * q,
            w = q * (c - q);
          if (diff * diff > best * w) {
            best = (diff * diff) / w;
            bestAt = q;
          }
          last = b;
        }
        sl += r[i];
      }
    }
    this.scanProxy = best;
    this.scanAt = bestAt;
  }
}
