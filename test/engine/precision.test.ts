/**
 * `--precision bf16` (autocast-style: convolutions and matrix products in bfloat16, everything else float32):
 * refused where the backend has no bf16, and on the torch backend close to fp32 but not equal to it, with fp32
 * restored exactly when switched back. The torch part runs where the addon is built (see torch-backend.test.ts).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { adam, engineInfo, initEngine, setPrecision } from '../../src/engine/index.js';
import { addonUnavailableReason } from '../../src/engine/torch/native.js';
import { validateConfig } from '../../src/config/index.js';
import { makeModel } from '../../src/nn/index.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

const reason = addonUnavailableReason();
const required = process.env.DISENTANGLE_REQUIRE_TORCH === '1';

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-12,
    err = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / scale;
}

describe('precision without bf16', () => {
  it('bf16 on the wasm backend is a UserError naming the fix', async () => {
    await expect(initEngine({ backend: 'wasm', precision: 'bf16', quiet: true })).rejects.toThrow(
      /--precision bf16 needs the torch backend.*--backend torch, or --precision fp32/,
    );
    await initEngine({ backend: 'wasm', quiet: true });
    expect(engineInfo()?.precision).toBe('fp32');
    expect(() => setPrecision('bf16')).toThrow(UserError);
    expect(() => setPrecision('fp16')).toThrow(/unknown precision 'fp16': choose fp32 or bf16/);
    setPrecision('fp32'); // the backend's own precision is always accepted
    expect(engineInfo()?.precision).toBe('fp32');
  });

  it('train.precision is validated and defaults to fp32', async () => {
    expect((await validateConfig({})).train.precision).toBe('fp32');
    expect((await validateConfig({ train: { precision: 'bf16' } })).train.precision).toBe('bf16');
    await expect(validateConfig({ train: { precision: 'half' } })).rejects.toThrow(/'train\.precision'/);
  });
});

describe.skipIf(reason !== null && !required)('bf16 on the torch backend', () => {
  /** Conv gradients, a transposed conv and a dense product, at the engine's current precision. */
  const compute = () =>
    tf.tidy(() => {
      const rng = new Rng(3);
      const t = (shape: number[]) => tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b))), shape);
      const x = t([4, 16, 16, 3]),
        w = t([4, 4, 3, 8]),
        d = t([4, 8, 8, 8]),
        wt = t([4, 4, 1, 8]),
        a = t([5, 7]),
        b = t([7, 3]);
      const [gx, gw] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same'))),
      )([x, w]);
      const [gd, gwt] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2dTranspose(p as tf.Tensor4D, q as tf.Tensor4D, [4, 16, 16, 1], 2, 'same'))),
      )([d, wt]);
      return [gx, gw, gd, gwt, tf.matMul(a, b), tf.matMul(tf.transpose(a), b, true, false)].map((r) =>
        r.dataSync().slice(),
      );
    });

  it('convolutions and products in bf16 are within bf16 rounding of fp32, not equal to it; fp32 comes back exactly', async () => {
    await initEngine({ backend: 'torch', quiet: true });
    const fp32 = compute();
    setPrecision('bf16');
    expect(engineInfo()?.precision).toBe('bf16');
    const bf16 = compute();
    setPrecision('fp32');
    const again = compute();
    fp32.forEach((ref, i) => {
      const e = maxRelErr(bf16[i], ref);
      expect(e).toBeLessThan(5e-2); // bf16 keeps 8 bits of mantissa: ≈ 4e-3 per rounding
      expect(e).toBeGreaterThan(1e-5); // and it did round: not float32
      expect(Array.from(again[i])).toEqual(Array.from(ref));
    });
  });

  it('initEngine with precision bf16 sets it; a later initEngine without it restores fp32', async () => {
    await initEngine({ backend: 'torch', precision: 'bf16', quiet: true });
    expect(engineInfo()?.precision).toBe('bf16');
    const bf16 = compute();
    await initEngine({ backend: 'torch', quiet: true });
    expect(engineInfo()?.precision).toBe('fp32');
    const fp32 = compute();
    expect(maxRelErr(bf16[0], fp32[0])).toBeGreaterThan(1e-5);
  });

  it('a conv β-VAE trains in bf16 with float32 weights and Adam state, its loss near fp32', async () => {
    await initEngine({ backend: 'torch', quiet: true });
    const losses = async (p: 'fp32' | 'bf16') => {
      setPrecision(p);
      const model = makeModel({ architecture: 'conv64', obsShape: [32, 32, 1], zDim: 4 }, 5);
      const vars = [...model.encoderVariables, ...model.decoderVariables];
      const opt = adam(1e-3);
      const rng = new Rng(1);
      const x = tf.tensor4d(rng.fillUniform(new Float32Array(8 * 32 * 32)), [8, 32, 32, 1]);
      const out: number[] = [];
      for (let s = 0; s < 8; s++) {
        const c = opt.minimize(
          () => {
            const h = model.encode(x);
            const y = model.decode(tf.slice(h, [0, 0], [-1, 4]) as tf.Tensor2D);
            return tf.mean(tf.square(tf.sub(tf.sigmoid(y), x))) as tf.Scalar;
          },
          true,
          vars,
        )!;
        out.push(c.dataSync()[0]);
        c.dispose();
      }
      // (getWeights' first entry is Adam's int32 step counter)
      const state = (await opt.getWeights()).filter((w) => w.name !== 'iter').map((w) => w.tensor);
      const dtypes = [...vars, ...state].map((v) => v.dtype);
      x.dispose();
      opt.dispose();
      model.dispose();
      setPrecision('fp32');
      return { out, dtypes };
    };
    const ref = await losses('fp32');
    const low = await losses('bf16');
    expect(new Set(low.dtypes)).toEqual(new Set(['float32']));
    expect(low.out[7]).toBeLessThan(low.out[0]);
    low.out.forEach((l, i) => expect(Math.abs(l - ref.out[i]) / ref.out[i]).toBeLessThan(2e-2));
  });
});
