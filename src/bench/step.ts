import * as tf from '@tensorflow/tfjs-core';
import { makeModel } from '../nn/index.js';
import { adam } from '../engine/adam.js';
import { Rng } from '../util/rng.js';

/**
 * One Adam step of the standard conv β-VAE (`performance.md`; same model as
 * ../shared/bench/torch_vae_step.py): Bernoulli loss with logits, β = 4, lr 1e-4.
 */
export interface StepBenchOptions {
  batch: number;
  z: number;
  channels: number;
  steps: number;
  warmup: number;
  seed?: number;
}

export interface StepBenchResult {
  batch: number;
  z: number;
  channels: number;
  steps: number;
  ms_per_step: number;
  min_ms: number;
  max_ms: number;
  /** Bytes tfjs reports after the timed steps, minus before: should stay ~0 (no leaks). */
  leaked_bytes: number;
  final_loss: number;
}

export async function benchStep(o: StepBenchOptions): Promise<StepBenchResult> {
  const rng = new Rng(o.seed ?? 0);
  const model = makeModel({ architecture: 'conv64', obsShape: [64, 64, o.channels], zDim: o.z }, rng);
  const vars = [...model.encoderVariables, ...model.decoderVariables];
  const optimizer = adam(1e-4);
  const pixels = new Float32Array(o.batch * 64 * 64 * o.channels).map(() => (rng.uniform() > 0.5 ? 1 : 0));
  const x = tf.tensor4d(pixels, [o.batch, 64, 64, o.channels]);
  const noiseSeed = rng.seed32();
  let stepIndex = 0;

  const step = (): number => {
    const seed = noiseSeed + stepIndex++;
    const cost = optimizer.minimize(
      () => {
        const h = model.encode(x);
        const mu = tf.slice(h, [0, 0], [-1, o.z]);
        const lv = tf.slice(h, [0, o.z], [-1, o.z]);
        const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', seed);
        const zs = tf.add(mu, tf.mul(eps, tf.exp(tf.mul(lv, 0.5))));
        const logits = model.decode(zs as tf.Tensor2D);
        // sum-reduced sigmoid cross-entropy with logits, averaged over the batch
        // stable form: max(l, 0) − l·x + log(1 + e^(−|l|))
        const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
        const rec = tf.div(tf.sum(bce), o.batch);
        const kl = tf.div(tf.mul(0.5, tf.sum(tf.sub(tf.sub(tf.add(tf.exp(lv), tf.square(mu)), 1), lv))), o.batch);
        return tf.add(rec, tf.mul(4, kl)) as tf.Scalar;
      },
      true,
      vars,
    );
    const v = cost!.dataSync()[0];
    cost!.dispose();
    return v;
  };

  let loss = NaN;
  for (let i = 0; i < o.warmup; i++) loss = step();
  const before = tf.memory().numBytes;
  const times: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const t = performance.now();
    loss = step();
    times.push(performance.now() - t);
  }
  const leaked = tf.memory().numBytes - before;
  x.dispose();
  optimizer.dispose();
  model.dispose();
  const sorted = [...times].sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]
      : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    batch: o.batch,
    z: o.z,
    channels: o.channels,
    steps: o.steps,
    ms_per_step: r2(median),
    min_ms: r2(sorted[0]),
    max_ms: r2(sorted[sorted.length - 1]),
    leaked_bytes: leaked,
    final_loss: loss,
  };
}
