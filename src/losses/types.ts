/**
 * Reconstruction losses, named by spec strings (`mse`, `bce`, `mse+box31@3969`, ...).
 * Contract shared by frameworks (training) and analysis (perceived distances).
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface ReconstructionLoss {
  /** The normalised spec string, e.g. 'mse+box31@3969'. */
  readonly spec: string;
  /**
   * Per-observation loss of decoder `output` (logits or raw values, as the loss expects) against
   * targets `x` in [0, 1]; summed over H, W, C → shape [N]. Frameworks average over the batch.
   */
  perObservation(x: tf.Tensor4D, output: tf.Tensor4D): tf.Tensor1D;
  /** Decoder output → image in [0, 1] (sigmoid for logit losses, clip for value losses). */
  activate(output: tf.Tensor4D): tf.Tensor4D;
  /**
   * Perceived distance (Michlo et al.): the loss of "reconstructing" image `a` as image `b`
   * (both in [0, 1]), averaged over H, W, C → shape [N].
   */
  distance(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor1D;
  /**
   * Perceived distances for index pairs (i[k], j[k]) of one set of images → shape [K]; equal to
   * distance(gather(images, i), gather(images, j)) but may transform each image once (e.g. blur).
   */
  pairDistances(images: tf.Tensor4D, i: tf.Tensor1D, j: tf.Tensor1D): tf.Tensor1D;
}
