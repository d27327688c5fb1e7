/**
 * PCL, permutation-contrastive learning (Hyvärinen & Morioka, AISTATS 2017, "Nonlinear ICA of temporally
 * dependent stationary sources"): the non-variational baseline of Klindt et al. (ICLR 2021) and Zietlow et al.
 * (ICML 2021). A deterministic encoder h (one output per latent) and the regression function's parameters are
 * trained by logistic regression to tell real temporal pairs (x_t, x_{t+1}) (batch kind 'temporal') from pairs
 * whose x_t is replaced by the x_t of a random other pair of the batch:
 *
 *   r(x_{t+1}, x_t) = Σ_d B_d(h_d(x_{t+1}), h_d(x_t)) + e,   B_d(y₁, y₂) = −|a_d·y₁ + b_d·y₂ + c_d| + y₁²
 *   loss = mean over the 2B pairs of −log σ(r) (real) and −log(1 − σ(r)) (permuted)
 *
 * B_d is the Laplace-like form of PCL's paper as Klindt et al.'s code parameterises it (scripts/solver.py,
 * `r_func`): a_d, b_d, c_d and e are learned with the encoder (the trainer's Adam), starting at a = 1, b = −1,
 * c = 0, e = 0 (so r starts as −Σ|h(x_{t+1}) − h(x_t)| + ‖h(x_{t+1})‖²); the quadratic term has no learned
 * weight there, nor here. The permuted x_t comes from a uniform shuffle of the batch's x_t, as their
 * `torch.randperm` (a pair left in place is a mislabelled negative: about one per batch).
 * There is no decoder (`usesDecoder: false`): the run has no reconstructions or traversals, and the
 * representation for metrics is h(x) itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineFramework } from './define.js';
import { Rng } from '../util/rng.js';

/** r for codes of x_{t+1} (h1) and x_t (h2), [N, z] each, given the parameters a, b, c [z] and e [1]: [N]. */
export function pclLogits(h1: tf.Tensor2D, h2: tf.Tensor2D, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) {
  const q = tf.sum(tf.abs(tf.add(tf.add(tf.mul(a, h1), tf.mul(b, h2)), c)), 1);
  return tf.add(tf.sub(tf.sum(tf.square(h1), 1), q), e) as tf.Tensor1D;
}

export const pcl = defineFramework({
  name: 'pcl',
  description: 'PCL (Hyvärinen & Morioka): an encoder alone, logistic regression of real vs permuted temporal pairs',
  schema: z.object({}).strict(),
  create: (_p, args) => {
    const a = tf.variable(tf.ones([args.zDim]), true);
    const b = tf.variable(tf.fill([args.zDim], -1), true);
    const c = tf.variable(tf.zeros([args.zDim]), true);
    const e = tf.variable(tf.zeros([1]), true);
    const params = [a, b, c, e];
    return {
      name: 'pcl',
      batchKind: 'temporal',
      encoderOutputsPerLatent: 1,
      usesDecoder: false,
      extraVariables: () => params,
      loss(ctx) {
        const B = ctx.x.shape[0] / 2;
        const h = ctx.model.encode(ctx.x);
        const hT = tf.slice(h, [0, 0], [B, -1]) as tf.Tensor2D;
        const hNext = tf.slice(h, [B, 0], [B, -1]) as tf.Tensor2D;
        const order = new Rng(ctx.seed('permute')).shuffle(Int32Array.from({ length: B }, (_, i) => i)) as Int32Array;
        const hShuffled = tf.gather(hT, tf.tensor1d(order, 'int32'));
        const real = pclLogits(hNext, hT, a, b, c, e);
        const fake = pclLogits(hNext, hShuffled, a, b, c, e);
        // binary cross-entropy with logits: −log σ(r) = softplus(−r), −log(1 − σ(r)) = softplus(r)
        const loss = tf.mean(tf.concat([tf.softplus(tf.neg(real)), tf.softplus(fake)])) as tf.Scalar;
        const accuracy = tf.mean(
          tf.concat([tf.cast(tf.greater(real, 0), 'float32'), tf.cast(tf.lessEqual(fake, 0), 'float32')]),
        ) as tf.Scalar;
        return { loss, terms: { logistic: loss, accuracy } };
      },
      representation: (hh) => hh,
      dispose: () => params.forEach((v) => v.dispose()),
    };
  },
});
