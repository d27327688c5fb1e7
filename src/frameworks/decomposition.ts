/**
 * Decomposition (Mathieu et al., ICML 2019): loss = recon + β·KL(q(z|x) ‖ p(z)) + α·D(q(z), p(z)), any prior.
 * KL is analytic for Gaussian priors, else a Monte-Carlo estimate log q(z|x) − log p(z) at the sampled z.
 *   D = 'kl':  inclusive KL(p ‖ q) with B prior samples and log q(z) = logsumexp_j log q(z | x_j) − log B;
 *   D = 'mmd': unbiased MMD with the inverse multiquadric kernel Σ_s Σ_d C_s/(C_s + (x_d − y_d)²), C_s = 2s,
 *              s ∈ {0.1, 0.2, 0.5, 1, 2, 5}.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineFramework } from './define.js';
import { combine, meanRepresentation, reconMean, sampleNormal, splitPosterior } from './common.js';
import { scheduleSchema, scheduleValue } from './schedules.js';
import { makePrior, priorSchema } from '../priors/index.js';
import { logNormal } from '../nn/index.js';

const IMQ_SCALES = [0.1, 0.2, 0.5, 1, 2, 5];

function imqMmd(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  const n = a.shape[0];
  const k = (x: tf.Tensor2D, y: tf.Tensor2D) => {
    const d2 = tf.square(tf.sub(tf.expandDims(x, 1), tf.expandDims(y, 0))); // [n, m, D]
    let s: tf.Tensor = tf.zeros([x.shape[0], y.shape[0]]);
    for (const scale of IMQ_SCALES) {
      const c = 2 * scale;
      s = tf.add(s, tf.sum(tf.div(c, tf.add(c, d2)), 2));
    }
    return s;
  };
  const offDiag = tf.sub(1, tf.eye(n));
  const kxx = tf.div(tf.sum(tf.mul(k(a, a), offDiag)), n * (n - 1));
  const kyy = tf.div(tf.sum(tf.mul(k(b, b), offDiag)), n * (n - 1));
  const kxy = tf.div(tf.sum(k(a, b)), n * n);
  return tf.sub(tf.add(kxx, kyy), tf.mul(2, kxy)) as tf.Scalar;
}

export const decomposition = defineFramework({
  name: 'decomposition',
  description:
    'Decomposition (Mathieu et al.): recon + β·KL(q(z|x)‖p(z)) + α·D(q(z), p(z)), any prior, D = inclusive KL or MMD',
  schema: z
    .object({
      beta: scheduleSchema.default(1),
      alpha: scheduleSchema.default(0),
      divergence: z.enum(['kl', 'mmd']).default('kl'),
      prior: priorSchema.default({ type: 'isotropic' }),
    })
    .strict(),
  create: (p, args) => {
    const prior = makePrior(p.prior, args.zDim, args.data);
    return {
      name: 'decomposition',
      batchKind: 'single',
      encoderOutputsPerLatent: 2,
      latent: 'normal',
      extraVariables: () => prior.variables(),
      loss(ctx) {
        const post = splitPosterior(ctx.model.encode(ctx.x));
        const zs = sampleNormal(post, ctx.seed('z'));
        const recon = reconMean(ctx, ctx.x, zs);
        const kl = (
          prior.klFromGaussian
            ? tf.mean(prior.klFromGaussian(post.mu, post.logvar))
            : tf.mean(tf.sub(tf.sum(logNormal(zs, post.mu, post.logvar), 1), prior.logProb(zs)))
        ) as tf.Scalar;
        const B = zs.shape[0];
        const pz = prior.sample(B, (label) => ctx.seed(`prior:${label}`));
        let div: tf.Scalar;
        if (p.divergence === 'kl') {
          const logQz = tf.sub(
            tf.logSumExp(
              tf.sum(logNormal(tf.expandDims(pz, 1), tf.expandDims(post.mu, 0), tf.expandDims(post.logvar, 0)), 2),
              1,
            ),
            Math.log(B),
          );
          div = tf.mean(tf.sub(prior.logProb(pz), logQz)) as tf.Scalar;
        } else {
          div = imqMmd(zs, pz);
        }
        const b = scheduleValue(p.beta, ctx.step),
          a = scheduleValue(p.alpha, ctx.step);
        return {
          loss: combine(ctx, recon, tf.add(tf.mul(b, kl), tf.mul(a, div)) as tf.Scalar),
          terms: { recon, kl, divergence: div },
        };
      },
      representation: meanRepresentation,
    };
  },
});
