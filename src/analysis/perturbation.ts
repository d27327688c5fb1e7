/**
 * The adversarial perturbation of Zietlow et al. (ICML 2021): x' = clip(x + ε·m(w), 0, 1) with ‖m(w)‖∞ ≤ 1
 * and m a function of the factors w only, chosen to hide the data's local variance structure.
 *
 * Parameterisation (our choice; the paper optimises against reference encodings): m(w) = tanh(Σ_k E_k[w_k]),
 * one learned pixel pattern per factor value, so m depends on the factors alone and is bounded by 1.
 * Objective, on batches of random points: make the per-factor one-step difference directions of the perturbed
 * data mutually aligned (maximise the mean squared off-diagonal cosine) and of equal magnitude (minimise the
 * variance of their log norms). Aligned, equal-magnitude directions leave a PCA-like VAE no factor axes to find.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GroundTruthDataset } from '../data/types.js';
import type { Perturbation } from '../data/perturbed.js';
import { adam } from '../engine/adam.js';
import { Rng } from '../util/rng.js';
import { UserError } from '../util/errors.js';

export interface PerturbationOptions {
  epsilon: number;
  steps?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  /** Weight of the magnitude-equalising term. */
  magnitudeWeight?: number;
  onProgress?: (step: number, total: number, objective: number) => void;
}

export function findPerturbation(ds: GroundTruthDataset, options: PerturbationOptions): Perturbation {
  const { epsilon } = options;
  if (!(epsilon > 0 && epsilon <= 1)) throw new UserError(`--epsilon must be in (0, 1], got ${epsilon}`);
  const steps = options.steps ?? 200;
  const B = options.batch ?? 16;
  const lr = options.lr ?? 0.05;
  const magW = options.magnitudeWeight ?? 1;
  const rng = new Rng(options.seed ?? 0);
  const F = ds.factors.length;
  const D = ds.obsShape[0] * ds.obsShape[1] * ds.obsShape[2];
  const active = ds.factors.map((f, k) => (f.size > 1 ? k : -1)).filter((k) => k >= 0);
  if (active.length < 2)
    throw new UserError(`dataset '${ds.name}' needs at least two factors with more than one value to entangle`);
  const A = active.length;
  const tables = ds.factors.map((f) =>
    tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(f.size * D), 0, 0.01), [f.size, D])),
  );
  const opt = adam(lr);
  const base = new Float32Array(B * D);
  const moved = new Float32Array(A * B * D);
  const wBase = new Int32Array(B * F);
  const wMoved = new Int32Array(A * B * F);
  let first = NaN,
    last = NaN;

  const field = (w: tf.Tensor2D) => {
    // w: [n, F] int32 → tanh(Σ_k E_k[w_k]) : [n, D]
    const cols = tf.split(w, F, 1);
    let s: tf.Tensor = tf.gather(tables[0], tf.reshape(cols[0], [-1]));
    for (let k = 1; k < F; k++) s = tf.add(s, tf.gather(tables[k], tf.reshape(cols[k], [-1])));
    return tf.tanh(s);
  };

  for (let step = 0; step < steps; step++) {
    const pts = ds.stateSpace.sampleFactors(B, rng);
    wBase.set(pts);
    for (let b = 0; b < B; b++) ds.renderInto(ds.stateSpace.toIndex(pts.subarray(b * F, (b + 1) * F)), base, b * D);
    active.forEach((k, a) => {
      for (let b = 0; b < B; b++) {
        const w = pts.slice(b * F, (b + 1) * F);
        w[k] = w[k] + 1 < ds.factors[k].size ? w[k] + 1 : w[k] - 1;
        wMoved.set(w, (a * B + b) * F);
        ds.renderInto(ds.stateSpace.toIndex(w), moved, (a * B + b) * D);
      }
    });
    const cost = opt.minimize(
      () => {
        const xb = tf.tensor2d(base, [B, D]);
        const xm = tf.reshape(tf.tensor2d(moved, [A * B, D]), [A, B, D]);
        const mb = field(tf.tensor2d(wBase, [B, F], 'int32'));
        const mm = tf.reshape(field(tf.tensor2d(wMoved, [A * B, F], 'int32')), [A, B, D]);
        const d = tf.add(tf.sub(xm, xb), tf.mul(epsilon, tf.sub(mm, mb))); // [A, B, D]
        const dt = tf.transpose(d, [1, 0, 2]); // [B, A, D]
        const gram = tf.matMul(dt, dt, false, true); // [B, A, A]
        const norms = tf.sqrt(tf.add(tf.sum(tf.square(dt), -1), 1e-12)); // [B, A]
        const cos = tf.div(gram, tf.mul(tf.expandDims(norms, 2), tf.expandDims(norms, 1)));
        const offMask = tf.sub(tf.onesLike(cos), tf.expandDims(tf.eye(A), 0));
        const align = tf.div(tf.sum(tf.mul(tf.square(cos), offMask)), B * A * (A - 1));
        const logn = tf.log(tf.add(tf.square(norms), 1e-12));
        const mag = tf.mean(tf.moments(logn, 1).variance);
        return tf.sub(tf.mul(magW, mag), align) as tf.Scalar;
      },
      true,
      tables,
    )!;
    const v = cost.dataSync()[0];
    cost.dispose();
    if (step === 0) first = v;
    last = v;
    options.onProgress?.(step + 1, steps, v);
  }
  const embeddings = tables.map((t) => t.dataSync().slice() as Float32Array);
  tables.forEach((t) => t.dispose());
  opt.dispose();
  return {
    epsilon,
    factorSizes: ds.factors.map((f) => f.size),
    obsSize: D,
    embeddings,
    alignmentBefore: -first,
    alignmentAfter: -last,
  };
}
