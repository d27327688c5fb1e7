/**
 * Priors for the decomposition objective (Mathieu et al., ICML 2019): isotropic and anisotropic Gaussians,
 * Student-t, sparse (spike-and-slab mixture) and a Gaussian mixture. Each gives log p(z) (summed over
 * dimensions), seeded samples, and — when it is Gaussian — an analytic KL(q(z|x) ‖ p(z)).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { UserError } from '../util/errors.js';
import type { SeedFn } from '../util/rng.js';
import { logNormal } from '../nn/latents.js';

export const priorSchema = z.union([
  z.object({ type: z.literal('isotropic') }).strict(),
  /** variances = D·scale·softmax(logvar): fixed, or learned. */
  /** logvar: explicit values, or 'pca' = log of the squared top singular values of the (centred) data. */
  z
    .object({
      type: z.literal('anisotropic'),
      scale: z.number().positive().default(1),
      logvar: z.union([z.array(z.number()), z.literal('pca')]).optional(),
      learn: z.boolean().default(false),
    })
    .strict(),
  z.object({ type: z.literal('studentt'), df: z.number().positive().default(2) }).strict(),
  /** per dimension: γ·N(0, 0.05²) + (1 − γ)·N(0, 1) */
  z
    .object({
      type: z.literal('sparse'),
      gamma: z.number().min(0).max(1).default(0.8),
      spikeStd: z.number().positive().default(0.05),
    })
    .strict(),
  /** 4 equal components at (0, ±1), (±1, 0) with variance 0.03 (pinwheel; z = 2). */
  z.object({ type: z.literal('mixture'), variance: z.number().positive().default(0.03) }).strict(),
]);
export type PriorConfig = z.output<typeof priorSchema>;

export interface Prior {
  readonly type: string;
  /** log p(z) summed over dimensions: [N, D] → [N]. */
  logProb(z: tf.Tensor2D): tf.Tensor1D;
  /** n prior samples; `seed` gives the seed of each draw by label. */
  sample(n: number, seed: SeedFn): tf.Tensor2D;
  /** Analytic KL(N(μ, σ²) ‖ p) summed over dimensions → [N], when p is Gaussian. */
  klFromGaussian?(mu: tf.Tensor2D, logvar: tf.Tensor2D): tf.Tensor1D;
  /** Learned parameters (optimised with the model). */
  variables(): tf.Variable[];
}

