/**
 * Reconstruction losses named by spec strings (frameworks.md):
 *   mse | mae | bce (= bernoulli) | cbernoulli | normal[:scale] | laplace[:scale]
 *   <base>+<kernel>@<weight>   (Michlo et al.'s augmented loss, e.g. mse+box31@3969), kernel one of
 *     box<r> | gauss<r> | pyr<r>x<n> | dog<r1>-<r2> | sep<t1>_…_<tn>   (the families in kernels/, one file each)
 * Per observation the loss is summed over H, W, C (the field's convention); frameworks average over the batch.
 * The augmented loss is L = L_base(x, x̂) + α·L_base(k∗x, k∗x̂), with a fixed kernel k (no gradient into it).
 * The base term keeps weight 1 (it pins perfect reconstruction as the unique minimum); α ≥ 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors.js';
import type { ReconstructionLoss } from './types.js';
import { applyKernel } from './filter.js';
import { kernels, losses } from './registry.js';
import type { KernelInstance } from './kernels/define.js';

export const lossSpecForms = [
  'mse',
  'mae',
  'bce',
  'bernoulli',
  'cbernoulli',
  'normal[:scale]',
  'laplace[:scale]',
  '<base>+<kernel>@<weight> (e.g. mse+box31@3969), kernel one of box<r>, gauss<r>, pyr<r>x<n>, dog<r1>-<r2>, sep<t1>_…_<tn>',
];

/** Base losses whose targets must be probabilities: their augment needs a kernel that keeps images in [0, 1]. */
const probabilityTargets = new Set(['bce', 'bernoulli', 'cbernoulli']);

/** A kernel that maps images in [0, 1] into [0, 1]: non-negative 2-D weights summing to at most 1. */
function keepsUnitInterval(k: KernelInstance): boolean {
  let sum = 0;
  for (const { coef, taps } of k.kernel.terms) {
    if (coef < 0 || taps.some((t) => t < 0)) return false;
    const s = taps.reduce((a, b) => a + b, 0);
    sum += coef * s * s;
  }
  return sum <= 1 + 1e-6;
}

/** The kernel written after `+` (e.g. 'box31', 'dog2-8'): family name, then its parameters. */
export async function parseKernel(text: string): Promise<KernelInstance> {
  const m = /^([a-z]+)(.*)$/.exec(text);
  if (!m || !kernels.has(m[1]))
    throw new UserError(
      `unknown kernel '${text}' in a loss spec: the families are ${kernels.names().join(', ')} ` +
        `(${(await kernels.all()).map((d) => d.syntax).join(', ')})`,
    );
  return (await kernels.get(m[1])).parse(m[2]);
}

const sumHWC = (t: tf.Tensor) => tf.sum(t, [1, 2, 3]) as tf.Tensor1D;
const meanHWC = (t: tf.Tensor) => tf.mean(t, [1, 2, 3]) as tf.Tensor1D;

/** Parse a loss spec string into a ReconstructionLoss. */
export async function parseLoss(spec: string): Promise<ReconstructionLoss> {
  const s = String(spec).trim().toLowerCase();
  const m = /^([a-z]+)(?::([0-9.eE+-]+))?(?:\+([a-z][^@]*)@([0-9.eE+-]+))?$/.exec(s);
  if (!m) throw new UserError(`cannot parse loss spec '${spec}': valid forms are ${lossSpecForms.join(', ')}`);
  const [, baseName, scaleStr, kernelText, weightStr] = m;
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
  if (!kernelText) {
    return {
      spec: scale !== undefined ? base.name : baseName,
      perObservation: (x, o) => sumHWC(base.elementwise(x, o)),
      activate: base.activate,
      distance: (a, b) => meanHWC(base.imageElementwise(a, b)),
      pairDistances: (x, i, j) => meanHWC(base.imageElementwise(tf.gather(x, i), tf.gather(x, j))),
    };
  }
  const weight = Number(weightStr);
  if (!(Number.isFinite(weight) && weight >= 0))
    throw new UserError(`loss '${spec}': the weight after @ must be a number ≥ 0`);
  const kernel = await parseKernel(kernelText);
  if (probabilityTargets.has(baseName) && !keepsUnitInterval(kernel))
    throw new UserError(
      `loss '${spec}': ${baseName} compares probabilities, so its kernel must keep images in [0, 1] ` +
        '(non-negative taps summing to at most 1: box, gauss, pyr, or such a sep); use mse or mae with this kernel',
    );
  const k = (t: tf.Tensor4D) => applyKernel(t, kernel.kernel);
  // L = L_base(x, x̂) + α·L_base(k∗x, k∗x̂); the kernel is fixed (no gradient into it).
  return {
    spec: `${base.name}+${kernel.spec}@${weightStr}`,
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
