import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { createFramework, frameworks, scheduleValue } from '../../src/frameworks/index.js';
import { totalCorrelation } from '../../src/frameworks/betatcvae.js';
import { seedsFrom } from '../../src/util/rng.js';
import { parseLoss } from '../../src/losses/index.js';
import type { EncoderDecoder } from '../../src/nn/index.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

/** A model whose encoder returns fixed outputs and whose decoder returns zeros (so recon is known). */
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

const mse = await parseLoss('mse');
const ctxFor = (model: EncoderDecoder, x: tf.Tensor4D, step = 0, regulariserScale = 1) => ({
  model,
  recon: mse,
  x,
  step,
  seed: seedsFrom(new Rng(1)),
  regulariserScale,
});
const value = (t: tf.Scalar) => t.dataSync()[0];

describe('frameworks', () => {
  it('registers every framework by its field name', async () => {
    for (const n of [
      'ae',
      'vae',
      'betavae',
      'annealedvae',
      'betatcvae',
      'dipvae1',
      'dipvae2',
      'infovae',
      'adagvae',
      'adamlvae',
      'slowvae',
      'pcl',
    ])
      expect(frameworks.names()).toContain(n);
    await expect(createFramework('nope', { zDim: 2, params: {}, rng: new Rng(0) })).rejects.toThrow(
      /unknown framework 'nope'.*betavae/,
    );
    await expect(createFramework('betavae', { zDim: 2, params: { gamma: 1 }, rng: new Rng(0) })).rejects.toThrow(
      /unknown parameter 'gamma'.*beta/,
    );
  });
  it('β-VAE: recon + β·KL with the closed-form Gaussian KL', async () => {
    // μ = (1, 0), log σ² = (0, log 2): KL = ½(1 + 1 − 0 − 1) + ½(0 + 2 − log 2 − 1)
    const kl = 0.5 * 1 + 0.5 * (1 - Math.log(2));
    const x = tf.fill([1, 1, 2, 1], 0.5) as tf.Tensor4D;
    const fw = await createFramework('betavae', { zDim: 2, params: { beta: 3 }, rng: new Rng(0) });
    const out = fw.loss(ctxFor(fixedModel([[1, 0, 0, Math.log(2)]], [1, 2, 1]), x));
    expect(value(out.terms.kl)).toBeCloseTo(kl, 5);
    expect(value(out.terms.recon)).toBeCloseTo(0.5, 5); // Σ (0.5 − 0)² over 2 pixels
    expect(value(out.loss)).toBeCloseTo(0.5 + 3 * kl, 5);
    // disent's 'mean' reduction: the trainer sets regulariserScale = 1/z, so the KL is averaged over latents
    const mean = fw.loss(ctxFor(fixedModel([[1, 0, 0, Math.log(2)]], [1, 2, 1]), x, 0, 1 / 2));
    expect(value(mean.terms.kl)).toBeCloseTo(kl, 5); // the logged term stays the full KL
    expect(value(mean.loss)).toBeCloseTo(0.5 + (3 * kl) / 2, 5);
  });
  it('annealed VAE uses γ·|KL − C| with C growing linearly', async () => {
    const x = tf.zeros([1, 1, 1, 1]) as tf.Tensor4D;
    const fw = await createFramework('annealedvae', {
      zDim: 1,
      params: { gamma: 10, cMax: 4, iterationThreshold: 100 },
      rng: new Rng(0),
    });
    const out = fw.loss(ctxFor(fixedModel([[2, 0]], [1, 1, 1]), x, 50)); // KL = ½·4 = 2, C = 2
    expect(value(out.loss)).toBeCloseTo(0, 5);
    const out2 = fw.loss(ctxFor(fixedModel([[2, 0]], [1, 1, 1]), x, 0)); // C = 0
    expect(value(out2.loss)).toBeCloseTo(10 * 2, 5);
  });
  it('β-TCVAE: TC is 0 for a single observation and ≥ 0 for independent codes on average', async () => {
    const p = { mu: tf.tensor2d([[0.3, -1]]), logvar: tf.tensor2d([[0, 0.5]]) };
    expect(value(totalCorrelation(tf.tensor2d([[0.1, 0.2]]), p))).toBeCloseTo(0, 5);
  });
  it('DIP-VAE-I penalises off-diagonal covariance and diagonal ≠ 1 (hand-computed)', async () => {
    // μ rows (1, 1) and (−1, −1): Cov = [[1, 1], [1, 1]] (ddof 0) → off-diag Σ = 2, diag Σ (1−1)² = 0
    const x = tf.zeros([2, 1, 1, 1]) as tf.Tensor4D;
    const fw = await createFramework('dipvae1', { zDim: 2, params: { lambdaOd: 2 }, rng: new Rng(0) });
    const out = fw.loss(
      ctxFor(
        fixedModel(
          [
            [1, 1, 0, 0],
            [-1, -1, 0, 0],
          ],
          [1, 1, 1],
        ),
        x,
      ),
    );
    expect(value(out.terms.dip)).toBeCloseTo(2 * 2, 5);
    const fw2 = await createFramework('dipvae2', { zDim: 2, params: { lambdaOd: 1 }, rng: new Rng(0) });
    // DIP-II adds mean σ² = 1 to the diagonal: diag 2 → (2 − 1)² · 2 = 2, off-diag 2 → total 4
    expect(
      value(
        fw2.loss(
          ctxFor(
            fixedModel(
              [
                [1, 1, 0, 0],
                [-1, -1, 0, 0],
              ],
              [1, 1, 1],
            ),
            x,
          ),
        ).terms.dip,
      ),
    ).toBeCloseTo(4, 5);
  });
  it('Ada-GVAE averages the dimensions whose KL is below the midpoint', async () => {
    // pair: dim 0 identical, dim 1 very different → 1 shared dim
    const x = tf.zeros([2, 1, 1, 1]) as tf.Tensor4D;
    const h = [
      [0.5, 0, 0, 0],
      [0.5, 3, 0, 0],
    ];
    for (const name of ['adagvae', 'adamlvae']) {
      const fw = await createFramework(name, { zDim: 2, params: {}, rng: new Rng(0) });
      expect(fw.batchKind).toBe('pairs');
      const out = fw.loss(ctxFor(fixedModel(h, [1, 1, 1]), x));
      expect(value(out.terms.sharedDims)).toBe(1);
      // KL: dim0 ½·0.25 in both; dim1: ½·0 and ½·9 → mean over the pair of Σ = 0.125 + (0 + 4.5)/2
      expect(value(out.terms.kl)).toBeCloseTo(0.125 + 2.25, 5);
    }
  });
  it("Ada-GVAE's thresholdMode: 'kl' thresholds KL(q1‖q2), 'symmetric-kl' its symmetrised mean (disent's)", async () => {
    // dims: 0 identical; 1 variance 1 vs 100 (KL12 ≈ 1.81, KL21 ≈ 47.2, mean ≈ 24.5); 2 and 3 mean shifts
    // of 3 and √6 (KL 4.5 and 3 both ways). 'kl': threshold 2.25 → dims 0, 1 shared; 'symmetric-kl':
    // threshold ≈ 12.25 → dims 0, 2, 3 shared.
    const x = tf.zeros([2, 1, 1, 1]) as tf.Tensor4D;
    const h = [
      [0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 3, Math.sqrt(6), 0, Math.log(100), 0, 0],
    ];
    for (const name of ['adagvae', 'adamlvae']) {
      const shared = async (params: Record<string, unknown>) => {
        const fw = await createFramework(name, { zDim: 4, params, rng: new Rng(0) });
        return value(fw.loss(ctxFor(fixedModel(h, [1, 1, 1]), x)).terms.sharedDims);
      };
      expect(await shared({})).toBe(2);
      expect(await shared({ thresholdMode: 'kl' })).toBe(2);
      expect(await shared({ thresholdMode: 'symmetric-kl' })).toBe(3);
    }
    await expect(
      createFramework('adagvae', { zDim: 4, params: { thresholdMode: 'js' }, rng: new Rng(0) }),
    ).rejects.toThrow(/thresholdMode/);
  });
  it('SlowVAE: 2·recon + β·KL + γ·(both Laplace cross-entropies − entropy), hand-computed', async () => {
    // one pair: x_t has μ = (0.5, 0), σ = (1, 0.5); x_{t+1} has μ = (0.5, 1), σ = (2, 1)
    const mu = [
      [0.5, 0],
      [0.5, 1],
    ];
    const sd = [
      [1, 0.5],
      [2, 1],
    ];
    const h = mu.map((m, i) => [...m, ...sd[i].map((s) => Math.log(s * s))]);
    // E|z − m| for z ~ N(μ, σ²) by numerical integration (Simpson), independent of the closed form
    const foldedMean = (delta: number, s: number) => {
      const n = 4000,
        lo = delta - 12 * s,
        dz = (24 * s) / n;
      let acc = 0;
      for (let i = 0; i <= n; i++) {
        const zz = lo + i * dz;
        const f = (Math.abs(zz) * Math.exp(-((zz - delta) ** 2) / (2 * s * s))) / (s * Math.sqrt(2 * Math.PI));
        acc += f * (i === 0 || i === n ? 1 : i % 2 ? 4 : 2);
      }
      return (acc * dz) / 3;
    };
    const rate = 4;
    const ce = (delta: number, s: number) => -Math.log(rate / 2) + rate * foldedMean(delta, s);
    let crossLaplace = 0;
    for (let d = 0; d < 2; d++) crossLaplace += ce(mu[0][d] - mu[1][d], sd[0][d]) + ce(mu[1][d] - mu[0][d], sd[1][d]);
    const entropy = (0.5 * (h[0][2] + h[0][3] + h[1][2] + h[1][3]) + 2 * Math.log(2 * Math.PI * Math.E)) / 2;
    let kl = 0;
    for (let i = 0; i < 2; i++)
      for (let d = 0; d < 2; d++) kl += (0.5 * (mu[i][d] ** 2 + sd[i][d] ** 2 - Math.log(sd[i][d] ** 2) - 1)) / 2;
    const recon = 2 * 0.5; // each observation: Σ (0.5 − 0)² over 2 pixels; counted per pair
    const x = tf.fill([2, 1, 2, 1], 0.5) as tf.Tensor4D;
    const fw = await createFramework('slowvae', { zDim: 2, params: { beta: 2, gamma: 3, rate }, rng: new Rng(0) });
    expect(fw.batchKind).toBe('temporal');
    const out = fw.loss(ctxFor(fixedModel(h, [1, 2, 1]), x));
    expect(value(out.terms.recon)).toBeCloseTo(recon, 5);
    expect(value(out.terms.kl)).toBeCloseTo(kl, 5);
    expect(value(out.terms.kl_laplace)).toBeCloseTo(crossLaplace - entropy, 4);
    expect(value(out.loss)).toBeCloseTo(recon + 2 * kl + 3 * (crossLaplace - entropy), 3);
  });
  it('PCL: logistic regression of real vs permuted pairs with r = Σ −|a·y₁ + b·y₂ + c| + y₁² + e', async () => {
    const { pclLogits } = await import('../../src/frameworks/pcl.js');
    const fw = await createFramework('pcl', { zDim: 2, params: {}, rng: new Rng(0) });
    expect(fw.batchKind).toBe('temporal');
    expect(fw.usesDecoder).toBe(false);
    expect(fw.encoderOutputsPerLatent).toBe(1);
    // initial parameters a = 1, b = −1, c = 0, e = 0: r = −Σ|y₁ − y₂| + Σ y₁²
    expect(fw.extraVariables!().map((v) => Array.from(v.dataSync()))).toEqual([[1, 1], [-1, -1], [0, 0], [0]]);
    const t = (a: number[][]) => tf.tensor2d(a);
    const [a, b, c, e] = [tf.tensor1d([2, 1]), tf.tensor1d([-1, 0.5]), tf.tensor1d([0.5, 0]), tf.tensor1d([0.25])];
    // row 0: −(|2·1 − 1·0 + 0.5| + |1·2 + 0.5·1|) + (1 + 4) + 0.25 = −5 + 5.25
    expect(Array.from(pclLogits(t([[1, 2]]), t([[0, 1]]), a, b, c, e).dataSync())[0]).toBeCloseTo(0.25, 6);
    // codes: x_t rows (1, 0), (0, 2); x_{t+1} rows (1, 1), (−1, 0)
    const hT = [
      [1, 0],
      [0, 2],
    ];
    const hNext = [
      [1, 1],
      [-1, 0],
    ];
    const r0 = (y1: number[], y2: number[]) =>
      -y1.reduce((s, v, d) => s + Math.abs(v - y2[d]), 0) + y1.reduce((s, v) => s + v * v, 0);
    const softplus = (v: number) => Math.log1p(Math.exp(v));
    const ctx = {
      ...ctxFor(fixedModel([...hT, ...hNext], [1, 1, 1]), tf.zeros([4, 1, 1, 1]) as tf.Tensor4D),
      seed: seedsFrom(new Rng(3)),
    };
    const order = new Rng(ctx.seed('permute')).shuffle([0, 1]) as number[];
    expect(order).toEqual([1, 0]); // this seed swaps the two x_t, so the negatives differ from the positives
    const expected =
      (softplus(-r0(hNext[0], hT[0])) +
        softplus(-r0(hNext[1], hT[1])) +
        softplus(r0(hNext[0], hT[order[0]])) +
        softplus(r0(hNext[1], hT[order[1]]))) /
      4;
    const out = fw.loss(ctx);
    expect(value(out.loss)).toBeCloseTo(expected, 5);
    expect(Object.keys(out.terms)).toEqual(['logistic', 'accuracy']);
    // a model built for PCL has no decoder, and says so
    const { makeModel } = await import('../../src/nn/index.js');
    const m = makeModel({ architecture: 'fc', obsShape: [2, 2, 1], zDim: 2, hidden: 4, decoder: false }, 0);
    expect(m.decoderVariables).toEqual([]);
    expect(() => m.decode(tf.zeros([1, 2]))).toThrow(/without a decoder/);
    const full = makeModel({ architecture: 'fc', obsShape: [2, 2, 1], zDim: 2, hidden: 4 }, 0);
    expect(m.encoderVariables.map((v) => Array.from(v.dataSync()))).toEqual(
      full.encoderVariables.map((v) => Array.from(v.dataSync())),
    ); // the same encoder either way
    m.dispose();
    full.dispose();
  });
  it('AE: reconstruction of the deterministic code only', async () => {
    const x = tf.fill([1, 1, 2, 1], 0.5) as tf.Tensor4D;
    const fw = await createFramework('ae', { zDim: 2, params: {}, rng: new Rng(0) });
    expect(fw.encoderOutputsPerLatent).toBe(1);
    const out = fw.loss(ctxFor(fixedModel([[3, -1, 0, 0]], [1, 2, 1]), x));
    expect(value(out.loss)).toBeCloseTo(0.5, 6);
    expect(Object.keys(out.terms)).toEqual(['recon']);
  });
  it('InfoVAE: (1 − α)·KL + (α + λ − 1)·MMD, and MMD of a sample with itself is 0', async () => {
    const { mmdRbf } = await import('../../src/frameworks/index.js');
    const a = tf.tensor2d([
      [0, 1],
      [2, -1],
      [0.5, 0.5],
    ]);
    expect(value(mmdRbf(a, a))).toBeCloseTo(0, 6);
    // two single points at distance² 2 in 2-D: 1 + 1 − 2·exp(−2/4)
    expect(value(mmdRbf(tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 1]])))).toBeCloseTo(2 - 2 * Math.exp(-0.5), 5);
    const x = tf.zeros([4, 1, 1, 1]) as tf.Tensor4D;
    const h = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [-1, 0, 0, 0],
      [0, -1, 0, 0],
    ];
    const fw = await createFramework('infovae', { zDim: 2, params: { alpha: 0.5, lambda: 10 }, rng: new Rng(0) });
    const out = fw.loss(ctxFor(fixedModel(h, [1, 1, 1]), x));
    const expected = value(out.terms.recon) + 0.5 * value(out.terms.kl) + 9.5 * value(out.terms.mmd);
    expect(value(out.loss)).toBeCloseTo(expected, 4);
    expect(value(out.terms.kl)).toBeCloseTo(0.5, 5); // mean of ½μ² with |μ| = 1
  });
  it('schedules: linear, cyclic, delayed', async () => {
    expect(scheduleValue({ type: 'linear', start: 0, end: 1, startStep: 10, endStep: 20 }, 15)).toBeCloseTo(0.5);
    expect(
      scheduleValue({ type: 'cyclic', low: 0, high: 1, period: 10, startStep: 0, mode: 'linear' }, 12),
    ).toBeCloseTo(0.2);
    expect(scheduleValue({ type: 'delay', value: 4, afterStep: 5, before: 0 }, 4)).toBe(0);
    expect(scheduleValue({ type: 'delay', value: 4, afterStep: 5, before: 0 }, 5)).toBe(4);
  });
});