/** ln Γ(x) (Lanczos), for the Student-t normaliser. */
export function lgamma(x: number): number {
  const g = 7,
    c = [
      0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
      12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function gaussianPrior(type: string, logvarOf: () => tf.Tensor1D, vars: tf.Variable[]): Prior {
  return {
    type,
    logProb: (zz) => tf.sum(logNormal(zz, 0, logvarOf()), 1) as tf.Tensor1D,
    sample: (n, seed) =>
      tf.tidy(() =>
        tf.mul(
          tf.randomNormal([n, logvarOf().shape[0]], 0, 1, 'float32', seed('normal')),
          tf.exp(tf.mul(0.5, logvarOf())),
        ),
      ) as tf.Tensor2D,
    klFromGaussian: (mu, lv) => {
      const plv = logvarOf();
      // KL(N(μ, σ²) ‖ N(0, s²)) = ½(log s² − log σ² + (σ² + μ²)/s² − 1)
      return tf.sum(
        tf.mul(0.5, tf.sub(tf.add(tf.sub(plv, lv), tf.div(tf.add(tf.exp(lv), tf.square(mu)), tf.exp(plv))), 1)),
        1,
      ) as tf.Tensor1D;
    },
    variables: () => vars,
  };
}

/** log of the squared top-k singular values of the centred data matrix (n × dim), via its n × n Gram matrix. */
export function pcaLogVariances(data: { x: Float32Array; n: number; dim: number }, k: number): number[] {
  const { x, n, dim } = data;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += x[i * dim + j] / n;
  const G = new Matrix(n, n);
  for (let a = 0; a < n; a++)
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (x[a * dim + j] - mean[j]) * (x[b * dim + j] - mean[j]);
      G.set(a, b, s);
      G.set(b, a, s);
    }
  const ev = new EigenvalueDecomposition(G, { assumeSymmetric: true }).realEigenvalues.sort((p, q) => q - p);
  return Array.from({ length: k }, (_, i) => Math.log(Math.max(ev[i] ?? 0, 1e-8)));
}

export function makePrior(cfg: PriorConfig, zDim: number, data?: { x: Float32Array; n: number; dim: number }): Prior {
  switch (cfg.type) {
    case 'isotropic': {
      const zero = tf.zeros([zDim]) as tf.Tensor1D;
      return gaussianPrior('isotropic', () => zero, []);
    }
    case 'anisotropic': {
      let lv: number[];
      if (cfg.logvar === 'pca') {
        if (!data) throw new UserError("anisotropic prior with logvar 'pca' needs data (it is set up by the trainer)");
        lv = pcaLogVariances(data, zDim);
      } else {
        if (cfg.logvar && cfg.logvar.length !== zDim)
          throw new UserError(`anisotropic prior: logvar has ${cfg.logvar.length} values for z = ${zDim}`);
        lv = cfg.logvar ?? Array.from({ length: zDim }, (_, i) => -i * 0.5);
      }
      const init = tf.tensor1d(lv);
      const raw = cfg.learn ? tf.variable(init, true) : init;
      // variances = D·scale·softmax(logvar) (they sum to D·scale)
      const logvarOf = () => tf.log(tf.mul(zDim * cfg.scale, tf.softmax(raw))) as tf.Tensor1D;
      return gaussianPrior('anisotropic', logvarOf, cfg.learn ? [raw as tf.Variable] : []);
    }
    case 'studentt': {
      const v = cfg.df;
      const c = lgamma((v + 1) / 2) - lgamma(v / 2) - 0.5 * Math.log(v * Math.PI);
      return {
        type: 'studentt',
        logProb: (zz) => tf.sum(tf.sub(c, tf.mul((v + 1) / 2, tf.log1p(tf.div(tf.square(zz), v)))), 1) as tf.Tensor1D,
        sample: (n, seed) =>
          tf.tidy(() => {
            const g = tf.randomNormal([n, zDim], 0, 1, 'float32', seed('normal'));
            const chi2 = tf.randomGamma([n, zDim], v / 2, 0.5, 'float32', seed('gamma'));
            return tf.div(g, tf.sqrt(tf.div(chi2, v))) as tf.Tensor2D;
          }),
        variables: () => [],
      };
    }
    case 'sparse': {
      const { gamma, spikeStd } = cfg;
      return {
        type: 'sparse',
        logProb: (zz) =>
          tf.sum(
            tf.logSumExp(
              tf.stack([
                tf.add(Math.log(Math.max(gamma, 1e-30)), logNormal(zz, 0, 2 * Math.log(spikeStd))),
                tf.add(Math.log(Math.max(1 - gamma, 1e-30)), logNormal(zz, 0, 0)),
              ]),
              0,
            ),
            1,
          ) as tf.Tensor1D,
        sample: (n, seed) =>
          tf.tidy(() => {
            const spike = tf.less(tf.randomUniform([n, zDim], 0, 1, 'float32', seed('spike')), gamma);
            const std = tf.where(spike, tf.fill([n, zDim], spikeStd), tf.ones([n, zDim]));
            return tf.mul(tf.randomNormal([n, zDim], 0, 1, 'float32', seed('normal')), std) as tf.Tensor2D;
          }),
        variables: () => [],
      };
    }
    case 'mixture': {
      if (zDim !== 2) throw new UserError(`the Gaussian-mixture prior is 2-D (pinwheel): set model.z = 2, got ${zDim}`);
      const means = tf.tensor2d([
        [0, 1],
        [0, -1],
        [1, 0],
        [-1, 0],
      ]);
      const lv = Math.log(cfg.variance);
      return {
        type: 'mixture',
        logProb: (zz) =>
          tf.tidy(() => {
            const per = tf.sum(logNormal(tf.expandDims(zz, 1), tf.expandDims(means, 0), lv), 2); // [N, 4]
            return tf.sub(tf.logSumExp(per, 1), Math.log(4)) as tf.Tensor1D;
          }),
        sample: (n, seed) =>
          tf.tidy(() => {
            const k = tf.cast(tf.floor(tf.mul(tf.randomUniform([n], 0, 1, 'float32', seed('component')), 4)), 'int32');
            return tf.add(
              tf.gather(means, k),
              tf.mul(tf.randomNormal([n, 2], 0, 1, 'float32', seed('normal')), Math.sqrt(cfg.variance)),
            ) as tf.Tensor2D;
          }),
        variables: () => [],
      };
    }
  }
}
