/** Observations of a dataset as plain arrays (N·H·W·C float32 in [0, 1]) or as an NHWC tensor. */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors.js';
import type { GroundTruthDataset } from './types.js';

export function renderObservations(
  ds: GroundTruthDataset,
  indices: ArrayLike<number>,
  out?: Float32Array,
): Float32Array {
  const D = ds.obsShape[0] * ds.obsShape[1] * ds.obsShape[2];
  const buf = out ?? new Float32Array(indices.length * D);
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i];
    if (!(idx >= 0 && idx < ds.size))
      throw new UserError(`index ${idx} is out of range for '${ds.name}' (0 … ${ds.size - 1})`);
    ds.renderInto(idx, buf, i * D);
  }
  return buf;
}

/** A batch of observations as an NHWC tensor. */
export function batchTensor(ds: GroundTruthDataset, indices: ArrayLike<number>): tf.Tensor4D {
  return tf.tensor4d(renderObservations(ds, indices), [indices.length, ...ds.obsShape] as [
    number,
    number,
    number,
    number,
  ]);
}
