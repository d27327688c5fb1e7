import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';

/**
 * Minimal layers on plain tf.Variables (NHWC). Initialisation ('pytorch', the default) follows PyTorch's
 * defaults (weights and biases ~ U(−1/√fan_in, 1/√fan_in), i.e. kaiming-uniform with a = √5), so results can
 * be compared with the PyTorch reference; 'xavier-normal' is what disent's experiment configs apply on top
 * (`init_model_weights(mode='xavier_normal')`: weights ~ N(0, 2/(fan_in + fan_out)), biases zero).
 */
export interface Layer {
  readonly name: string;
  apply(x: tf.Tensor): tf.Tensor;
  readonly variables: tf.Variable[];
}

let uid = 0;
function varName(prefix: string, part: string): string {
  return `${prefix}/${part}_${uid++}`;
}

function uniformVariable(shape: number[], bound: number, rng: Rng, name: string): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = rng.fillUniform(new Float32Array(size), -bound, bound);
  return tf.variable(tf.tensor(values, shape, 'float32'), true, name);
}

/** How a layer's weights and biases are drawn (see the module comment). */
export type InitName = (typeof initNames)[number];
export const initNames = ['pytorch', 'xavier-normal'] as const;

/**
 * A layer's weight and bias, drawn as `init` says from `rng` (weight first, then bias). `fanIn`/`fanOut` are
 * PyTorch's for that layer (a transposed conv's fan-in is outCh·k·k there).
 */
function weightAndBias(
  init: InitName,
  shape: number[],
  biasSize: number,
  fanIn: number,
  fanOut: number,
  rng: Rng,
  name: string,
): [tf.Variable, tf.Variable] {
  if (init === 'xavier-normal') {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = rng.fillNormal(new Float32Array(size), 0, Math.sqrt(2 / (fanIn + fanOut)));
    return [
      tf.variable(tf.tensor(values, shape, 'float32'), true, varName(name, 'kernel')),
      tf.variable(tf.zeros([biasSize]), true, varName(name, 'bias')),
    ];
  }
  const bound = 1 / Math.sqrt(fanIn);
  return [
    uniformVariable(shape, bound, rng, varName(name, 'kernel')),
    uniformVariable([biasSize], bound, rng, varName(name, 'bias')),
  ];
}

export type Activation = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'linear';

export function activate(x: tf.Tensor, act: Activation): tf.Tensor {
  switch (act) {
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.2);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'linear':
      return x;
  }
}

export function dense(
  name: string,
  inUnits: number,
  outUnits: number,
  act: Activation,
  rng: Rng,
  init: InitName = 'pytorch',
): Layer {
  const [w, b] = weightAndBias(init, [inUnits, outUnits], outUnits, inUnits, outUnits, rng, name);
  return {
    name,
    variables: [w, b],
    apply: (x) => activate(tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b), act),
  };
}

/**
 * Conv with 'same' padding (k=4, s=2 pads 1 on each side, as PyTorch's Conv2d(k=4, s=2, p=1)), or with `pad`
 * zeros on every side (PyTorch's Conv2d(padding=pad): disent's EncoderConv64 pads 2, 64 → 33 → 17 → 9 → 5).
 */
export function conv2d(
  name: string,
  inCh: number,
  outCh: number,
  kernel: number,
  stride: number,
  act: Activation,
  rng: Rng,
  init: InitName = 'pytorch',
  pad: 'same' | number = 'same',
): Layer {
  const k2 = kernel * kernel;
  const [w, b] = weightAndBias(init, [kernel, kernel, inCh, outCh], outCh, inCh * k2, outCh * k2, rng, name);
  return {
    name,
    variables: [w, b],
    apply: (x) => activate(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad), b), act),
  };
}

/**
 * Transposed conv doubling (stride 2) the spatial size; 'same' padding matches PyTorch's
 * ConvTranspose2d(k=4, s=2, p=1). PyTorch's fan-in for its init is outCh·k·k.
 */
export function conv2dTranspose(
  name: string,
  inCh: number,
  outCh: number,
  kernel: number,
  stride: number,
  act: Activation,
  rng: Rng,
  init: InitName = 'pytorch',
): Layer {
  const k2 = kernel * kernel;
  // tfjs filter layout for conv2dTranspose: [k, k, outCh, inCh]
  const [w, b] = weightAndBias(init, [kernel, kernel, outCh, inCh], outCh, outCh * k2, inCh * k2, rng, name);
  return {
    name,
    variables: [w, b],
    apply: (x) => {
      const [n, h, wd] = x.shape as number[];
      const out = tf.conv2dTranspose(
        x as tf.Tensor4D,
        w as tf.Tensor4D,
        [n, h * stride, wd * stride, outCh],
        stride,
        'same',
      );
      return activate(tf.add(out, b), act);
    },
  };
}

/** Per-channel normalisation over the batch and space (a batch-norm without running statistics). */
export function channelNorm(name: string, channels: number): Layer {
  const gamma = tf.variable(tf.ones([channels]), true, varName(name, 'gamma'));
  const beta = tf.variable(tf.zeros([channels]), true, varName(name, 'beta'));
  return {
    name,
    variables: [gamma, beta],
    apply: (x) => {
      const axes = x.rank === 4 ? [0, 1, 2] : [0];
      const { mean, variance } = tf.moments(x, axes);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
    },
  };
}

export function sequential(layers: Layer[]): (x: tf.Tensor) => tf.Tensor {
  return (x) => layers.reduce((h, l) => l.apply(h), x);
}
