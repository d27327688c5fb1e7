/**
 * The free separable kernel of the loss-design search, learned by gradient (tfjs autodiff). The rank
 * correlation is piecewise constant in the kernel, so the gradient follows a smooth stand-in: per factor, the
 * Pearson correlation of the perceived distance d = d_base + α·base(k∗x_i, k∗x_j) with the ranks of the
 * ground-truth distance |v_i − v_j|, over pairs of a few traversals; the factors are combined by a soft
 * minimum (−τ·log Σ exp(−ρ_f/τ)), since the score is the worst factor's. Taps start from the best grid
 * kernel; the exact score of the learned kernel is then computed by the search like any other candidate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adam } from '../engine/adam.js';
import { separableBands } from '../losses/filter.js';
import { Rng } from '../util/rng.js';
import { rankData } from './stats.js';
import type { CellDistances, PerceivedCells, PixelLoss } from './perceived-cells.js';

export interface LearnOptions {
  /** Starting 1-D taps (odd count) and the augment's weight α for them. */
  taps: ArrayLike<number>;
  alpha: number;
  steps: number;
  seed: number;
  /** Traversals per factor and pairs per factor the stand-in uses (defaults 4 and 256). */
  traversals?: number;
  pairs?: number;
  learningRate?: number;
  /** Soft-minimum temperature over factors (default 0.02). */
  temperature?: number;
  /** True when the time is up, given the seconds the last step took: learning stops before the next step. */
  deadline?: (stepSeconds: number) => boolean;
  onStep?: (step: number, objective: number) => void;
}

export interface LearnedKernel {
  /** The learned taps, normalised (sum 1 when it is clearly positive, else Σ|t| = 1). */
  taps: number[];
  /** The weight α that gives these normalised taps the learned balance with the base term. */
  alpha: number;
  /** The stand-in objective (soft minimum of the factors' correlations) before and after. */
  before: number;
  after: number;
  steps: number;
}

const EPS = 1e-6;

/** S[m, j·n + i] = 1 where j − i + r = m: the band matrix of taps t is reshape(t·S, [n, n]) (differentiable in t). */
function shiftStack(n: number, taps: number): tf.Tensor2D {
  const r = (taps - 1) / 2;
  const s = new Float32Array(taps * n * n);
  for (let j = 0; j < n; j++)
    for (let i = Math.max(0, j - r); i <= Math.min(n - 1, j + r); i++) s[(j - i + r) * n * n + j * n + i] = 1;
  return tf.tensor2d(s, [taps, n * n]);
}

