/**
 * Loss design: search the reconstruction loss whose perceived distances follow a dataset's factors
 * (Michlo et al., IJCAI 2023, searched rather than hand-made). Search space: a base pixel loss (weight 1,
 * which pins perfect reconstruction as the unique minimum) plus one augment α·base(k∗a, k∗b), α ≥ 0, k a
 * linear filter of a kernel family of the loss grammar (src/losses/kernels/): box, Gaussian, pyramid,
 * difference of Gaussians on a size grid, and a free separable kernel learned by gradient from the best of
 * the grid (design-learn.ts).
 *
 *   score(loss) = min over factors of ρ_f,  ρ_f = Spearman(|v_i − v_j|, d_loss(x_i, x_j)) along traversals,
 *   computed exactly as `analyze` computes its rank correlation (same traversals and pairs from the same seed),
 *   so that `analyze --loss <spec>` confirms a candidate's score. The mean over factors is reported beside it.
 *
 * Cost: every image rendered once; each filter applied once per image; d = d_base + α·d_aug with d_base and
 * d_aug computed once per pair and filter, so every α of the grid is free.
 *
 * Scale and β: an augment multiplies the loss's magnitude by s = mean d_loss / mean d_base over random pairs.
 * The ELBO's balance is s·L_base + β·KL = s·(L_base + (β/s)·KL): a loss s times larger acts like β divided
 * by s. To keep the balance a user found with the base loss (β_base), train with β = β_base·s.
 */
import type { GroundTruthDataset } from '../data/types.js';
import { kernels } from '../losses/registry.js';
import { formatNumber, type KernelInstance } from '../losses/kernels/define.js';
import { UserError, listChoices } from '../util/errors.js';
import { PerceivedCells, type CellDistances, type PixelLoss } from './perceived-cells.js';
import { learnSeparableKernel } from './design-learn.js';

/** Base losses by the names the command takes (l1 is the grammar's mae). */
export const designBases: Record<string, PixelLoss> = { mse: 'mse', bce: 'bce', l1: 'mae', mae: 'mae' };

/** The α grid: 10^(k/4) from 0.1 to 10⁵ (25 weights). */
export const defaultAlphas: readonly number[] = Array.from({ length: 25 }, (_, k) =>
  Number((10 ** ((k - 4) / 4)).toPrecision(3)),
);

/** The paper's hand-made augment (Michlo et al.): a box blur of radius 31, weight 63² = 3969. */
export const paperAugment = { kernel: 'box31', alpha: 3969 } as const;

export interface DesignOptions {
  /** Base pixel loss: mse, bce or l1 (default mse). */
  base?: string;
  /** Kernel families to search (default: every registered family). */
  families?: string[];
  /** Seconds for the whole search (default 300). Stops before a filter that would not fit. */
  timeSeconds?: number;
  /** At most this many candidates (default unlimited). */
  budget?: number;
  /** analyze's sampling (defaults: analyze's, except 256 random pairs for the scale). */
  traversals?: number;
  pairs?: number;
  randomPairs?: number;
  maxTraversalLength?: number;
  seed?: number;
  /** The α grid (default `defaultAlphas`). */
  alphas?: readonly number[];
  /** β a user trains with under the base loss; each candidate's β is this × its scale (default 1). */
  betaBase?: number;
  /**
   * The smallest share of the loss (over random pairs) the augment must carry, 1 − 1/scale (default 0.5: at least as
   * much as the base term). Why: the rank score cannot choose α where the base loss is constant across pairs
   * (XYSquares at spacing 8 under MSE): every α > 0 then orders the values the same, and ranking ties by the smaller
   * scale picked α = 0.1, an augment of 0.03 % of the loss whose gradient the base term swamps in training.
   */
  minShare?: number;
  /** Gradient steps for the free separable kernel, at most (default 400; the time limit may stop it first; 0: none). */
  learnSteps?: number;
  /** Called after each filter (and each learning step) with the count so far. */
  onProgress?: (p: DesignProgress) => void;
  /** The clock (ms), for tests. */
  now?: () => number;
}

export interface DesignProgress {
  phase: 'setup' | 'grid' | 'learn';
  candidates: number;
  /** Candidates the grid holds (within the budget). */
  total: number;
  seconds: number;
  best?: DesignCandidate;
}

