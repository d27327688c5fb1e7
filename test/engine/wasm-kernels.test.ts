import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// the pure-JS reference backend these tests compare against
import '@tensorflow/tfjs-backend-cpu';
import { initEngine } from '../../src/engine/index.js';
import { Rng } from '../../src/util/rng.js';
import { transposeArrays } from '../../src/engine/wasm/layout.js';

/** Gradients of L = Σ conv(x, w) ⊙ r with respect to x and w, on one backend. */
async function convGrads(
  backend: string,
  x: Float32Array,
  xs: number[],
  w: Float32Array,
  ws: number[],
  r: Float32Array,
  stride: number,
  pad: 'same' | 'valid',
) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, xs as any),
      wt = tf.tensor4d(w, ws as any);
    const f = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      tf.sum(tf.mul(tf.conv2d(a, b, stride, pad), tf.tensor(r, tf.conv2d(a, b, stride, pad).shape)));
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor4D, b as tf.Tensor4D))([xt, wt]);
    return { gx: gx.dataSync().slice(), gw: gw.dataSync().slice(), loss: f(xt, wt).dataSync()[0] };
  });
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6,
    err = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / scale;
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm', quiet: true });
});

describe('wasm convolution gradients', () => {
  const cases: Array<[number, number, number, number, number, number, number, 'same' | 'valid']> = [];
  // [batch, H, W, inC, outC, kernel, stride, pad]
  for (const stride of [1, 2])
    for (const pad of ['same', 'valid'] as const) {
      cases.push([1, 8, 8, 1, 3, 4, stride, pad]);
      cases.push([3, 9, 7, 3, 32, 3, stride, pad]);
      cases.push([2, 16, 16, 32, 1, 4, stride, pad]);
      cases.push([2, 5, 6, 3, 3, 2, stride, pad]);
    }
  it.each(cases)(
    'batch %i, %ix%i, %i→%i channels, k%i, stride %i, %s: equals the cpu backend',
    async (n, h, w, ci, co, k, stride, pad) => {
      const rng = new Rng(n * 1000 + h * 10 + ci);
      const x = rng.fillNormal(new Float32Array(n * h * w * ci));
      const wt = rng.fillNormal(new Float32Array(k * k * ci * co));
      const outH = pad === 'same' ? Math.ceil(h / stride) : Math.ceil((h - k + 1) / stride);
      const outW = pad === 'same' ? Math.ceil(w / stride) : Math.ceil((w - k + 1) / stride);
      const r = rng.fillNormal(new Float32Array(n * outH * outW * co));
      const ref = await convGrads('cpu', x, [n, h, w, ci], wt, [k, k, ci, co], r, stride, pad);
      const got = await convGrads('wasm', x, [n, h, w, ci], wt, [k, k, ci, co], r, stride, pad);
      expect(maxRelErr(got.gx, ref.gx)).toBeLessThan(1e-5);
      expect(maxRelErr(got.gw, ref.gw)).toBeLessThan(1e-5);
    },
  );

  it('matches finite differences of the forward convolution', async () => {
    const rng = new Rng(5);
    const [n, h, w, ci, co, k] = [2, 7, 6, 3, 2, 4];
    const x = rng.fillNormal(new Float32Array(n * h * w * ci));
    const wt = rng.fillNormal(new Float32Array(k * k * ci * co));
    for (const stride of [1, 2]) {
      const outH = Math.ceil(h / stride),
        outW = Math.ceil(w / stride);
      const r = rng.fillNormal(new Float32Array(n * outH * outW * co));
      const got = await convGrads('wasm', x, [n, h, w, ci], wt, [k, k, ci, co], r, stride, 'same');
      const lossAt = (xx: Float32Array, ww: Float32Array) =>
        tf.tidy(() => {
          const y = tf.conv2d(tf.tensor4d(xx, [n, h, w, ci]), tf.tensor4d(ww, [k, k, ci, co]), stride, 'same');
          return tf.sum(tf.mul(y, tf.tensor(r, y.shape))).dataSync()[0];
        });
      const eps = 1e-2;
      for (const i of [0, 17, 55, x.length - 1]) {
        const xp = x.slice();
        xp[i] += eps;
        const xm = x.slice();
        xm[i] -= eps;
        expect(got.gx[i]).toBeCloseTo((lossAt(xp, wt) - lossAt(xm, wt)) / (2 * eps), 1);
      }
      for (const i of [0, 9, 40, wt.length - 1]) {
        const wp = wt.slice();
        wp[i] += eps;
        const wm = wt.slice();
        wm[i] -= eps;
        expect(got.gw[i]).toBeCloseTo((lossAt(x, wp) - lossAt(x, wm)) / (2 * eps), 1);
      }
    }
  });

  it('conv2dTranspose (the decoder) trains: its gradients equal the cpu backend', async () => {
    const rng = new Rng(9);
    const [n, h, w, ci, co] = [2, 4, 4, 8, 3];
    const x = rng.fillNormal(new Float32Array(n * h * w * ci));
    const f = rng.fillNormal(new Float32Array(4 * 4 * co * ci));
    const r = rng.fillNormal(new Float32Array(n * 2 * h * 2 * w * co));
    const run = async (b: string) => {
      await tf.setBackend(b);
      return tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor, k: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.conv2dTranspose(a as tf.Tensor4D, k as tf.Tensor4D, [n, 2 * h, 2 * w, co], 2, 'same'),
              tf.tensor(r, [n, 2 * h, 2 * w, co]),
            ),
          ),
        );
        return g([tf.tensor4d(x, [n, h, w, ci]), tf.tensor4d(f, [4, 4, co, ci])]).map((t) => t.dataSync().slice());
      });
    };
    const ref = await run('cpu');
    const got = await run('wasm');
    expect(maxRelErr(got[0], ref[0])).toBeLessThan(1e-5);
    expect(maxRelErr(got[1], ref[1])).toBeLessThan(1e-5);
  });

  it('UnsortedSegmentSum (gather gradient) equals the cpu backend', async () => {
    const rng = new Rng(3);
    const table = rng.fillNormal(new Float32Array(10 * 4));
    const idx = Int32Array.from([3, 1, 3, 9, 0, 3]);
    const run = async (b: string) => {
      await tf.setBackend(b);
      return tf.tidy(() =>
        tf
          .grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d(idx, 'int32')))))(
            tf.tensor2d(table, [10, 4]),
          )
          .dataSync()
          .slice(),
      );
    };
    expect(maxRelErr(await run('wasm'), await run('cpu'))).toBeLessThan(1e-6);
  });
});

