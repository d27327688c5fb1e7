/**
 * DIP-VAE (Kumar et al., ICLR 2018): loss = recon + KL + λ_od Σ_{i≠j} C_ij² + λ_d Σ_i (C_ii − 1)², where
 *   DIP-VAE-I:  C = Cov_batch(μ),                    λ_d = 10·λ_od by default;
 *   DIP-VAE-II: C = Cov_batch(μ) + mean_batch diag(σ²), λ_d = λ_od by default.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineFramework } from './define.js';
import { covariance, klMean, vaeFramework } from './common.js';

const schema = z.object({ lambdaOd: z.number().min(0).default(10), lambdaD: z.number().min(0).optional() }).strict();

function dip(name: 'dipvae1' | 'dipvae2', p: z.output<typeof schema>) {
  const lambdaD = p.lambdaD ?? (name === 'dipvae1' ? 10 * p.lambdaOd : p.lambdaOd);
  return vaeFramework(name, (_ctx, post) => {
    const kl = klMean(post);
    const D = post.mu.shape[1];
    const eye = tf.eye(D);
    let cov = covariance(post.mu);
    // DIP-VAE-II: + diag(E[σ²]), built as eye ⊙ row, which has a gradient (tf.diag has none)
    if (name === 'dipvae2') cov = tf.add(cov, tf.mul(eye, tf.expandDims(tf.mean(tf.exp(post.logvar), 0), 0)));
    const diag = tf.mul(cov, eye);
    const off = tf.sub(cov, diag);
    const reg = tf.add(
      tf.mul(p.lambdaOd, tf.sum(tf.square(off))),
      tf.mul(lambdaD, tf.sum(tf.square(tf.sub(tf.sum(diag, 1), 1)))),
    ) as tf.Scalar;
    return { loss: tf.add(kl, reg) as tf.Scalar, terms: { kl, dip: reg } };
  });
}

export const dipvae1 = defineFramework({
  name: 'dipvae1',
  description:
    'DIP-VAE-I (Kumar et al.): KL + λ_od Σ_{i≠j} Cov(μ)_ij² + λ_d Σ (Cov(μ)_ii − 1)², λ_d = 10·λ_od by default',
  schema,
  create: (p) => dip('dipvae1', p),
});

export const dipvae2 = defineFramework({
  name: 'dipvae2',
  description: 'DIP-VAE-II: as DIP-VAE-I on Cov(μ) + mean diag(σ²), λ_d = λ_od by default',
  schema,
  create: (p) => dip('dipvae2', p),
});
