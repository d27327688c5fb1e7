/**
 * InfoVAE (Zhao et al., AAAI 2019): loss = recon + (1 − α)·KL + (α + λ − 1)·MMD(q(z), N(0, I)),
 * MMD with an RBF kernel between the batch's samples and as many prior samples.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineFramework } from './define.js';
import { klMean, mmdRbf, vaeFramework } from './common.js';

export const infovae = defineFramework({
  name: 'infovae',
  description: 'InfoVAE (Zhao et al.): recon + (1 − α)·KL + (α + λ − 1)·MMD(q(z), N(0, I)) with an RBF kernel',
  schema: z.object({ alpha: z.number().default(0), lambda: z.number().default(1000) }).strict(),
  create: (p) =>
    vaeFramework('infovae', (ctx, post, zs) => {
      const kl = klMean(post);
      const prior = tf.randomNormal(zs.shape, 0, 1, 'float32', ctx.seed('prior')) as tf.Tensor2D;
      const mmd = mmdRbf(zs, prior);
      return {
        loss: tf.add(tf.mul(1 - p.alpha, kl), tf.mul(p.alpha + p.lambda - 1, mmd)) as tf.Scalar,
        terms: { kl, mmd },
      };
    }),
});