export interface DesignCandidate {
  /** The loss spec, accepted as is by train --loss, analyze --loss, configs, sweeps and experiments. */
  spec: string;
  /** Kernel family ('' for the base loss alone) and its size (radius; taps' radius for sep). */
  family: string;
  kernel: string;
  size: number;
  alpha: number;
  /** Worst factor's rank correlation (the score) and the mean over factors. */
  score: number;
  mean: number;
  factors: Record<string, number>;
  /** Mean perceived distance over random pairs relative to the base loss's. */
  scale: number;
  /** β to train with: betaBase × scale. */
  beta: number;
}

export interface DesignResult {
  dataset: string;
  params: Record<string, unknown>;
  base: string;
  candidates: number;
  seconds: number;
  /** True when the time limit or budget ended the search before the grid (and learning) were done. */
  partial: boolean;
  best: DesignCandidate;
  baseline: DesignCandidate;
  /** The paper's mse+box31@3969 (with this base), for comparison; not counted as a candidate. */
  paper: DesignCandidate;
  /** Every candidate, best first (ties: smaller scale, then the spec). */
  ranked: DesignCandidate[];
  /** Per family and kernel, the best score over α (for score-vs-size plots). */
  bySize: { family: string; kernel: string; size: number; score: number }[];
  /** Perceived-distance matrices (mean over traversals, L×L row-major) per factor: base, paper, best. */
  matrices: { factor: string; values: number[]; base: number[]; paper: number[]; best: number[] }[];
  sampling: { traversals: number; pairs: number; randomPairs: number; seed: number };
  notes: string[];
}

const minOf = (xs: number[]) => xs.reduce((a, b) => (Number.isNaN(b) ? -Infinity : Math.min(a, b)), Infinity);
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Order: higher score, then higher mean, then smaller scale (closer to the base loss), then spec. */
export function compareCandidates(a: DesignCandidate, b: DesignCandidate): number {
  return b.score - a.score || b.mean - a.mean || a.scale - b.scale || (a.spec < b.spec ? -1 : a.spec > b.spec ? 1 : 0);
}

/** Canonical text of α in a spec (4 significant digits: the grid's values and the paper's 3969 stay exact). */
export function formatAlpha(alpha: number): string {
  return String(Number(alpha.toPrecision(4)));
}

/** Check the options a user gives (UserError naming the fix), before any work. */
export function checkDesignOptions(o: DesignOptions, ds?: GroundTruthDataset): void {
  if (o.base !== undefined && !(o.base in designBases))
    throw new UserError(`unknown base loss '${o.base}': choose mse, bce or l1`);
  for (const f of o.families ?? [])
    if (!kernels.has(f)) throw new UserError(`unknown kernel family '${f}': choose ${listChoices(kernels.names())}`);
  if (o.families && o.families.length === 0)
    throw new UserError(`no kernel family given: choose from ${listChoices(kernels.names())}`);
  if (o.budget !== undefined && !(Number.isInteger(o.budget) && o.budget >= 1))
    throw new UserError(`the budget must be a whole number of candidates ≥ 1, got ${o.budget}`);
  if (o.minShare !== undefined && !(o.minShare >= 0 && o.minShare < 1))
    throw new UserError(`the minimum augment share must be in [0, 1), got ${o.minShare}`);
  if (o.timeSeconds !== undefined && !(o.timeSeconds > 0))
    throw new UserError(`the time limit must be > 0 seconds, got ${o.timeSeconds}`);
  if (ds && !ds.factors.some((f) => f.size >= 2))
    throw new UserError(
      `dataset '${ds.name}' has no factor with two or more values: there is nothing to order; ` +
        'change its parameters (see `disentangle datasets`)',
    );
}

