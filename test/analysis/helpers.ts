import * as tf from '@tensorflow/tfjs-core';
import type { GroundTruthDataset, StateSpace } from '../../src/data/types.js';
import type { ReconstructionLoss } from '../../src/losses/types.js';
import type { Rng } from '../../src/util/rng.js';

/** A minimal state space for test datasets (C order). */
export function testStateSpace(sizes: number[]): StateSpace {
  const size = sizes.reduce((a, b) => a * b, 1);
  const toIndex = (f: ArrayLike<number>) => sizes.reduce((acc, s, i) => acc * s + f[i], 0);
  const toFactors = (index: number, out = new Int32Array(sizes.length)) => {
    for (let i = sizes.length - 1; i >= 0; i--) {
      out[i] = index % sizes[i];
      index = Math.floor(index / sizes[i]);
    }
    return out;
  };
  return {
    factorSizes: sizes,
    numFactors: sizes.length,
    size,
    toIndex,
    toFactors,
    sampleFactors: (n: number, rng: Rng) => {
      const out = new Int32Array(n * sizes.length);
      for (let i = 0; i < n; i++)
        sizes.forEach((s, k) => {
          out[i * sizes.length + k] = rng.int(s);
        });
      return out;
    },
    sampleIndices: (n: number, rng: Rng) => Float64Array.from({ length: n }, () => rng.int(size)),
  };
}

/**
 * 1-D "squares": an image 1×W×C; factor k places a bar of width `bar` in channel k at position f·spacing.
 * spacing ≥ bar: no overlap (adversarial for MSE); spacing 1: heavy overlap.
 */
export function barsDataset(numBars: number, positions: number, bar: number, spacing: number): GroundTruthDataset {
  const W = bar + (positions - 1) * spacing;
  const sizes = Array(numBars).fill(positions);
  const ss = testStateSpace(sizes);
  const f = new Int32Array(numBars);
  return {
    name: 'bars',
    factors: sizes.map((s, k) => ({ name: `x${k}`, size: s })),
    obsShape: [1, W, numBars],
    params: { spacing },
    stateSpace: ss,
    size: ss.size,
    renderInto(index, out, offset) {
      ss.toFactors(index, f);
      out.fill(0, offset, offset + W * numBars);
      for (let k = 0; k < numBars; k++)
        for (let x = f[k] * spacing; x < f[k] * spacing + bar; x++) out[offset + x * numBars + k] = 1;
    },
  };
}

/** Plain MSE perceived distance (mean over H, W, C), implemented independently of src/losses. */
export const testMse: ReconstructionLoss = {
  spec: 'mse',
  perObservation: (x, y) => tf.sum(tf.squaredDifference(x, y), [1, 2, 3]) as tf.Tensor1D,
  activate: (y) => y,
  distance: (a, b) => tf.mean(tf.squaredDifference(a, b), [1, 2, 3]) as tf.Tensor1D,
  pairDistances: (x, i, j) => tf.mean(tf.squaredDifference(tf.gather(x, i), tf.gather(x, j)), [1, 2, 3]) as tf.Tensor1D,
};
