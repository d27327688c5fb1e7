/**
 * The base reconstruction losses (frameworks.md), one definition each: element-wise loss of decoder output
 * against targets, of one image standing in for another (perceived distance, kernel terms), and the output's
 * activation for pictures.
 *   mse: (x − x̂)²  ·  mae: |x − x̂|  ·  bce: sigmoid cross-entropy with logits  ·  cbernoulli: bce − log C(λ)
 *   normal:s: (x − x̂)²/(2s²) + log s + ½ log 2π  ·  laplace:b: |x − x̂|/b + log 2b
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Definition } from '../registry/index.js';

const EPS = 1e-6;

/** Element-wise loss of target images `x` against predicted images `p` (both in [0, 1] for image losses). */
export interface BaseLoss {
  name: string;
  /** Element-wise loss of raw decoder output against targets. */
  elementwise(x: tf.Tensor4D, output: tf.Tensor4D): tf.Tensor4D;
  /** Element-wise loss of an image `b` standing in for target `a` (perceived distance, kernel terms). */
  imageElementwise(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D;
  /** Output → image for pictures (clipped to [0, 1]). */
  activate(output: tf.Tensor4D): tf.Tensor4D;
  /** Output → prediction in image space, differentiable (sigmoid for logit losses, identity otherwise). */
  predict(output: tf.Tensor4D): tf.Tensor4D;
}

export interface BaseLossDefinition extends Definition {
  /** The scale parameter's default, for losses written `name:scale`; undefined when the loss takes none. */
  readonly defaultScale?: number;
  create(scale?: number): BaseLoss;
}

/** A base loss from its element-wise functions (typed helper for the registry). */
export function defineLoss(d: BaseLossDefinition): BaseLossDefinition {
  return d;
}

function bceWithLogits(x: tf.Tensor, l: tf.Tensor): tf.Tensor {
  // max(l, 0) − l·x + log(1 + e^(−|l|)): stable for any logit
  return tf.add(tf.sub(tf.relu(l), tf.mul(l, x)), tf.log1p(tf.exp(tf.neg(tf.abs(l)))));
}
function bceOnProbabilities(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const p = tf.clipByValue(b, EPS, 1 - EPS);
  return tf.neg(tf.add(tf.mul(a, tf.log(p)), tf.mul(tf.sub(1, a), tf.log(tf.sub(1, p)))));
}

/**
 * log C(λ) of the continuous Bernoulli (Loaiza-Ganem & Cunningham 2019): C(λ) = 2·atanh(1 − 2λ)/(1 − 2λ),
 * with its Taylor expansion log 2 + (4/3)·u² + (104/45)·u⁴ in u = λ − 1/2 near λ = 0.5 where the closed form is 0/0.
 */
function cbLogNorm(lambda: tf.Tensor): tf.Tensor {
  const l = tf.clipByValue(lambda, EPS, 1 - EPS);
  const u = tf.sub(l, 0.5);
  const near = tf.less(tf.abs(u), 0.02);
  const safeU = tf.where(near, tf.fill(u.shape, 0.1), u);
  const t = tf.mul(-2, safeU); // 1 − 2λ
  const atanh = tf.mul(0.5, tf.log(tf.div(tf.add(1, t), tf.sub(1, t))));
  const exact = tf.log(tf.div(tf.mul(2, atanh), t));
  const u2 = tf.square(u);
  const taylor = tf.add(Math.log(2), tf.add(tf.mul(4 / 3, u2), tf.mul(104 / 45, tf.square(u2))));
  return tf.where(near, taylor, exact);
}

const clip = (o: tf.Tensor4D) => tf.clipByValue(o, 0, 1) as tf.Tensor4D;
const id = (o: tf.Tensor4D) => o;
const sig = (o: tf.Tensor4D) => tf.sigmoid(o) as tf.Tensor4D;

export const mse = defineLoss({
  name: 'mse',
  description: 'squared error Σ (x − x̂)², decoder output taken as the image',
  create: () => ({
    name: 'mse',
    elementwise: (x, o) => tf.squaredDifference(x, o) as tf.Tensor4D,
    imageElementwise: (a, b) => tf.squaredDifference(a, b) as tf.Tensor4D,
    activate: clip,
    predict: id,
  }),
});

export const mae = defineLoss({
  name: 'mae',
  description: 'absolute error Σ |x − x̂|',
  create: () => ({
    name: 'mae',
    elementwise: (x, o) => tf.abs(tf.sub(x, o)) as tf.Tensor4D,
    imageElementwise: (a, b) => tf.abs(tf.sub(a, b)) as tf.Tensor4D,
    activate: clip,
    predict: id,
  }),
});

const bceBase = (): BaseLoss => ({
  name: 'bce',
  elementwise: (x, o) => bceWithLogits(x, o) as tf.Tensor4D,
  imageElementwise: (a, b) => bceOnProbabilities(a, b) as tf.Tensor4D,
  activate: sig,
  predict: sig,
});
export const bce = defineLoss({ name: 'bce', description: 'Bernoulli cross-entropy on logits', create: bceBase });
export const bernoulli = defineLoss({ name: 'bernoulli', description: 'the same as bce', create: bceBase });

export const cbernoulli = defineLoss({
  name: 'cbernoulli',
  description: 'continuous Bernoulli (bce with its log normalising constant)',
  create: () => ({
    name: 'cbernoulli',
    elementwise: (x, o) => tf.sub(bceWithLogits(x, o), cbLogNorm(tf.sigmoid(o))) as tf.Tensor4D,
    imageElementwise: (a, b) => tf.sub(bceOnProbabilities(a, b), cbLogNorm(b)) as tf.Tensor4D,
    activate: sig,
    predict: sig,
  }),
});

export const normal = defineLoss({
  name: 'normal',
  description: 'Gaussian negative log-likelihood with fixed scale (normal:s, default 1)',
  defaultScale: 1,
  create: (s = 1) => {
    // −log N(x; x̂, s²) = (x − x̂)²/(2s²) + log s + ½ log 2π
    const c = Math.log(s) + 0.5 * Math.log(2 * Math.PI);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.add(tf.div(tf.squaredDifference(a, b), 2 * s * s), c) as tf.Tensor4D;
    return { name: `normal:${s}`, elementwise: f, imageElementwise: f, activate: clip, predict: id };
  },
});

export const laplace = defineLoss({
  name: 'laplace',
  description: 'Laplace negative log-likelihood with fixed scale (laplace:b, default 0.1 as in Mathieu et al.)',
  defaultScale: 0.1,
  create: (b = 0.1) => {
    // −log Laplace(x; x̂, b) = |x − x̂|/b + log 2b
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.add(tf.div(tf.abs(tf.sub(x, y)), b), Math.log(2 * b)) as tf.Tensor4D;
    return { name: `laplace:${b}`, elementwise: f, imageElementwise: f, activate: clip, predict: id };
  },
});