/** Learn taps from `options.taps`; null when the deadline came before the first step. */
export function learnSeparableKernel(
  cells: PerceivedCells,
  loss: PixelLoss,
  baseCells: CellDistances,
  options: LearnOptions,
): LearnedKernel | null {
  const [h, w, c] = cells.shape;
  const D = h * w * c;
  const n = options.taps.length;
  const rng = new Rng(`${options.seed}:learn`);
  const Tg = options.traversals ?? 4;
  const P = options.pairs ?? 256;
  const tau = options.temperature ?? 0.02;
  // The same kernel up to a factor: start with taps of max |t| = 1 and α rescaled to match (MSE of a 2-D
  // kernel t⊗t scales with c⁴, MAE with c²), so that one learning rate suits every size. BCE keeps its taps
  // a distribution (softmax), as its targets must stay in [0, 1].
  const start = Array.from(options.taps);
  const power = loss === 'mse' ? 4 : 2;
  const c0 = loss === 'bce' ? 1 : 1 / Math.max(...start.map(Math.abs));
  const alpha = options.alpha / c0 ** power;
  const theta = tf.variable(
    tf.tensor1d(loss === 'bce' ? start.map((t) => Math.log(Math.max(t, 0) + EPS)) : start.map((t) => t * c0)),
  );
  const tapsOf = (th: tf.Tensor1D) => (loss === 'bce' ? tf.softmax(th) : th);

  // a few traversals per factor, and pairs of them with their base distance and ground-truth rank
  const factors = cells.factors.map((f, k) => {
    const L = f.values.length;
    const T = f.images.length / (L * D);
    const tg = Math.min(Tg, T);
    const ii: number[] = [],
      jj: number[] = [],
      db: number[] = [],
      gt: number[] = [];
    for (let p = 0; p < P; p++) {
      const t = rng.int(tg),
        i = rng.int(L),
        j = rng.int(L);
      if (i === j) continue;
      ii.push(t * L + i);
      jj.push(t * L + j);
      db.push(baseCells[k][(t * L + i) * L + j]);
      gt.push(Math.abs(f.values[i] - f.values[j]));
    }
    return {
      images: tf.tensor4d(f.images.subarray(0, tg * L * D), [tg * L, h, w, c]),
      i: tf.tensor1d(Int32Array.from(ii), 'int32'),
      j: tf.tensor1d(Int32Array.from(jj), 'int32'),
      base: tf.tensor1d(Float32Array.from(db)),
      ranks: tf.tensor1d(Float32Array.from(rankData(gt))),
    };
  });
  const sw = shiftStack(w, n),
    sh = h === w ? sw : shiftStack(h, n);

  const objective = (): tf.Scalar => {
    const t = tf.reshape(tapsOf(theta as tf.Tensor1D), [1, n]);
    const bw = tf.reshape(tf.matMul(t, sw), [w, w]) as tf.Tensor2D;
    const bh = h === w ? bw : (tf.reshape(tf.matMul(t, sh), [h, h]) as tf.Tensor2D);
    const rhos = factors.map((f) => {
      const k = separableBands(f.images, bw, bh);
      const a = tf.gather(k, f.i),
        b = tf.gather(k, f.j);
      let e: tf.Tensor;
      if (loss === 'mse') e = tf.squaredDifference(a, b);
      else if (loss === 'mae') e = tf.abs(tf.sub(a, b));
      else {
        const p = tf.clipByValue(b, EPS, 1 - EPS);
        e = tf.neg(tf.add(tf.mul(a, tf.log(p)), tf.mul(tf.sub(1, a), tf.log(tf.sub(1, p)))));
      }
      const d = tf.add(f.base, tf.mul(alpha, tf.mean(e, [1, 2, 3])));
      const dc = tf.sub(d, tf.mean(d));
      const rc = tf.sub(f.ranks, tf.mean(f.ranks));
      return tf.div(
        tf.sum(tf.mul(dc, rc)),
        tf.sqrt(tf.add(tf.mul(tf.sum(tf.square(dc)), tf.sum(tf.square(rc))), 1e-20)),
      );
    });
    const r = tf.stack(rhos);
    // soft minimum over factors, negated: the optimiser minimises
    return tf.mul(tau, tf.logSumExp(tf.div(r, -tau))) as tf.Scalar;
  };

  const opt = adam(options.learningRate ?? 0.02);
  let before = NaN,
    after = NaN,
    steps = 0;
  try {
    let last = 0;
    for (let s = 0; s < options.steps; s++) {
      if (options.deadline?.(last)) break;
      const t0 = performance.now();
      const cost = opt.minimize(objective, true, [theta])!;
      const v = -cost.dataSync()[0];
      cost.dispose();
      last = (performance.now() - t0) / 1000;
      if (s === 0) before = v;
      after = v;
      steps = s + 1;
      options.onStep?.(steps, v);
    }
    if (steps === 0) return null;
    const learned = Array.from(tapsOf(theta as tf.Tensor1D).dataSync());
    // normalise like a blur where the kernel is one (sum 1), else to Σ|t| = 1; α keeps the balance
    const sum = learned.reduce((a, b) => a + b, 0);
    const abs = learned.reduce((a, b) => a + Math.abs(b), 0);
    const norm = Math.abs(sum) > 0.1 * abs ? sum : abs;
    return {
      taps: learned.map((t) => t / norm),
      alpha: loss === 'bce' ? alpha : alpha * Math.abs(norm) ** power,
      before,
      after,
      steps,
    };
  } finally {
    theta.dispose();
    opt.dispose();
    for (const f of factors) tf.dispose([f.images, f.i, f.j, f.base, f.ranks]);
    tf.dispose(sh === sw ? [sw] : [sw, sh]);
  }
}
