/**
 * FactorVAE (Kim & Mnih, ICML 2018): loss = recon + KL + γ·TC, TC = mean(logit₀ − logit₁) of a discriminator
 * telling q(z) from the product of its marginals (z with every dimension shuffled across the batch).
 * The discriminator (6 dense layers of 1000, leaky ReLU 0.2, 2 logits) has its own Adam (lr 1e-4, β₁ 0.5,
 * β₂ 0.9), stepped in afterStep. Its weights and its Adam slots are checkpointed, so a resume is exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineFramework } from './define.js';
import { combine, klMean, meanRepresentation, reconMean, sampleNormal, splitPosterior } from './common.js';
import { scheduleSchema, scheduleValue } from './schedules.js';
import { adam } from '../engine/index.js';
import { Rng } from '../util/rng.js';

export const factorvae = defineFramework({
  name: 'factorvae',
  description: 'FactorVAE (Kim & Mnih): recon + KL + γ·TC from a density-ratio discriminator',
  schema: z
    .object({
      gamma: scheduleSchema.default(10),
      discriminatorLr: z.number().positive().default(1e-4),
      hidden: z.number().int().min(1).default(1000),
      layers: z.number().int().min(1).default(6),
    })
    .strict(),
  create: (p, args) => {
    const rng = args.rng.fork('discriminator');
    const sizes = [args.zDim, ...Array<number>(p.layers).fill(p.hidden), 2];
    const weights: tf.Variable[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const bound = 1 / Math.sqrt(sizes[i]);
      const w = rng.fillUniform(new Float32Array(sizes[i] * sizes[i + 1]), -bound, bound);
      weights.push(tf.variable(tf.tensor2d(w, [sizes[i], sizes[i + 1]]), true));
      weights.push(tf.variable(tf.tensor1d(rng.fillUniform(new Float32Array(sizes[i + 1]), -bound, bound)), true));
    }
    const discriminate = (zz: tf.Tensor2D) => {
      let h: tf.Tensor = zz;
      for (let i = 0; i < weights.length; i += 2) {
        h = tf.add(tf.matMul(h as tf.Tensor2D, weights[i] as tf.Tensor2D), weights[i + 1]);
        if (i + 2 < weights.length) h = tf.leakyRelu(h, 0.2);
      }
      return h as tf.Tensor2D;
    };
    const dOpt = adam(p.discriminatorLr, 0.5, 0.9);
    return {
      name: 'factorvae',
      batchKind: 'single',
      encoderOutputsPerLatent: 2,
      latent: 'normal',
      stateVariables: () => weights,
      stateOptimizers: () => [dOpt],
      loss(ctx) {
        const post = splitPosterior(ctx.model.encode(ctx.x));
        const zs = sampleNormal(post, ctx.seed('z'));
        const recon = reconMean(ctx, ctx.x, zs);
        const kl = klMean(post);
        const logits = discriminate(zs);
        const tc = tf.mean(tf.sub(tf.slice(logits, [0, 0], [-1, 1]), tf.slice(logits, [0, 1], [-1, 1]))) as tf.Scalar;
        return {
          loss: combine(ctx, recon, tf.add(kl, tf.mul(scheduleValue(p.gamma, ctx.step), tc)) as tf.Scalar),
          terms: { recon, kl, tc },
        };
      },
      afterStep(ctx) {
        const zs = tf.tidy(() => sampleNormal(splitPosterior(ctx.model.encode(ctx.x)), ctx.seed('discriminator:z')));
        const [B, D] = zs.shape;
        // permute each dimension independently across the batch
        const r = new Rng(ctx.seed('discriminator:permute'));
        const zv = zs.dataSync();
        const perm = new Float32Array(zv.length);
        for (let d = 0; d < D; d++) {
          const order = r.shuffle(Array.from({ length: B }, (_, i) => i)) as number[];
          for (let i = 0; i < B; i++) perm[i * D + d] = zv[order[i] * D + d];
        }
        const zp = tf.tensor2d(perm, [B, D]);
        const labels = tf.concat([tf.zeros([B], 'int32'), tf.ones([B], 'int32')]);
        const cost = dOpt.minimize(
          () => {
            const logits = discriminate(tf.concat([zs, zp]) as tf.Tensor2D);
            return tf.mean(
              tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, tf.oneHot(labels, 2)), 1)),
            ) as tf.Scalar;
          },
          true,
          weights,
        )!;
        const v = cost.dataSync()[0];
        [cost, zs, zp, labels].forEach((t) => t.dispose());
        return { discriminator_loss: v };
      },
      representation: meanRepresentation,
      dispose: () => {
        weights.forEach((w) => w.dispose());
        dOpt.dispose();
      },
    };
  },
});
