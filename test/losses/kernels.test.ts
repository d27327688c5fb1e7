import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import {
  applyKernel,
  denseKernel,
  filterImage,
  kernels,
  parseKernel,
  parseLoss,
  type LinearKernel,
} from '../../src/losses/index.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm', quiet: true });
});

/** Direct 2-D zero-padded 'same' correlation of NHWC images with the dense kernel: the definition. */
function direct(x: Float32Array, shape: number[], k: LinearKernel): Float64Array {
  const [n, h, w, c] = shape;
  const { radius: R, weights } = denseKernel(k);
  const m = 2 * R + 1;
  const out = new Float64Array(x.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let a = 0; a < m; a++)
            for (let d = 0; d < m; d++) {
              const yy = y + a - R,
                xs = xx + d - R;
              if (yy < 0 || yy >= h || xs < 0 || xs >= w) continue;
              s += weights[a * m + d] * x[((b * h + yy) * w + xs) * c + ch];
            }
          out[((b * h + y) * w + xx) * c + ch] = s;
        }
  return out;
}

const examples = [
  'mse+box31@3969',
  'mse+box0@1',
  'mse+gauss8@10',
  'mae+gauss3@0.5',
  'mse+pyr16x3@100',
  'mse+pyr4x2@1e-2',
  'mse+dog2-8@1000',
  'mse+dog0-4@30',
  'mse+sep0.1_0.3_1_0.3_0.1@2.5',
  'mae+sep-0.2_1_-0.2@10',
  'mse+sep0.25@4',
  'bce+gauss4@3',
  'bce+pyr8x2@3',
  'normal:0.5+dog1-3@2',
];

describe('loss grammar: kernel families', () => {
  it('every family round-trips through the grammar (format(parse(s)) = s)', async () => {
    for (const s of examples) expect((await parseLoss(s)).spec).toBe(s);
    // every family is exercised by the examples
    const used = new Set(examples.map((s) => /\+([a-z]+)/.exec(s)![1]));
    expect([...used].sort()).toEqual([...kernels.names()].sort());
  });

  it("every kernel on a family's search grid round-trips, and the grids are non-empty (sep is learned)", async () => {
    for (const def of await kernels.all()) {
      const grid = def.grid(64);
      if (def.name === 'sep') expect(grid).toEqual([]);
      else expect(grid.length).toBeGreaterThan(3);
      for (const k of grid) {
        expect((await parseKernel(k.spec)).spec).toBe(k.spec);
        expect((await parseLoss(`mse+${k.spec}@7`)).spec).toBe(`mse+${k.spec}@7`);
      }
    }
  });

  it('rejects unknown families (listing them), bad parameters and kernels that break bce', async () => {
    await expect(parseLoss('mse+blob3@1')).rejects.toThrow(/families are box, gauss, pyr, dog, sep/);
    await expect(parseLoss('mse+dog8-2@1')).rejects.toThrow(/first radius must be smaller/);
    await expect(parseLoss('mse+pyr4x5@1')).rejects.toThrow(/smallest radius/);
    await expect(parseLoss('mse+sep1_2@1')).rejects.toThrow(/odd number of taps/);
    await expect(parseLoss('mse+sep1,2,1@1')).rejects.toThrow(/sep<t1>_<t2>/);
    await expect(parseLoss('mse+box300@1')).rejects.toThrow(/kernel 'box300'/);
    await expect(parseLoss('bce+dog2-8@1')).rejects.toThrow(/keep images in \[0, 1\]/);
    await expect(parseLoss('bce+sep0.5_1_0.5@1')).rejects.toThrow(/keep images in \[0, 1\]/);
    expect((await parseLoss('bce+sep0.25_0.5_0.25@1')).spec).toBe('bce+sep0.25_0.5_0.25@1');
  });

  it('each filter (tensors and typed arrays) equals a direct 2-D zero-padded convolution on random images', async () => {
    const rng = new Rng(3);
    const shape = [2, 9, 13, 2];
    const x = rng.fillUniform(new Float32Array(2 * 9 * 13 * 2));
    // some background zeros, as the datasets have (the typed-array filter skips them)
    for (let i = 0; i < x.length; i += 3) x[i] = 0;
    const specs = ['box2', 'box12', 'gauss5', 'gauss20', 'pyr6x3', 'dog1-6', 'sep0.1_0.5_1_-0.3_0.2', 'box0'];
    for (const spec of specs) {
      const k = await parseKernel(spec);
      const want = direct(x, shape, k.kernel);
      const viaTensors = tf.tidy(() =>
        applyKernel(tf.tensor4d(x, shape as [number, number, number, number]), k.kernel),
      );
      const got = viaTensors.dataSync();
      viaTensors.dispose();
      const [, h, w, c] = shape;
      const typed = new Float32Array(x.length);
      const tmp = new Float32Array(h * w * c);
      for (let b = 0; b < 2; b++) filterImage(x, b * h * w * c, h, w, c, k.kernel, typed, b * h * w * c, tmp);
      for (let i = 0; i < want.length; i++) {
        expect(got[i], `${spec} tensors at ${i}`).toBeCloseTo(want[i], 5);
        expect(typed[i], `${spec} typed arrays at ${i}`).toBeCloseTo(want[i], 5);
      }
    }
  });

  it('a difference of Gaussians sums to 0 and its augment is ≥ 0 and 0 at a = b', async () => {
    const k = await parseKernel('dog2-8');
    expect(denseKernel(k.kernel).weights.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 9);
    const loss = await parseLoss('mse+dog2-8@100');
    const rng = new Rng(5);
    const a = tf.tensor4d(rng.fillUniform(new Float32Array(2 * 8 * 8)), [2, 8, 8, 1]);
    const b = tf.tensor4d(rng.fillUniform(new Float32Array(2 * 8 * 8)), [2, 8, 8, 1]);
    const same = loss.distance(a, a).dataSync();
    const plain = (await parseLoss('mse')).distance(a, b).dataSync();
    const aug = loss.distance(a, b).dataSync();
    for (let i = 0; i < 2; i++) {
      expect(same[i]).toBe(0);
      expect(aug[i]).toBeGreaterThan(plain[i]);
    }
  });
});