describe('wasm data movement and reductions', () => {
  it.each([
    [
      [64, 5, 6, 7],
      [3, 1, 2, 0],
    ],
    [
      [4, 5, 6, 7],
      [1, 2, 0, 3],
    ],
    [
      [3, 4, 5],
      [0, 2, 1],
    ],
    [
      [6, 5],
      [1, 0],
    ],
    [
      [2, 3, 4, 5],
      [3, 2, 1, 0],
    ],
    [
      [2, 3, 4, 5],
      [0, 1, 2, 3],
    ],
  ])('transpose of %j by %j equals the cpu backend, exactly', async (shape, perm) => {
    const rng = new Rng(shape.length * 10 + perm[0]);
    const x = rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
    const ref = new Float32Array(x.length);
    transposeArrays(x, shape, perm, ref);
    await tf.setBackend('cpu');
    const cpu = tf.tidy(() => tf.transpose(tf.tensor(x, shape), perm).dataSync().slice());
    expect(Array.from(ref)).toEqual(Array.from(cpu));
  });

  it.each([
    [[64, 8, 8, 32], [0, 1, 2], false],
    [[64, 8, 8, 32], [0, 1, 2], true],
    [[5, 7, 3], [-3, 1], false],
    [[5, 7, 3], [0, 1, 2], false],
    [[6, 10], [0], false],
    [[5, 7, 3], [1, 2], false],
    [[5, 7, 3], [2], true],
  ])('sum of %j over %j (keepDims %s) equals the cpu backend', async (shape, axis, keepDims) => {
    const rng = new Rng(7);
    const x = rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
    const run = async (b: string) => {
      await tf.setBackend(b);
      return tf.tidy(() => {
        const y = tf.sum(tf.tensor(x, shape), axis, keepDims);
        return { shape: y.shape, values: y.dataSync().slice() };
      });
    };
    const ref = await run('cpu');
    const got = await run('wasm');
    expect(got.shape).toEqual(ref.shape);
    expect(maxRelErr(got.values, ref.values)).toBeLessThan(1e-5);
  });

  it('sums int32 tensors (the shipped kernel) and bias gradients of a conv layer', async () => {
    await tf.setBackend('wasm');
    const s = tf.tidy(() =>
      tf
        .sum(
          tf.tensor(
            [
              [1, 2],
              [3, 4],
            ],
            [2, 2],
            'int32',
          ),
          0,
        )
        .arraySync(),
    );
    expect(s).toEqual([4, 6]);
    const rng = new Rng(11);
    const x = rng.fillNormal(new Float32Array(3 * 6 * 6 * 4));
    const grad = async (b: string) => {
      await tf.setBackend(b);
      return tf.tidy(() =>
        tf
          .grad((bias: tf.Tensor) => tf.sum(tf.square(tf.add(tf.tensor(x, [3, 6, 6, 4]), bias))))(tf.zeros([4]))
          .dataSync()
          .slice(),
      );
    };
    expect(maxRelErr(await grad('wasm'), await grad('cpu'))).toBeLessThan(1e-5);
  });
});

describe('wasm training memory', () => {
  it('stays flat over many optimiser steps', async () => {
    await tf.setBackend('wasm');
    const { makeModel } = await import('../../src/nn/index.js');
    const model = makeModel({ architecture: 'conv64', obsShape: [16, 16, 1], zDim: 4 }, 1);
    const vars = [...model.encoderVariables, ...model.decoderVariables];
    const opt = tf.train.adam(1e-3);
    const x = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const step = () => {
      const c = opt.minimize(
        () => {
          const h = model.encode(x);
          const y = model.decode(tf.slice(h, [0, 0], [-1, 4]) as tf.Tensor2D);
          return tf.mean(tf.square(tf.sub(tf.sigmoid(y), x))) as tf.Scalar;
        },
        true,
        vars,
      )!;
      const v = c.dataSync()[0];
      c.dispose();
      return v;
    };
    for (let i = 0; i < 5; i++) step();
    const before = tf.memory();
    let first = 0,
      last = 0;
    for (let i = 0; i < 100; i++) {
      const v = step();
      if (i === 0) first = v;
      last = v;
    }
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(last).toBeLessThan(first);
    x.dispose();
    opt.dispose();
    model.dispose();
  });
});
