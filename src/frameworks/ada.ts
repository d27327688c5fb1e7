/**
 * Ada-GVAE / Ada-ML-VAE (Locatello et al., ICML 2020), weakly supervised on pairs (x₁, x₂) differing in k
 * factors. Per pair, dimensions whose KL(q₁‖q₂) lies below min + thresholdRatio·(max − min) are treated as
 * shared (thresholdMode 'kl', the paper's; 'symmetric-kl' uses ½KL(q₁‖q₂) + ½KL(q₂‖q₁) instead, disent's
 * default, from Michlo et al.), and both posteriors are replaced there by their average (Ada-GVAE: arithmetic mean of μ and σ²;
 * Ada-ML-VAE: average of the natural parameters, i.e. of precisions and precision-weighted means).
 * Then loss = ½(recon₁ + recon₂) + β·½(KL₁ + KL₂).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineFramework } from './define.js';
import {
  combine,
  klMean,
  meanRepresentation,
  reconMean,
  sampleNormal,
  splitPosterior,
  type Posterior,
} from './common.js';
import { scheduleSchema, scheduleValue } from './schedules.js';
import type { Framework } from './types.js';

const schema = z
  .object({
    beta: scheduleSchema.default(1),
    thresholdRatio: z.number().min(0).max(1).default(0.5),
    /** What is thresholded per dimension: 'kl' = KL(q₁‖q₂) (Locatello et al.), 'symmetric-kl' = its symmetrised mean. */
    thresholdMode: z.enum(['kl', 'symmetric-kl']).default('kl'),
  })
  .strict();

function adaptive(name: 'adagvae' | 'adamlvae', p: z.output<typeof schema>): Framework {
  return {
    name,
    batchKind: 'pairs',
    encoderOutputsPerLatent: 2,
    latent: 'normal',
    loss(ctx) {
      const B = ctx.x.shape[0] / 2;
      const all = splitPosterior(ctx.model.encode(ctx.x));
      const half = (t: tf.Tensor2D, i: number) => tf.slice(t, [i * B, 0], [B, -1]) as tf.Tensor2D;
      const mu1 = half(all.mu, 0),
        mu2 = half(all.mu, 1),
        lv1 = half(all.logvar, 0),
        lv2 = half(all.logvar, 1);
      const v1 = tf.exp(lv1),
        v2 = tf.exp(lv2);
      // KL(qa ‖ qb) per dimension
      const klDim = (mua: tf.Tensor, lva: tf.Tensor, va: tf.Tensor, mub: tf.Tensor, lvb: tf.Tensor, vb: tf.Tensor) =>
        tf.mul(0.5, tf.sub(tf.add(tf.sub(lvb, lva), tf.div(tf.add(va, tf.square(tf.sub(mua, mub))), vb)), 1));
      const kl12 = klDim(mu1, lv1, v1, mu2, lv2, v2);
      const delta =
        p.thresholdMode === 'symmetric-kl' ? tf.mul(0.5, tf.add(kl12, klDim(mu2, lv2, v2, mu1, lv1, v1))) : kl12;
      const mx = tf.max(delta, 1, true),
        mn = tf.min(delta, 1, true);
      const threshold = tf.add(mn, tf.mul(p.thresholdRatio, tf.sub(mx, mn)));
      // The shared-dimension mask is a decision, not a differentiable quantity: rebuild it from values so the
      // gradient tape does not try to differentiate the comparison.
      const shared = tf.tensor(tf.less(delta, threshold).dataSync(), delta.shape, 'bool');
      let muAvg: tf.Tensor, vAvg: tf.Tensor;
      if (name === 'adagvae') {
        muAvg = tf.mul(0.5, tf.add(mu1, mu2));
        vAvg = tf.mul(0.5, tf.add(v1, v2));
      } else {
        const prec = tf.mul(0.5, tf.add(tf.reciprocal(v1), tf.reciprocal(v2)));
        vAvg = tf.reciprocal(prec);
        muAvg = tf.mul(vAvg, tf.mul(0.5, tf.add(tf.div(mu1, v1), tf.div(mu2, v2))));
      }
      const lvAvg = tf.log(vAvg);
      const post = (mu: tf.Tensor2D, lv: tf.Tensor2D): Posterior => ({
        mu: tf.where(shared, muAvg, mu) as tf.Tensor2D,
        logvar: tf.where(shared, lvAvg, lv) as tf.Tensor2D,
      });
      const p1 = post(mu1, lv1),
        p2 = post(mu2, lv2);
      const x1 = tf.slice(ctx.x, [0, 0, 0, 0], [B, -1, -1, -1]) as tf.Tensor4D;
      const x2 = tf.slice(ctx.x, [B, 0, 0, 0], [B, -1, -1, -1]) as tf.Tensor4D;
      const z1 = sampleNormal(p1, ctx.seed('z:1')),
        z2 = sampleNormal(p2, ctx.seed('z:2'));
      const recon = tf.mul(0.5, tf.add(reconMean(ctx, x1, z1), reconMean(ctx, x2, z2))) as tf.Scalar;
      const kl = tf.mul(0.5, tf.add(klMean(p1), klMean(p2))) as tf.Scalar;
      const sharedDims = tf.mean(tf.sum(tf.cast(shared, 'float32'), 1)) as tf.Scalar;
      return {
        loss: combine(ctx, recon, tf.mul(scheduleValue(p.beta, ctx.step), kl) as tf.Scalar),
        terms: { recon, kl, sharedDims },
      };
    },
    representation: meanRepresentation,
  };
}

export const adagvae = defineFramework({
  name: 'adagvae',
  description: 'Ada-GVAE (Locatello et al.): weakly supervised pairs, shared dims averaged',
  schema,
  create: (p) => adaptive('adagvae', p),
});

export const adamlvae = defineFramework({
  name: 'adamlvae',
  description: 'Ada-ML-VAE: as Ada-GVAE, averaging natural parameters',
  schema,
  create: (p) => adaptive('adamlvae', p),
});
