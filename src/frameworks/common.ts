/** Pieces shared by the VAE family: splitting encoder outputs, sampling, KL terms, the β-VAE-shaped loss. */
import * as tf from '@tensorflow/tfjs-core';
import { latentDistribution, normalLatent, type LatentName } from '../nn/index.js';
import type { Framework, LossOutput, StepContext } from './types.js';

export interface Posterior {
  mu: tf.Tensor2D;
  logvar: tf.Tensor2D;
}

/** Encoder output [N, 2z] → μ, log σ². */
export function splitPosterior(h: tf.Tensor2D): Posterior {
  const z = h.shape[1] / 2;
  return { mu: tf.slice(h, [0, 0], [-1, z]) as tf.Tensor2D, logvar: tf.slice(h, [0, z], [-1, z]) as tf.Tensor2D };
}

/** Reparameterised sample z = μ + σ·ε (nn/latents' normal). */
export function sampleNormal(p: Posterior, seed: number): tf.Tensor2D {
  return normalLatent.sample(p.mu, p.logvar, seed);
}

/** Per-dimension KL(N(μ, σ²) ‖ N(0, 1)): [N, z]. */
export function klPerDim(p: Posterior): tf.Tensor2D {
  return normalLatent.klPerDim(p.mu, p.logvar);
}

/** KL summed over dimensions, averaged over the batch. */
export function klMean(p: Posterior): tf.Scalar {
  return tf.mean(tf.sum(klPerDim(p), 1)) as tf.Scalar;
}

/** Per-latent KL averaged over a batch (active / passive dimensions): [z]. */
export function perLatentKl(encoderOutput: tf.Tensor2D): tf.Tensor1D {
  return tf.mean(klPerDim(splitPosterior(encoderOutput)), 0) as tf.Tensor1D;
}

/** Reconstruction loss summed over pixels (or averaged, with lossReduction 'mean'), averaged over the batch. */
export function reconMean(ctx: StepContext, x: tf.Tensor4D, z: tf.Tensor2D): tf.Scalar {
  return tf.mean(ctx.recon.perObservation(x, ctx.model.decode(z))) as tf.Scalar;
}

/** recon + regulariserScale · regulariser: how every framework with a reconstruction adds its regulariser. */
export function combine(ctx: StepContext, recon: tf.Scalar, regulariser: tf.Scalar): tf.Scalar {
  return tf.add(
    recon,
    ctx.regulariserScale === 1 ? regulariser : tf.mul(ctx.regulariserScale, regulariser),
  ) as tf.Scalar;
}

/** Covariance of rows of x ([N, D]) with ddof 0: E[xxᵀ] − E[x]E[x]ᵀ. */
export function covariance(x: tf.Tensor2D): tf.Tensor2D {
  const n = x.shape[0];
  const m = tf.mean(x, 0, true);
  const c = tf.sub(x, m);
  return tf.div(tf.matMul(c, c, true, false), n) as tf.Tensor2D;
}

/** MMD² with an RBF kernel, k(a, b) = exp(−‖a − b‖² / (2·D)) (biased V-statistic). */
export function mmdRbf(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  const d = a.shape[1];
  const k = (x: tf.Tensor2D, y: tf.Tensor2D) => {
    const xx = tf.sum(tf.square(x), 1, true);
    const yy = tf.sum(tf.square(y), 1, true);
    const dist = tf.add(tf.sub(xx, tf.mul(2, tf.matMul(x, y, false, true))), tf.transpose(yy));
    return tf.mean(tf.exp(tf.div(tf.neg(dist), 2 * d)));
  };
  return tf.sub(tf.add(k(a, a), k(b, b)), tf.mul(2, k(a, b))) as tf.Scalar;
}

/** The representation for metrics: the encoder mean. */
export const meanRepresentation = (h: tf.Tensor2D) => splitPosterior(h).mu;

/** KL to N(0, I) for the chosen latent distribution, summed over dimensions and averaged over the batch. */
export function latentKl(latent: LatentName, p: Posterior): tf.Scalar {
  if (latent === 'normal') return klMean(p);
  return tf.mean(tf.sum(latentDistribution(latent).klPerDim(p.mu, p.logvar), 1)) as tf.Scalar;
}

export type Regulariser = (
  ctx: StepContext,
  p: Posterior,
  z: tf.Tensor2D,
) => { loss: tf.Scalar; terms: Record<string, tf.Scalar> };

/** The β-VAE shape shared by most of the family: recon(x, decode(z ~ q(z|x))) + a regulariser of q and z. */
export function vaeFramework(name: string, regulariser: Regulariser, latent: LatentName = 'normal'): Framework {
  const dist = latentDistribution(latent);
  return {
    name,
    batchKind: 'single',
    encoderOutputsPerLatent: 2,
    latent,
    loss(ctx): LossOutput {
      const p = splitPosterior(ctx.model.encode(ctx.x));
      const z = dist.sample(p.mu, p.logvar, ctx.seed('z'));
      const recon = reconMean(ctx, ctx.x, z);
      const reg = regulariser(ctx, p, z);
      return { loss: combine(ctx, recon, reg.loss), terms: { recon, ...reg.terms } };
    },
    representation: meanRepresentation,
  };
}
