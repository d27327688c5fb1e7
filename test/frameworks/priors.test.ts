import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { makePrior, lgamma } from '../../src/priors/index.js';
import { createFramework } from '../../src/frameworks/index.js';
import { parseLoss } from '../../src/losses/index.js';
import type { EncoderDecoder } from '../../src/nn/index.js';
import { Rng, seedsFrom } from '../../src/util/rng.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});
const v1 = (t: tf.Tensor) => t.dataSync()[0];

describe('priors', () => {
  it('log densities match closed forms', async () => {
    const z0 = tf.zeros([1, 3]) as tf.Tensor2D;
    expect(v1(makePrior({ type: 'isotropic' }, 3).logProb(z0))).toBeCloseTo(-1.5 * Math.log(2 * Math.PI), 5);
    // Student-t with 1 degree of freedom (Cauchy): p(0) = 1/π per dimension
    expect(v1(makePrior({ type: 'studentt', df: 1 }, 3).logProb(z0))).toBeCloseTo(3 * Math.log(1 / Math.PI), 5);
    expect(lgamma(5)).toBeCloseTo(Math.log(24), 10);
    // sparse at 0: log(γ/(√(2π)·0.05) + (1 − γ)/√(2π)) per dimension
    const sp = Math.log(0.8 / (Math.sqrt(2 * Math.PI) * 0.05) + 0.2 / Math.sqrt(2 * Math.PI));
    expect(
      v1(makePrior({ type: 'sparse', gamma: 0.8, spikeStd: 0.05 }, 2).logProb(tf.zeros([1, 2]) as tf.Tensor2D)),
    ).toBeCloseTo(2 * sp, 4);
    // mixture at a component mean, far from the others: log(¼ · 1/(2π·0.03))
    expect(v1(makePrior({ type: 'mixture', variance: 0.03 }, 2).logProb(tf.tensor2d([[0, 1]])))).toBeCloseTo(
      Math.log(0.25 / (2 * Math.PI * 0.03)),
      3,
    );
    expect(() => makePrior({ type: 'mixture', variance: 0.03 }, 3)).toThrow(/2-D/);
  });
  it('anisotropic variances sum to D·scale; the analytic KL matches the isotropic formula at logvar 0', async () => {
    const p = makePrior({ type: 'anisotropic', scale: 2, learn: false, logvar: [0, 1, 2] }, 3);
    const s = p.sample(20000, seedsFrom(new Rng(3)));
    const v = tf.moments(s, 0).variance.dataSync();
    expect(v[0] + v[1] + v[2]).toBeCloseTo(6, 0);
    expect(v[2]).toBeGreaterThan(v[0]);
    const iso = makePrior({ type: 'isotropic' }, 2);
    const kl = v1(iso.klFromGaussian!(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, Math.log(2)]])));
    expect(kl).toBeCloseTo(0.5 + 0.5 * (1 - Math.log(2)), 5);
  });
  it('samples follow the prior (Student-t heavier tails than the normal, sparse mostly near 0)', async () => {
    const t = makePrior({ type: 'studentt', df: 2 }, 1)
      .sample(20000, seedsFrom(new Rng(1)))
      .dataSync();
    const n = makePrior({ type: 'isotropic' }, 1)
      .sample(20000, seedsFrom(new Rng(1)))
      .dataSync();
    const tail = (x: ArrayLike<number>) => Array.from(x).filter((v) => Math.abs(v) > 4).length;
    expect(tail(t)).toBeGreaterThan(10 * Math.max(1, tail(n)));
    const sp = makePrior({ type: 'sparse', gamma: 0.8, spikeStd: 0.05 }, 1)
      .sample(20000, seedsFrom(new Rng(2)))
      .dataSync();
    expect(Array.from(sp).filter((v) => Math.abs(v) < 0.15).length / 20000).toBeGreaterThan(0.78);
  });
});

function fixedModel(h: number[][], obs: [number, number, number]): EncoderDecoder {
  return {
    spec: { architecture: 'fc', obsShape: obs, zDim: h[0].length / 2 },
    encode: () => tf.tensor2d(h),
    decode: (z) => tf.zeros([z.shape[0], ...obs]) as tf.Tensor4D,
    encoderVariables: [],
    decoderVariables: [],
    dispose: () => {},
  };
}

