/**
 * Annealed VAE (Burgess et al., 2018, "Understanding disentangling in β-VAE"):
 *   loss = recon + γ·|KL − C|,  C = min(C_max, C_max·step / iterationThreshold)
 * The capacity C grows linearly, so the KL is let through gradually.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineFramework } from './define.js';
import { klMean, vaeFramework } from './common.js';

export const annealedvae = defineFramework({
  name: 'annealedvae',
  description: 'Annealed VAE (Burgess et al.): recon + γ·|KL − C|, C = min(C_max, C_max·step/iterationThreshold)',
  schema: z
    .object({
      gamma: z.number().min(0).default(1000),
      cMax: z.number().min(0).default(25),
      iterationThreshold: z.number().int().min(1).default(100000),
    })
    .strict(),
  create: (p) =>
    vaeFramework('annealedvae', (ctx, post) => {
      const kl = klMean(post);
      const c = Math.min(p.cMax, (p.cMax * ctx.step) / p.iterationThreshold);
      return { loss: tf.mul(p.gamma, tf.abs(tf.sub(kl, c))) as tf.Scalar, terms: { kl, capacity: tf.scalar(c) } };
    }),
});