describe('every framework trains (gradients flow through its loss)', () => {
  it.each(frameworks.names())('%s: a few Adam steps on a tiny model lower the loss', async (name) => {
    const { makeModel } = await import('../../src/nn/index.js');
    const zDim = name === 'decomposition' ? 2 : 3;
    const fw = await createFramework(name, {
      zDim,
      params: name === 'factorvae' ? { hidden: 16, layers: 2 } : {},
      rng: new Rng(1),
    });
    const model = makeModel(
      {
        architecture: 'fc',
        obsShape: [2, 2, 1],
        zDim,
        hidden: 32,
        encoderOutputsPerLatent: fw.encoderOutputsPerLatent,
        decoder: fw.usesDecoder !== false,
      },
      2,
    );
    const vars = [...model.encoderVariables, ...model.decoderVariables, ...(fw.extraVariables?.() ?? [])];
    const opt = tf.train.adam(1e-3);
    const rng = new Rng(3);
    const x = tf.tensor4d(
      Float32Array.from({ length: 16 * 4 }, () => (rng.uniform() > 0.5 ? 1 : 0)),
      [16, 2, 2, 1],
    );
    const losses: number[] = [];
    for (let step = 0; step < 25; step++) {
      const ctx = { model, recon: await parseLoss('bce'), x, step, seed: seedsFrom(new Rng(7)), regulariserScale: 1 };
      const c = opt.minimize(() => fw.loss(ctx).loss, true, vars)!;
      losses.push(c.dataSync()[0]);
      c.dispose();
      fw.afterStep?.(ctx);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    model.dispose();
  });
});