/** Search the loss; plain data in and out (tensors only inside the learning of the free kernel). */
export async function designLoss(ds: GroundTruthDataset, options: DesignOptions = {}): Promise<DesignResult> {
  checkDesignOptions(options, ds);
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  const seconds = () => (now() - t0) / 1000;
  const timeLimit = options.timeSeconds ?? 300;
  const budget = options.budget ?? Infinity;
  const baseName = options.base ?? 'mse';
  const pixel = designBases[baseName];
  const alphas = [...(options.alphas ?? defaultAlphas)];
  const betaBase = options.betaBase ?? 1;
  const minShare = options.minShare ?? 0.5;
  let belowShare = 0;
  const familyNames = options.families ?? kernels.names();
  const defs = await Promise.all(familyNames.map((f) => kernels.get(f)));
  const notes: string[] = [];
  const seed = options.seed ?? 0;

  options.onProgress?.({ phase: 'setup', candidates: 0, total: 0, seconds: 0 });
  const cells = new PerceivedCells(ds, {
    traversals: options.traversals,
    pairs: options.pairs,
    randomPairs: options.randomPairs,
    maxTraversalLength: options.maxTraversalLength,
    seed,
  });
  if (cells.skipped.length)
    notes.push(`factors with a single value (nothing to order) left out of the score: ${cells.skipped.join(', ')}`);
  const base = cells.distances(pixel, null);

  const candidate = (k: KernelInstance | null, alpha: number, aug: CellDistances | null, augRandom: number) => {
    const rhos = cells.rankCorrelations(base.cells, aug, alpha);
    const scale = k ? (base.random + alpha * augRandom) / base.random : 1;
    const c: DesignCandidate = {
      spec: k ? `${pixel}+${k.spec}@${formatAlpha(alpha)}` : pixel,
      family: k?.family ?? '',
      kernel: k?.spec ?? '',
      size: k?.size ?? 0,
      alpha: k ? Number(formatAlpha(alpha)) : 0,
      score: minOf(rhos),
      mean: meanOf(rhos),
      factors: Object.fromEntries(cells.factors.map((f, i) => [f.name, rhos[i]])),
      scale,
      beta: betaBase * scale,
    };
    return c;
  };
  const baseline = candidate(null, 0, null, 0);

  // the grid, families interleaved so that a search cut short has tried each family
  const grids = defs.map((d) => d.grid(Math.min(ds.obsShape[0], ds.obsShape[1])));
  const order: KernelInstance[] = [];
  for (let i = 0; order.length < grids.reduce((s, g) => s + g.length, 0); i++)
    for (const g of grids) if (i < g.length) order.push(g[i]);
  // the paper's kernel first: the reference every dataset is compared with
  const paperKernel = (await kernels.get('box')).parse(paperAugment.kernel.slice(3));
  let total = 0;

  const ranked: DesignCandidate[] = [];
  const bySize: DesignResult['bySize'] = [];
  let best: DesignCandidate | undefined;
  const augByKernel = new Map<string, { cells: CellDistances; random: number }>();
  const filterSeconds: number[] = [];
  let partial = false;

  const add = (k: KernelInstance, aug: { cells: CellDistances; random: number }, as: number[]) => {
    let top: DesignCandidate | undefined;
    for (const a of as) {
      if (ranked.length >= budget) {
        partial = true;
        break;
      }
      const c = candidate(k, a, aug.cells, aug.random);
      if (1 - 1 / c.scale < minShare) {
        belowShare++;
        continue;
      }
      ranked.push(c);
      if (!top || compareCandidates(c, top) < 0) top = c;
      if (!best || compareCandidates(c, best) < 0) best = c;
    }
    if (top) bySize.push({ family: k.family, kernel: k.spec, size: k.size, score: top.score });
  };
  const kernelBySpec = new Map<string, KernelInstance>([...grids.flat(), paperKernel].map((k) => [k.spec, k]));
  const timed = (k: KernelInstance) => {
    const s0 = seconds();
    const aug = cells.distances(pixel, k.kernel);
    filterSeconds.push(seconds() - s0);
    augByKernel.set(k.spec, aug);
    return aug;
  };

  const paperAug = timed(paperKernel);
  const paper = candidate(paperKernel, paperAugment.alpha, paperAug.cells, paperAug.random);
  // the paper's kernel is filtered already: its weights (the paper's among them) are the first candidates
  const paperInGrid = familyNames.includes('box') && order.some((k) => k.spec === paperKernel.spec);
  if (paperInGrid) {
    order.splice(
      order.findIndex((k) => k.spec === paperKernel.spec),
      1,
    );
    add(paperKernel, paperAug, [...alphas, paperAugment.alpha]);
  }
  const learning = familyNames.includes('sep') && (options.learnSteps ?? 400) > 0;
  total = Math.min(budget, ranked.length + order.length * alphas.length + (learning ? alphas.length + 1 : 0));
  // the grid leaves half of the time to learning the free kernel (where the grid ends early, learning gets the rest)
  const gridLimit = learning ? timeLimit * 0.5 : timeLimit;
  for (const k of order) {
    if (ranked.length >= budget) {
      partial = true;
      break;
    }
    const est = filterSeconds.length ? Math.max(...filterSeconds) : 0;
    if (seconds() + est > gridLimit) {
      partial = true;
      break;
    }
    const aug = augByKernel.get(k.spec) ?? timed(k);
    add(k, aug, alphas);
    options.onProgress?.({ phase: 'grid', candidates: ranked.length, total, seconds: seconds(), best });
  }
  if (learning && ranked.length < budget && best) {
    // start from the best single-term kernel (box, gauss, sep): one separable term the gradient can move
    const start = [...ranked].sort(compareCandidates).find((c) => c.family === 'box' || c.family === 'gauss');
    if (start) {
      const sepDef = await kernels.get('sep');
      const learned = learnSeparableKernel(cells, pixel, base.cells, {
        taps: kernelBySpec.get(start.kernel)!.kernel.terms[0].taps,
        alpha: start.alpha,
        steps: options.learnSteps ?? 400,
        seed,
        // room for the next step and for filtering the learned kernel afterwards
        // (1.5× the slowest filter so far: on a shared machine a filter's time varies)
        deadline: (stepSeconds) =>
          seconds() + stepSeconds + 1.5 * (filterSeconds.length ? Math.max(...filterSeconds) : 0) > timeLimit,
        onStep: () =>
          options.onProgress?.({ phase: 'learn', candidates: ranked.length, total, seconds: seconds(), best }),
      });
      // time was reserved for this filter: evaluate what was learned even where the estimate was short
      if (learned) {
        const k = sepDef.parse(learned.taps.map((t) => formatNumber(Number(t.toPrecision(3)))).join('_'));
        // the grid's weights, and the one that keeps the learned balance
        add(k, timed(k), [...alphas, Number(formatAlpha(learned.alpha))]);
        notes.push(
          `free separable kernel: ${learned.steps} gradient steps from ${start.kernel}@${formatAlpha(start.alpha)}, ` +
            `stand-in objective ${learned.before.toFixed(4)} → ${learned.after.toFixed(4)}`,
        );
        options.onProgress?.({ phase: 'learn', candidates: ranked.length, total, seconds: seconds(), best });
      } else notes.push('the free separable kernel was not learned: the time limit came first');
    }
  } else if (learning) partial = true;

  if (belowShare)
    notes.push(
      `${belowShare} weighted kernels were not ranked: their augment carries under ${minShare * 100} % of the loss ` +
        `over random pairs (minShare)`,
    );
  if (!ranked.length && filterSeconds.length > 1)
    throw new UserError(
      `no candidate's augment carries ${minShare * 100} % of the loss over random pairs: lower --min-share ` +
        `or give larger weights`,
    );
  if (!ranked.length)
    throw new UserError(
      `the time limit of ${timeLimit} s is too short for one candidate: rendering, the base loss and the first ` +
        `filter took ${seconds().toFixed(1)} s; give a longer time limit (e.g. --time ${Math.ceil(seconds() * 3)})`,
    );
  ranked.sort(compareCandidates);
  const winner = ranked[0];
  const bestAug = augByKernel.get(winner.kernel)!;
  const matrices = cells.factors.map((f, k) => ({
    factor: f.name,
    values: f.values,
    base: Array.from(cells.meanMatrix(k, base.cells, null, 0)),
    paper: Array.from(cells.meanMatrix(k, base.cells, paperAug.cells, paperAugment.alpha)),
    best: Array.from(cells.meanMatrix(k, base.cells, bestAug.cells, winner.alpha)),
  }));
  return {
    dataset: ds.name,
    params: { ...ds.params },
    base: pixel,
    candidates: ranked.length,
    seconds: seconds(),
    partial,
    best: winner,
    baseline,
    paper,
    ranked,
    bySize,
    matrices,
    sampling: { traversals: cells.traversals, pairs: cells.pairs, randomPairs: cells.randomPairs, seed },
    notes,
  };
}
