import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { parseLoss, blur, gaussianTaps } from '../../src/losses/index.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm', quiet: true });
});

const t4 = (v: number[], shape: [number, number, number, number]) => tf.tensor4d(v, shape);

describe('reconstruction losses', () => {
  it('mse, mae and bce sum over pixels per observation (hand-computed)', async () => {
    const x = t4([0, 1, 1, 0], [1, 2, 2, 1]);
    const y = t4([0.5, 0.5, 1, -1], [1, 2, 2, 1]);
    expect((await parseLoss('mse')).perObservation(x, y).dataSync()[0]).toBeCloseTo(0.25 + 0.25 + 0 + 1, 6);
    expect((await parseLoss('mae')).perObservation(x, y).dataSync()[0]).toBeCloseTo(0.5 + 0.5 + 0 + 1, 6);
    // bce with logits l against x: log(1+e^l) − x·l
    const bce = [
      Math.log1p(Math.exp(0.5)),
      Math.log1p(Math.exp(0.5)) - 0.5,
      Math.log1p(Math.exp(1)) - 1,
      Math.log1p(Math.exp(-1)),
    ];
    expect((await parseLoss('bce')).perObservation(x, y).dataSync()[0]).toBeCloseTo(
      bce.reduce((a, b) => a + b),
      5,
    );
    expect((await parseLoss('bernoulli')).spec).toBe('bernoulli');
  });
  it('continuous Bernoulli log-normaliser is continuous through λ = 1/2', async () => {
    const l = await parseLoss('cbernoulli');
    const x = t4([0.3], [1, 1, 1, 1]);
    const vals = [-0.2, -0.041, -0.039, 0, 0.039, 0.041, 0.2].map(
      (logit) => l.perObservation(x, t4([logit], [1, 1, 1, 1])).dataSync()[0],
    );
    for (let i = 1; i < vals.length; i++) expect(Math.abs(vals[i] - vals[i - 1])).toBeLessThan(0.05);
    // at λ = 1/2 exactly: bce(0.3, 0.5) − log 2 = log 2 − log 2 = 0
    expect(vals[3]).toBeCloseTo(0, 5);
  });
  it('normal and laplace are negative log-likelihoods with their scale', async () => {
    const x = t4([1], [1, 1, 1, 1]),
      y = t4([0.5], [1, 1, 1, 1]);
    expect((await parseLoss('laplace')).perObservation(x, y).dataSync()[0]).toBeCloseTo(0.5 / 0.1 + Math.log(0.2), 5);
    expect((await parseLoss('normal:2')).perObservation(x, y).dataSync()[0]).toBeCloseTo(
      0.25 / 8 + Math.log(2) + 0.5 * Math.log(2 * Math.PI),
      5,
    );
  });
  it('rejects unknown specs, listing the valid forms', async () => {
    await expect(parseLoss('mse2')).rejects.toThrow(UserError);
    await expect(parseLoss('foo')).rejects.toThrow(/valid forms are mse, mae, bce/);
    await expect(parseLoss('mse+box3')).rejects.toThrow(/valid forms/);
    await expect(parseLoss('mse:2')).rejects.toThrow(/only normal and laplace/);
  });
});

describe('blur kernels', () => {
  it('separable box blur equals a dense zero-padded (2r+1)² box convolution', async () => {
    const rng = new Rng(1);
    const img = rng.fillUniform(new Float32Array(2 * 9 * 7 * 3));
    for (const r of [1, 3, 5]) {
      const k = 2 * r + 1;
      const x = tf.tensor4d(img, [2, 9, 7, 3]);
      const fast = blur(x, 'box', r).dataSync();
      const dense = tf.depthwiseConv2d(x, tf.fill([k, k, 3, 1], 1 / (k * k)) as tf.Tensor4D, 1, 'same').dataSync();
      for (let i = 0; i < fast.length; i++) expect(fast[i]).toBeCloseTo(dense[i], 5);
    }
  });
  it('gaussian taps sum to 1 with σ = r/4', async () => {
    const t = gaussianTaps(8);
    expect(t.length).toBe(17);
    expect(t.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
    expect(t[8 + 2] / t[8]).toBeCloseTo(Math.exp(-0.5), 5);
  });
  it('the augmented loss adds α times the blurred loss, and its gradient matches finite differences', async () => {
    const rng = new Rng(2);
    const xv = rng.fillUniform(new Float32Array(1 * 6 * 6 * 1));
    const yv = rng.fillUniform(new Float32Array(1 * 6 * 6 * 1));
    const x = tf.tensor4d(xv, [1, 6, 6, 1]);
    const aug = await parseLoss('mse+box2@10');
    const plain = await parseLoss('mse');
    const y = tf.tensor4d(yv, [1, 6, 6, 1]);
    const kx = blur(x, 'box', 2),
      ky = blur(y, 'box', 2);
    const expected = plain.perObservation(x, y).dataSync()[0] + 10 * tf.sum(tf.squaredDifference(kx, ky)).dataSync()[0];
    expect(aug.perObservation(x, y).dataSync()[0]).toBeCloseTo(expected, 4);
    const g = tf
      .grad((o: tf.Tensor) => tf.sum(aug.perObservation(x, o as tf.Tensor4D)))(y)
      .dataSync();
    const f = (v: Float32Array) => aug.perObservation(x, tf.tensor4d(v, [1, 6, 6, 1])).dataSync()[0];
    for (const i of [0, 7, 20, 35]) {
      const e = 1e-2,
        p = yv.slice(),
        m = yv.slice();
      p[i] += e;
      m[i] -= e;
      expect(g[i]).toBeCloseTo((f(p) - f(m)) / (2 * e), 2);
    }
    // perceived distance = MSE(a, b) + α·MSE(k∗a, k∗b), averaged over pixels; pairDistances agrees
    const d = aug.distance(x, y).dataSync()[0];
    expect(d).toBeCloseTo(expected / 36, 5);
    const both = tf.concat([x, y]);
    expect(aug.pairDistances(both, tf.tensor1d([0], 'int32'), tf.tensor1d([1], 'int32')).dataSync()[0]).toBeCloseTo(
      d,
      5,
    );
  });
});