describe('decomposition and FactorVAE', () => {
  it('decomposition with an isotropic prior and α = 0 is the VAE objective', async () => {
    const x = tf.fill([2, 1, 2, 1], 0.5) as tf.Tensor4D;
    const h = [
      [1, 0, 0, Math.log(2)],
      [0, -1, 0.5, 0],
    ];
    const ctx = {
      model: fixedModel(h, [1, 2, 1]),
      recon: await parseLoss('mse'),
      x,
      step: 0,
      seed: seedsFrom(new Rng(5)),
      regulariserScale: 1,
    };
    const dec = (
      await createFramework('decomposition', { zDim: 2, params: { beta: 1, alpha: 0 }, rng: new Rng(0) })
    ).loss(ctx);
    const vae = (await createFramework('vae', { zDim: 2, params: {}, rng: new Rng(0) })).loss(ctx);
    expect(v1(dec.terms.kl)).toBeCloseTo(v1(vae.terms.kl), 5);
    expect(v1(dec.loss)).toBeCloseTo(v1(vae.loss), 5);
  });
  it('MMD is near 0 for matching distributions and clearly positive for shifted ones', async () => {
    const make = (shift: number) => {
      const rows = Array.from({ length: 64 }, (_, i) => {
        const r = new Rng(i + shift * 1000);
        return [r.normal() + shift, r.normal(), -5, 0];
      });
      return fixedModel(
        rows.map((r) => [r[0], r[1], -20, -20]),
        [1, 1, 1],
      );
    };
    const x = tf.zeros([64, 1, 1, 1]) as tf.Tensor4D;
    const fw = await createFramework('decomposition', {
      zDim: 2,
      params: { alpha: 1, divergence: 'mmd' },
      rng: new Rng(0),
    });
    const same = Math.abs(
      v1(
        fw.loss({
          model: make(0),
          recon: await parseLoss('mse'),
          x,
          step: 0,
          seed: seedsFrom(new Rng(1)),
          regulariserScale: 1,
        }).terms.divergence,
      ),
    );
    const far = v1(
      fw.loss({
        model: make(3),
        recon: await parseLoss('mse'),
        x,
        step: 0,
        seed: seedsFrom(new Rng(1)),
        regulariserScale: 1,
      }).terms.divergence,
    );
    expect(far).toBeGreaterThan(10 * same);
    expect(far).toBeGreaterThan(0.5);
  });
  it('FactorVAE trains its discriminator after each step and exposes it for checkpoints', async () => {
    const fw = await createFramework('factorvae', {
      zDim: 2,
      params: { gamma: 5, hidden: 16, layers: 2 },
      rng: new Rng(0),
    });
    const x = tf.zeros([8, 1, 1, 1]) as tf.Tensor4D;
    const rows = Array.from({ length: 8 }, (_, i) => [i / 4, (i % 3) / 2, -3, -3]);
    const ctx = {
      model: fixedModel(rows, [1, 1, 1]),
      recon: await parseLoss('mse'),
      x,
      step: 0,
      seed: seedsFrom(new Rng(2)),
      regulariserScale: 1,
    };
    const out = fw.loss(ctx);
    expect(out.terms).toHaveProperty('tc');
    const before = fw.stateVariables!()[0].dataSync().slice();
    const logged = fw.afterStep!(ctx);
    expect(Number.isFinite(logged.discriminator_loss)).toBe(true);
    expect(
      fw.stateVariables!()[0]
        .dataSync()
        .some((v, i) => v !== before[i]),
    ).toBe(true);
    expect(fw.stateVariables!().length).toBe(6);
  });
});

describe('latent distributions, reduction and PCA-initialised priors', () => {
  it('Laplace latent: closed-form KL matches a Monte-Carlo estimate', async () => {
    const { laplaceLatent } = await import('../../src/nn/index.js');
    const loc = tf.tensor2d([[0.7]]),
      logB = tf.tensor2d([[Math.log(0.4)]]);
    const kl = v1(laplaceLatent.klPerDim(loc, logB));
    const z = laplaceLatent
      .sample(tf.fill([40000, 1], 0.7) as tf.Tensor2D, tf.fill([40000, 1], Math.log(0.4)) as tf.Tensor2D, 3)
      .dataSync();
    let mc = 0;
    for (const v of z) mc += -Math.log(0.8) - Math.abs(v - 0.7) / 0.4 - (-0.5 * Math.log(2 * Math.PI) - 0.5 * v * v);
    expect(kl).toBeCloseTo(mc / z.length, 1);
    const fw = await createFramework('betavae', { zDim: 1, params: { latent: 'laplace' }, rng: new Rng(0) });
    expect(fw.name).toBe('betavae');
  });
  it("per-pixel 'mean' reduction divides the loss by H·W·C", async () => {
    const { withReduction } = await import('../../src/losses/index.js');
    const x = tf.zeros([1, 2, 3, 2]) as tf.Tensor4D,
      y = tf.ones([1, 2, 3, 2]) as tf.Tensor4D;
    expect(v1((await parseLoss('mse')).perObservation(x, y))).toBeCloseTo(12, 6);
    expect(v1(withReduction(await parseLoss('mse'), 'mean').perObservation(x, y))).toBeCloseTo(1, 6);
  });
  it("the anisotropic prior's 'pca' variances follow the data's principal variances", async () => {
    const { pcaLogVariances } = await import('../../src/priors/index.js');
    const rng = new Rng(4);
    const n = 200,
      dim = 3,
      x = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      x[i * 3] = 3 * rng.normal();
      x[i * 3 + 1] = rng.normal();
      x[i * 3 + 2] = 0.1 * rng.normal();
    }
    const lv = pcaLogVariances({ x, n, dim }, 3);
    // squared singular values ≈ n·variance: 9n, n, 0.01n
    expect(Math.exp(lv[0]) / n).toBeGreaterThan(6);
    expect(Math.exp(lv[0]) / n).toBeLessThan(12);
    expect(Math.exp(lv[0] - lv[1])).toBeGreaterThan(5);
    const p = makePrior({ type: 'anisotropic', scale: 1, learn: false, logvar: 'pca' }, 2, { x, n, dim });
    const v = tf.moments(p.sample(20000, seedsFrom(new Rng(1))), 0).variance.dataSync();
    expect(v[0]).toBeGreaterThan(v[1]);
    expect(() => makePrior({ type: 'anisotropic', scale: 1, learn: false, logvar: 'pca' }, 2)).toThrow(/needs data/);
  });
});
