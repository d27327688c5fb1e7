/**
 * Reconstruction losses named by spec strings (frameworks.md):
 *   mse | mae | bce (= bernoulli) | cbernoulli | normal[:scale] | laplace[:scale]
 *   <base>+box<r>@<weight> | <base>+gauss<r>@<weight>   (Michlo et al.'s augmented loss, e.g. mse+box31@3969)
 * Per observation the loss is summed over H, W, C (the field's convention); frameworks average over the batch.
 */
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../util/errors.js';
import type { ReconstructionLoss } from './types.js';
import { blur, type BlurKind } from './kernels.js';

export const lossSpecForms = [
  'mse',
  'mae',
  'bce',
  'bernoulli',
  'cbernoulli',
  'normal[:scale]',
  'laplace[:scale]',
  '<base>+box<r>@<weight> (e.g. mse+box31@3969)',
  '<base>+gauss<r>@<weight>',
];

const sumHWC = (t: tf.Tensor) => tf.sum(t, [1, 2, 3]) as tf.Tensor1D;
const meanHWC = (t: tf.Tensor) => tf.mean(t, [1, 2, 3]) as tf.Tensor1D;
const EPS = 1e-6;

/** Element-wise loss of target images `x` against predicted images `p` (both in [0, 1] for image losses). */
interface BaseLoss {
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

function baseLoss(name: string, scale: number | undefined): BaseLoss {
  const clip = (o: tf.Tensor4D) => tf.clipByValue(o, 0, 1) as tf.Tensor4D;
  const id = (o: tf.Tensor4D) => o;
  const sig = (o: tf.Tensor4D) => tf.sigmoid(o) as tf.Tensor4D;
  switch (name) {
    case 'mse':
      return {
        name,
        elementwise: (x, o) => tf.squaredDifference(x, o) as tf.Tensor4D,
        imageElementwise: (a, b) => tf.squaredDifference(a, b) as tf.Tensor4D,
        activate: clip,
        predict: id,
      };
    case 'mae':
      return {
        name,
        elementwise: (x, o) => tf.abs(tf.sub(x, o)) as tf.Tensor4D,
        imageElementwise: (a, b) => tf.abs(tf.sub(a, b)) as tf.Tensor4D,
        activate: clip,
        predict: id,
      };
    case 'bce':
    case 'bernoulli':
      return {
        name: 'bce',
        elementwise: (x, o) => bceWithLogits(x, o) as tf.Tensor4D,
        imageElementwise: (a, b) => bceOnProbabilities(a, b) as tf.Tensor4D,
        activate: sig,
        predict: sig,
      };
    case 'cbernoulli':
      return {
        name,
        elementwise: (x, o) => tf.sub(bceWithLogits(x, o), cbLogNorm(tf.sigmoid(o))) as tf.Tensor4D,
        imageElementwise: (a, b) => tf.sub(bceOnProbabilities(a, b), cbLogNorm(b)) as tf.Tensor4D,
        activate: sig,
        predict: sig,
      };
    case 'normal': {
      // −log N(x; x̂, s²) = (x − x̂)²/(2s²) + log s + ½ log 2π
      const s = scale ?? 1;
      const c = Math.log(s) + 0.5 * Math.log(2 * Math.PI);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.add(tf.div(tf.squaredDifference(a, b), 2 * s * s), c) as tf.Tensor4D;
      return { name: `normal:${s}`, elementwise: f, imageElementwise: f, activate: clip, predict: id };
    }
    case 'laplace': {
      // −log Laplace(x; x̂, b) = |x − x̂|/b + log 2b  (b = 0.1 in Mathieu et al.)
      const b = scale ?? 0.1;
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.add(tf.div(tf.abs(tf.sub(x, y)), b), Math.log(2 * b)) as tf.Tensor4D;
      return { name: `laplace:${b}`, elementwise: f, imageElementwise: f, activate: clip, predict: id };
    }
    default:
      throw new UserError(`unknown reconstruction loss '${name}': valid forms are ${lossSpecForms.join(', ')}`);
  }
}

/** Parse a loss spec string into a ReconstructionLoss. */
export function parseLoss(spec: string): ReconstructionLoss {
  const s = String(spec).trim().toLowerCase();
  const m = /^([a-z]+)(?::([0-9.eE+-]+))?(?:\+(box|gauss)(\d+)@([0-9.eE+-]+))?$/.exec(s);
  if (!m) throw new UserError(`cannot parse loss spec '${spec}': valid forms are ${lossSpecForms.join(', ')}`);
  const [, baseName, scaleStr, kind, radiusStr, weightStr] = m;
  const scale = scaleStr !== undefined ? Number(scaleStr) : undefined;
  if (scale !== undefined && !(scale > 0)) throw new UserError(`loss '${spec}': scale must be > 0`);
  if (scale !== undefined && baseName !== 'normal' && baseName !== 'laplace')
    throw new UserError(`loss '${spec}': only normal and laplace take a scale`);
  const base = baseLoss(baseName, scale);
  if (!kind) {
    return {
      spec: scale !== undefined ? base.name : baseName,
      perObservation: (x, o) => sumHWC(base.elementwise(x, o)),
      activate: base.activate,
      distance: (a, b) => meanHWC(base.imageElementwise(a, b)),
      pairDistances: (x, i, j) => meanHWC(base.imageElementwise(tf.gather(x, i), tf.gather(x, j))),
    };
  }
  const r = Number(radiusStr);
  const weight = Number(weightStr);
  if (!(Number.isFinite(weight) && weight >= 0))
    throw new UserError(`loss '${spec}': the weight after @ must be a number ≥ 0`);
  if (!(r >= 0 && r <= 256)) throw new UserError(`loss '${spec}': radius must be in 0 … 256`);
  const k = (t: tf.Tensor4D) => blur(t, kind as BlurKind, r);
  // L = L_base(x, x̂) + α·L_base(k∗x, k∗x̂); the kernel is fixed (no gradient into it).
  return {
    spec: `${base.name}+${kind}${r}@${weightStr}`,
    perObservation: (x, o) =>
      tf.add(
        sumHWC(base.elementwise(x, o)),
        tf.mul(weight, sumHWC(base.imageElementwise(k(x), k(base.predict(o))))),
      ) as tf.Tensor1D,
    activate: base.activate,
    distance: (a, b) =>
      tf.add(
        meanHWC(base.imageElementwise(a, b)),
        tf.mul(weight, meanHWC(base.imageElementwise(k(a), k(b)))),
      ) as tf.Tensor1D,
    pairDistances: (x, i, j) => {
      const kx = k(x); // blur each image once, not once per pair
      return tf.add(
        meanHWC(base.imageElementwise(tf.gather(x, i), tf.gather(x, j))),
        tf.mul(weight, meanHWC(base.imageElementwise(tf.gather(kx, i), tf.gather(kx, j)))),
      ) as tf.Tensor1D;
    },
  };
}

/**
 * Per-pixel "mean" reduction (disent's option): the per-observation loss divided by H·W·C. The regulariser
 * then weighs H·W·C times more, so β must be rescaled to keep the same objective: β_mean = β_sum / (H·W·C).
 */
export function withReduction(loss: ReconstructionLoss, reduction: 'sum' | 'mean'): ReconstructionLoss {
  if (reduction === 'sum') return loss;
  return {
    ...loss,
    spec: `${loss.spec} (mean over pixels)`,
    perObservation: (x, o) => tf.div(loss.perObservation(x, o), x.shape[1] * x.shape[2] * x.shape[3]) as tf.Tensor1D,
  };
}
