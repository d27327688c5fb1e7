/**
 * VAE (Kingma & Welling, ICLR 2014):       loss = recon + KL(q(z|x) ‖ N(0, I))
 * β-VAE (Higgins et al., ICLR 2017):      loss = recon + β·KL(q(z|x) ‖ N(0, I))
 * q is a diagonal Gaussian, or a Laplace (`latent: 'laplace'`); β may be a schedule.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineFramework } from './define.js';
import { latentKl, vaeFramework } from './common.js';
import { scheduleSchema, scheduleValue } from './schedules.js';

export const latentOption = z.enum(['normal', 'laplace']).default('normal');

export const vae = defineFramework({
  name: 'vae',
  description: 'VAE (Kingma & Welling): recon + KL (latent: normal or laplace)',
  schema: z.object({ latent: latentOption }).strict(),
  create: (p) =>
    vaeFramework(
      'vae',
      (_ctx, post) => {
        const kl = latentKl(p.latent, post);
        return { loss: kl, terms: { kl } };
      },
      p.latent,
    ),
});

export const betavae = defineFramework({
  name: 'betavae',
  description: 'β-VAE (Higgins et al.): recon + β·KL (latent: normal or laplace)',
  schema: z.object({ beta: scheduleSchema.default(4), latent: latentOption }).strict(),
  create: (p) =>
    vaeFramework(
      'betavae',
      (ctx, post) => {
        const kl = latentKl(p.latent, post);
        return { loss: tf.mul(scheduleValue(p.beta, ctx.step), kl) as tf.Scalar, terms: { kl } };
      },
      p.latent,
    ),
});
