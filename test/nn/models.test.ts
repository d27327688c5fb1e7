/**
 * disent's conv architecture ('conv64-disent': the encoder's convs pad 2, a 1600-wide flatten) and the weight
 * initialisations ('pytorch', 'xavier-normal'), on the wasm backend and, where the addon is built, on torch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { adam, initEngine } from '../../src/engine/index.js';
import { addonUnavailableReason } from '../../src/engine/torch/native.js';
import { makeModel, type ModelSpec } from '../../src/nn/index.js';
import { Rng } from '../../src/util/rng.js';

const torchReason = addonUnavailableReason();

beforeAll(async () => {
  if (torchReason === null) await initEngine({ backend: 'torch', quiet: true });
  await initEngine({ backend: 'wasm', quiet: true });
});

const spec = (over: Partial<ModelSpec> = {}): ModelSpec => ({
  architecture: 'conv64-disent',
  obsShape: [64, 64, 3],
  zDim: 9,
  ...over,
});

const values = (v: tf.Variable) => Array.from(v.dataSync());
const std = (a: number[]) => {
  const m = a.reduce((s, x) => s + x, 0) / a.length;
  return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length);
};

describe('conv64-disent', () => {
  it("has disent's shapes: 64 → 33 → 17 → 9 → 5, a 1600-wide dense, conv64's decoder", () => {
    const m = makeModel(spec(), 0);
    expect(m.encoderVariables.map((v) => v.shape)).toEqual([
      [4, 4, 3, 32],
      [32],
      [4, 4, 32, 32],
      [32],
      [4, 4, 32, 64],
      [64],
      [4, 4, 64, 64],
      [64],
      [1600, 256],
      [256],
      [256, 18],
      [18],
    ]);
    const ref = makeModel(spec({ architecture: 'conv64' }), 0);
    expect(m.decoderVariables.map((v) => v.shape)).toEqual(ref.decoderVariables.map((v) => v.shape));
    const x = tf.zeros([2, 64, 64, 3]) as tf.Tensor4D;
    expect(m.encode(x).shape).toEqual([2, 18]);
    expect(m.decode(tf.zeros([2, 9]) as tf.Tensor2D).shape).toEqual([2, 64, 64, 3]);
    m.dispose();
    ref.dispose();
  });

  it('pads 2 on every side: the first conv equals a valid conv of the zero-padded input', () => {
    const m = makeModel(spec({ obsShape: [16, 16, 1], zDim: 2 }), 3);
    const [w, b] = m.encoderVariables;
    const rng = new Rng(5);
    const x = tf.tensor4d(rng.fillNormal(new Float32Array(16 * 16)), [1, 16, 16, 1]);
    const padded = tf.pad(x, [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ]);
    const expected = tf.relu(tf.add(tf.conv2d(padded, w as tf.Variable<tf.Rank.R4>, 2, 'valid'), b));
    const got = tf.relu(tf.add(tf.conv2d(x, w as tf.Variable<tf.Rank.R4>, 2, 2), b));
    expect(got.shape).toEqual([1, 9, 9, 32]);
    expect(Array.from(got.dataSync())).toEqual(Array.from(expected.dataSync()));
    // and the model's encoder runs on 16×16 (16 → 9 → 5 → 3 → 2: a 256-wide flatten)
    expect(m.encoderVariables[8].shape).toEqual([2 * 2 * 64, 256]);
    expect(m.encode(x).shape).toEqual([1, 4]);
    m.dispose();
  });

  it.skipIf(torchReason !== null)('trains the same on torch as on wasm (losses over 3 Adam steps)', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const m = makeModel(spec({ obsShape: [64, 64, 1], zDim: 3, init: 'xavier-normal' }), 2);
      const vars = [...m.encoderVariables, ...m.decoderVariables];
      const opt = adam(1e-3, 0.9, 0.999, 1e-8);
      const rng = new Rng(3);
      const x = tf.tensor4d(rng.fillUniform(new Float32Array(4 * 64 * 64)), [4, 64, 64, 1]);
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        const cost = opt.minimize(
          () => {
            const h = m.encode(x);
            const z = tf.slice(h, [0, 0], [-1, 3]) as tf.Tensor2D;
            return tf.mean(tf.square(tf.sub(m.decode(z), x))) as tf.Scalar;
          },
          true,
          vars,
        )!;
        losses.push(cost.dataSync()[0]);
        cost.dispose();
      }
      const out = { losses, first: values(m.encoderVariables[0]) };
      m.dispose();
      opt.dispose();
      x.dispose();
      return out;
    };
    const ref = await run('wasm');
    const got = await run('torch');
    for (let i = 0; i < 3; i++) expect(Math.abs(got.losses[i] - ref.losses[i])).toBeLessThan(1e-4);
    const err = Math.max(...got.first.map((v, i) => Math.abs(v - ref.first[i])));
    expect(err).toBeLessThan(1e-5);
    await tf.setBackend('wasm');
  });
});

describe('model.init', () => {
  it("'pytorch' is the default and draws U(±1/√fan_in) weights and biases", () => {
    const a = makeModel(spec({ architecture: 'conv64' }), 1);
    const b = makeModel(spec({ architecture: 'conv64', init: 'pytorch' }), 1);
    a.encoderVariables.forEach((v, i) => expect(values(v)).toEqual(values(b.encoderVariables[i])));
    const w = values(a.encoderVariables[2]); // conv 32 → 32, 4×4: fan-in 512
    const bound = 1 / Math.sqrt(512);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(std(w)).toBeCloseTo(bound / Math.sqrt(3), 3);
    expect(Math.max(...values(a.encoderVariables[3]).map(Math.abs))).toBeGreaterThan(0);
    a.dispose();
    b.dispose();
  });

  it("'xavier-normal' draws N(0, 2/(fan_in + fan_out)) weights and zero biases, from the seed", () => {
    const a = makeModel(spec({ init: 'xavier-normal' }), 1);
    const again = makeModel(spec({ init: 'xavier-normal' }), 1);
    const other = makeModel(spec({ init: 'xavier-normal' }), 2);
    expect(values(a.encoderVariables[0])).toEqual(values(again.encoderVariables[0]));
    expect(values(a.encoderVariables[0])).not.toEqual(values(other.encoderVariables[0]));
    // conv 32 → 64 (4×4): fan-in 512, fan-out 1024; dense 1600 → 256; transposed conv 64 → 32 (4×4): 512 + 1024
    expect(std(values(a.encoderVariables[4]))).toBeCloseTo(Math.sqrt(2 / (512 + 1024)), 3);
    expect(std(values(a.encoderVariables[8]))).toBeCloseTo(Math.sqrt(2 / (1600 + 256)), 3);
    expect(std(values(a.decoderVariables[6]))).toBeCloseTo(Math.sqrt(2 / (512 + 1024)), 3);
    for (const v of [...a.encoderVariables, ...a.decoderVariables].filter((v) => v.shape.length === 1))
      expect(values(v).every((x) => x === 0)).toBe(true);
    const fc = makeModel({ architecture: 'fc', obsShape: [8, 8, 1], zDim: 2, hidden: 100, init: 'xavier-normal' }, 0);
    expect(std(values(fc.encoderVariables[0]))).toBeCloseTo(Math.sqrt(2 / (64 + 100)), 2);
    [a, again, other, fc].forEach((m) => m.dispose());
  });
});
