/**
 * Reconstruction losses named by spec strings (frameworks.md):
 *   mse | mae | bce (= bernoulli) | cbernoulli | normal[:scale] | laplace[:scale]
 *   <base>+box<r>@<weight> | <base>+gauss<r>@<weight>   (Michlo et al.'s augmented loss, e.g. mse+box31@3969)
 * Per observation the loss is summed over H, W, C (the field's convention); frameworks average over the batch.
 * The augmented loss is L = L_base(x, x̂) + α·L_base(k∗x, k∗x̂), with a fixed kernel k (no gradient into it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors.js';
import type { ReconstructionLoss } from './types.js';
import { blur, type BlurKind } from './kernels.js';
import { losses } from './registry.js';

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

/** Parse a loss spec string into a ReconstructionLoss. */
export async function parseLoss(spec: string): Promise<ReconstructionLoss> {
  const s = String(spec).trim().toLowerCase();
  const m = /^([a-z]+)(?::([0-9.eE+-]+))?(?:\+(box|gauss)(\d+)@([0-9.eE+-]+))?$/.exec(s);
  if (!m) throw new UserError(`cannot parse loss spec '${spec}': valid forms are ${lossSpecForms.join(', ')}`);
  const [, baseName, scaleStr, kind, radiusStr, weightStr] = m;
  const scale = scaleStr !== undefined ? Number(scaleStr) : undefined;
  if (scale !== undefined && !(scale > 0)) throw new UserError(`loss '${spec}': scale must be > 0`);
  if (!losses.has(baseName))
    throw new UserError(`unknown reconstruction loss '${baseName}': valid forms are ${lossSpecForms.join(', ')}`);
  const def = await losses.get(baseName);
  if (scale !== undefined && def.defaultScale === undefined) {
    const scaled = (await losses.all()).filter((d) => d.defaultScale !== undefined).map((d) => d.name);
    throw new UserError(`loss '${spec}': only ${scaled.join(' and ')} take a scale`);
  }
  const base = def.create(scale);
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
 * Per-pixel "mean" reduction (disent's option): the per-observation loss divided by H·W·C. The trainer then
 * averages the regulariser over latents too (StepContext.regulariserScale = 1/z), as disent does.
 */
export function withReduction(loss: ReconstructionLoss, reduction: 'sum' | 'mean'): ReconstructionLoss {
  if (reduction === 'sum') return loss;
  return {
    ...loss,
    spec: `${loss.spec} (mean over pixels)`,
    perObservation: (x, o) => tf.div(loss.perObservation(x, o), x.shape[1] * x.shape[2] * x.shape[3]) as tf.Tensor1D,
  };
}
