/**
 * Latent distributions q(z|x) parameterised by the encoder's 2·z outputs, with reparameterised samples and
 * KL to the standard normal prior.
 *  - normal: (μ, log σ²); KL = ½(μ² + σ² − log σ² − 1).
 *  - laplace: (loc, log b); z = loc − b·sgn(u)·ln(1 − 2|u|), u ~ U(−½, ½);
 *    KL(Laplace(loc, b) ‖ N(0, 1)) = −ln(2b) − 1 + ½ ln(2π) + ½(loc² + 2b²) (E_q[z²] = loc² + 2b²).
 */
import * as tf from '@tensorflow/tfjs-core';

export type LatentName = 'normal' | 'laplace';
export const latentNames: LatentName[] = ['normal', 'laplace'];

export interface LatentDistribution {
  name: LatentName;
  /** Reparameterised sample from (location, log-scale parameter) tensors [N, z]. */
  sample(loc: tf.Tensor2D, logScale: tf.Tensor2D, seed: number): tf.Tensor2D;
  /** KL(q ‖ N(0, I)) per dimension: [N, z]. */
  klPerDim(loc: tf.Tensor2D, logScale: tf.Tensor2D): tf.Tensor2D;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(x; mean, exp(logvar)) element-wise (broadcasting). */
export function logNormal(x: tf.Tensor, mean: number | tf.Tensor, logvar: number | tf.Tensor): tf.Tensor {
  return tf.mul(-0.5, tf.add(tf.add(LOG_2PI, logvar), tf.div(tf.square(tf.sub(x, mean)), tf.exp(logvar))));
}

export const normalLatent: LatentDistribution = {
  name: 'normal',
  sample: (mu, lv, seed) =>
    tf.add(mu, tf.mul(tf.randomNormal(mu.shape, 0, 1, 'float32', seed), tf.exp(tf.mul(lv, 0.5)))) as tf.Tensor2D,
  klPerDim: (mu, lv) => tf.mul(0.5, tf.sub(tf.sub(tf.add(tf.square(mu), tf.exp(lv)), lv), 1)) as tf.Tensor2D,
};

export const laplaceLatent: LatentDistribution = {
  name: 'laplace',
  sample: (loc, logB, seed) => {
    const u = tf.randomUniform(loc.shape, -0.5 + 1e-6, 0.5 - 1e-6, 'float32', seed);
    return tf.sub(
      loc,
      tf.mul(tf.mul(tf.exp(logB), tf.sign(u)), tf.log(tf.sub(1, tf.mul(2, tf.abs(u))))),
    ) as tf.Tensor2D;
  },
  klPerDim: (loc, logB) =>
    tf.add(
      tf.sub(tf.neg(tf.add(Math.log(2), logB)), 1 - 0.5 * Math.log(2 * Math.PI)),
      tf.mul(0.5, tf.add(tf.square(loc), tf.mul(2, tf.exp(tf.mul(2, logB))))),
    ) as tf.Tensor2D,
};

export function latentDistribution(name: LatentName): LatentDistribution {
  return name === 'laplace' ? laplaceLatent : normalLatent;
}
