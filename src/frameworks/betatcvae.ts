/**
 * β-TCVAE (Chen et al., NeurIPS 2018): loss = recon + KL + (β − 1)·TC, where
 *   TC = E_i[log q(z_i) − Σ_d log q(z_id)],  q(z) ≈ (1/B) Σ_j q(z | x_j) over the minibatch (log-sum-exp).
 * Like disentanglement_lib, the dataset-size constants of minibatch-weighted sampling are dropped (they do
 * not change the gradients).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineFramework } from './define.js';
import { klMean, vaeFramework, type Posterior } from './common.js';
import { scheduleSchema, scheduleValue } from './schedules.js';
import { logNormal } from '../nn/index.js';

/** The minibatch estimate of total correlation of samples z [B, D] under posteriors p. */
export function totalCorrelation(z: tf.Tensor2D, p: Posterior): tf.Scalar {
  const logQ = logNormal(tf.expandDims(z, 1), tf.expandDims(p.mu, 0), tf.expandDims(p.logvar, 0)); // [B, B, D]
  const logQz = tf.logSumExp(tf.sum(logQ, 2), 1); // [B]
  const logQzProduct = tf.sum(tf.logSumExp(logQ, 1), 1); // [B]
  return tf.mean(tf.sub(logQz, logQzProduct)) as tf.Scalar;
}

export const betatcvae = defineFramework({
  name: 'betatcvae',
  description: 'β-TCVAE (Chen et al.): recon + KL + (β − 1)·TC, TC by minibatch-weighted sampling',
  schema: z.object({ beta: scheduleSchema.default(6) }).strict(),
  create: (p) =>
    vaeFramework('betatcvae', (ctx, post, zs) => {
      const kl = klMean(post);
      const tc = totalCorrelation(zs, post);
      return { loss: tf.add(kl, tf.mul(scheduleValue(p.beta, ctx.step) - 1, tc)) as tf.Scalar, terms: { kl, tc } };
    }),
});
