/**
 * The native `torch` backend against tfjs's reference backends. Runs where the addon is built
 * (`npm run build:native`); `.ci/run` builds it and sets DISENTANGLE_REQUIRE_TORCH=1, so there a missing
 * addon fails instead of skipping.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// the pure-JS reference backend these tests compare against
import '@tensorflow/tfjs-backend-cpu';
import { adam, initEngine } from '../../src/engine/index.js';
import { addonUnavailableReason } from '../../src/engine/torch/native.js';
import { createFramework, frameworks } from '../../src/frameworks/index.js';
import { parseLoss } from '../../src/losses/index.js';
import { makeModel } from '../../src/nn/index.js';
import { Rng, seedsFrom } from '../../src/util/rng.js';

const reason = addonUnavailableReason();
const required = process.env.DISENTANGLE_REQUIRE_TORCH === '1';

it('the torch addon is built where it is required', () => {
  if (required) expect(reason).toBeNull();
  else expect(reason === null || /npm run build:native/.test(reason)).toBe(true);
});

type Arr = { values: number[]; shape: number[] };
type Case = [string, (rng: Rng) => () => tf.Tensor | tf.Tensor[]];

/** Run `make()` on a backend; inputs are built inside from seeded JS arrays, so both backends see the same data. */
async function runOn(
  backend: string,
  build: (rng: Rng) => () => tf.Tensor | tf.Tensor[],
  seed: number,
): Promise<Arr[]> {
  await tf.setBackend(backend);
  const f = build(new Rng(seed));
  return tf.tidy(() => {
    const out = f();
    return (Array.isArray(out) ? out : [out]).map((t) => ({ values: Array.from(t.dataSync()), shape: t.shape }));
  });
}

function expectClose(got: Arr[], ref: Arr[], tol = 1e-5): void {
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    expect(got[i].shape).toEqual(ref[i].shape);
    const scale = ref[i].values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 1);
    for (let j = 0; j < ref[i].values.length; j++) {
      const a = got[i].values[j],
        b = ref[i].values[j];
      if (Number.isNaN(b)) expect(a).toBeNaN();
      else if (!Number.isFinite(b)) expect(a).toBe(b);
      else expect(Math.abs(a - b) / scale).toBeLessThan(tol);
    }
  }
}

const normal = (rng: Rng, shape: number[]) =>
  tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
const ints = (rng: Rng, shape: number[], hi: number) =>
  tf.tensor(
    Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(rng.uniform() * hi)),
    shape,
    'int32',
  );

const unaryOps: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
  ['abs', tf.abs],
  ['acos', (x) => tf.acos(tf.tanh(x))],
  ['asin', (x) => tf.asin(tf.tanh(x))],
  ['atan', tf.atan],
  ['ceil', tf.ceil],
  ['cos', tf.cos],
  ['cosh', tf.cosh],
  ['elu', tf.elu],
  ['erf', tf.erf],
  ['exp', tf.exp],
  ['expm1', tf.expm1],
  ['floor', tf.floor],
  ['log', (x) => tf.log(tf.abs(x))],
  ['log1p', (x) => tf.log1p(tf.abs(x))],
  ['neg', tf.neg],
  ['reciprocal', tf.reciprocal],
  ['relu', tf.relu],
  ['relu6', (x) => tf.relu6(tf.mul(x, 5))],
  ['round', (x) => tf.round(tf.mul(x, 3))],
  ['rsqrt', (x) => tf.rsqrt(tf.abs(x))],
  ['selu', tf.selu],
  ['sigmoid', tf.sigmoid],
  ['sign', tf.sign],
  ['sin', tf.sin],
  ['sinh', tf.sinh],
  ['softplus', tf.softplus],
  ['sqrt', (x) => tf.sqrt(tf.abs(x))],
  ['square', tf.square],
  ['tan', tf.tan],
  ['tanh', tf.tanh],
  ['leakyRelu', (x) => tf.leakyRelu(x, 0.3)],
  ['step', (x) => tf.step(x, 0.25)],
  ['clipByValue', (x) => tf.clipByValue(x, -0.5, 0.7)],
  ['isNaN', (x) => tf.isNaN(tf.log(x))],
  ['isInf', (x) => tf.isInf(tf.div(x, 0))],
  ['logicalNot', (x) => tf.logicalNot(tf.greater(x, 0))],
  ['zerosLike', tf.zerosLike],
  ['onesLike', tf.onesLike],
  ['cast int', (x) => tf.cast(tf.mul(x, 4), 'int32')],
  ['cast bool', (x) => tf.cast(tf.round(x), 'bool')],
];

const binaryOps: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
  ['div', tf.div],
  ['maximum', tf.maximum],
  ['minimum', tf.minimum],
  ['pow', (a, b) => tf.pow(tf.abs(a), b)],
  ['squaredDifference', tf.squaredDifference],
  ['atan2', tf.atan2],
  ['floorDiv', (a, b) => tf.floorDiv(tf.mul(a, 10), b)],
  ['mod', (a, b) => tf.mod(tf.mul(a, 10), b)],
  ['equal', (a, b) => tf.equal(tf.round(a), tf.round(b))],
  ['notEqual', (a, b) => tf.notEqual(tf.round(a), tf.round(b))],
  ['less', tf.less],
  ['lessEqual', tf.lessEqual],
  ['greater', tf.greater],
  ['greaterEqual', tf.greaterEqual],
  ['logicalAnd', (a, b) => tf.logicalAnd(tf.greater(a, 0), tf.greater(b, 0))],
  ['logicalOr', (a, b) => tf.logicalOr(tf.greater(a, 0), tf.greater(b, 0))],
  ['prelu', (a, b) => tf.prelu(a, b)],
];

const cases: Case[] = [
  ...unaryOps.map(([name, f]): Case => [
    `unary ${name}`,
    (rng) => {
      const x = normal(rng, [3, 5]);
      return () => f(x);
    },
  ]),
  ...binaryOps.flatMap(([name, f]): Case[] => [
    [
      `binary ${name} same shape`,
      (rng) => {
        const a = normal(rng, [4, 3]),
          b = normal(rng, [4, 3]);
        return () => f(a, b);
      },
    ],
    [
      `binary ${name} broadcast`,
      (rng) => {
        const a = normal(rng, [2, 4, 3]),
          b = normal(rng, [3]);
        return () => f(a, b);
      },
    ],
  ]),
  [
    'int32 arithmetic',
    (rng) => {
      const a = ints(rng, [6], 9),
        b = tf.add(ints(rng, [6], 5), 1);
      return () => [tf.add(a, b), tf.mul(a, b), tf.floorDiv(a, b), tf.sum(a), tf.abs(tf.neg(a))];
    },
  ],
  [
    'addN',
    (rng) => {
      const a = normal(rng, [3, 2]),
        b = normal(rng, [3, 2]),
        c = normal(rng, [3, 2]);
      return () => tf.addN([a, b, c]);
    },
  ],
  [
    'where',
    (rng) => {
      const a = normal(rng, [4, 3]),
        b = normal(rng, [4, 3]);
      return () => tf.where(tf.greater(a, b), a, b);
    },
  ],
  [
    'reductions',
    (rng) => {
      const x = normal(rng, [2, 3, 4]);
      return () => [
        tf.sum(x),
        tf.sum(x, [0, 2]),
        tf.sum(x, 1, true),
        tf.mean(x, -1),
        tf.max(x, [1]),
        tf.min(x, 0, true),
        tf.prod(x, [1, 2]),
        tf.argMax(x, 1),
        tf.argMin(x, -1),
        tf.all(tf.greater(x, -1), 1),
        tf.any(tf.greater(x, 1), [0, 2]),
        tf.logSumExp(x, 1),
      ];
    },
  ],
  [
    'softmax, logSoftmax, cumsum',
    (rng) => {
      const x = normal(rng, [3, 5]);
      return () => [tf.softmax(x), tf.logSoftmax(x), tf.cumsum(x, 1), tf.cumsum(x, 0, true, true)];
    },
  ],
  [
    'moments',
    (rng) => {
      const x = normal(rng, [8, 3]);
      const m = tf.moments(x, 0);
      return () => [m.mean, m.variance];
    },
  ],
  [
    'transpose, reshape, expand, squeeze',
    (rng) => {
      const x = normal(rng, [2, 3, 4]);
      return () => [
        tf.transpose(x, [2, 0, 1]),
        tf.reshape(x, [6, -1]),
        tf.expandDims(x, 1),
        tf.squeeze(tf.expandDims(x, 0)),
      ];
    },
  ],
  [
    'slice and stridedSlice',
    (rng) => {
      const x = normal(rng, [4, 5, 3]);
      return () => [
        tf.slice(x, [1, 0, 1], [2, -1, 2]),
        tf.stridedSlice(x, [0, 1, 0], [4, 5, 3], [2, 2, 1]),
        tf.stridedSlice(x, [3, 4, 0], [0, 0, 3], [-1, -2, 1]),
        tf.stridedSlice(x, [1], [2], [1], 0, 0, 0, 0, 1),
      ];
    },
  ],
  [
    'concat, stack, unstack, split',
    (rng) => {
      const a = normal(rng, [2, 3]),
        b = normal(rng, [2, 5]);
      return () => [
        tf.concat([a, b], 1),
        tf.stack([a, a], 1),
        ...tf.unstack(a, 1),
        ...tf.split(b, [2, 3], 1),
        ...tf.split(a, 2, 0),
      ];
    },
  ],
  [
    'pad, mirrorPad, tile, reverse, broadcastTo',
    (rng) => {
      const x = normal(rng, [3, 4]);
      return () => [
        tf.pad(
          x,
          [
            [1, 2],
            [0, 3],
          ],
          0.5,
        ),
        tf.mirrorPad(
          x,
          [
            [1, 2],
            [2, 1],
          ],
          'reflect',
        ),
        tf.mirrorPad(
          x,
          [
            [1, 2],
            [2, 1],
          ],
          'symmetric',
        ),
        tf.tile(x, [2, 3]),
        tf.reverse(x, 1),
        tf.reverse(x, [0, 1]),
        tf.broadcastTo(tf.slice(x, [0, 0], [1, 4]), [2, 3, 4]),
      ];
    },
  ],
  [
    'gather, gatherND, unsortedSegmentSum, oneHot',
    (rng) => {
      const x = normal(rng, [5, 3]);
      const i = tf.tensor1d([4, 0, 2, 2], 'int32');
      return () => [
        tf.gather(x, i),
        tf.gather(x, tf.tensor1d([2, 0], 'int32'), 1),
        tf.gatherND(
          x,
          tf.tensor2d(
            [
              [1, 2],
              [4, 0],
            ],
            [2, 2],
            'int32',
          ),
        ),
        tf.unsortedSegmentSum(x, tf.tensor1d([1, 0, 1, 3, 0], 'int32'), 4),
        tf.oneHot(i, 6),
        tf.oneHot(i, 5, 2, -1),
      ];
    },
  ],
  [
    'fill, range, eye, diag',
    () => () => [
      tf.fill([2, 3], 1.5),
      tf.fill([2], 4, 'int32'),
      tf.range(0, 10, 3),
      tf.range(2, -3, -1.5),
      tf.eye(3),
      tf.diag(tf.tensor1d([1, 2, 3])),
    ],
  ],
  [
    'matMul with transposes and batches',
    (rng) => {
      const a = normal(rng, [4, 3]),
        b = normal(rng, [3, 5]),
        c = normal(rng, [2, 4, 3]),
        d = normal(rng, [2, 5, 3]);
      return () => [
        tf.matMul(a, b),
        tf.matMul(b, a, true, true),
        tf.matMul(c, d, false, true),
        tf.matMul(a, b, false, false),
      ];
    },
  ],
  [
    'fused matMul',
    (rng) => {
      const a = normal(rng, [4, 3]),
        b = normal(rng, [3, 5]),
        bias = normal(rng, [5]);
      return () => [
        tf.fused.matMul({ a, b, bias, activation: 'relu' }),
        tf.fused.matMul({ a, b, bias, activation: 'sigmoid' }),
      ];
    },
  ],
  [
    'softmax cross-entropy and its gradient',
    (rng) => {
      const x = normal(rng, [4, 6]);
      const y = tf.oneHot(tf.tensor1d([1, 5, 0, 2], 'int32'), 6);
      return () => tf.grad((l: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, l))(x);
    },
  ],
];

for (const [k, s, p, d] of [
  [3, 1, 'same', 1],
  [4, 2, 'same', 1],
  [3, 2, 'valid', 1],
  [4, 2, 'same', 1],
  [3, 1, 'same', 2],
  [2, 3, 'valid', 1],
] as const) {
  cases.push([
    `conv2d k${k} s${s} ${p} d${d}: forward and gradients`,
    (rng) => {
      const x = normal(rng, [2, 9, 7, 3]),
        w = normal(rng, [k, k, 3, 4]);
      return () => {
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, p, 'NHWC', d)));
        const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, p, 'NHWC', d);
        return d === 1 ? [y, ...tf.grads(f)([x, w])] : [y]; // tfjs has no gradient for dilated conv2d
      };
    },
  ]);
}
for (const [h, k, s] of [
  [9, 4, 2],
  [8, 4, 2],
  [7, 3, 1],
] as const) {
  cases.push([
    `conv2d with one input channel, ${h}×${h}, k${k} s${s}: forward and gradients`,
    (rng) => {
      const x = normal(rng, [3, h, h, 1]),
        w = normal(rng, [k, k, 1, 5]);
      return () => {
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, 'same')));
        return [tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, 'same'), ...tf.grads(f)([x, w])];
      };
    },
  ]);
}
for (const [k, s] of [
  [4, 2],
  [3, 2],
  [3, 1],
] as const) {
  cases.push([
    `conv2dTranspose k${k} s${s}: forward and gradients`,
    (rng) => {
      const x = normal(rng, [2, 5, 4, 3]),
        w = normal(rng, [k, k, 2, 3]);
      const out: [number, number, number, number] = [2, 5 * s, 4 * s, 2];
      return () => {
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, s, 'same')));
        return [tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, out, s, 'same'), ...tf.grads(f)([x, w])];
      };
    },
  ]);
}
cases.push([
  'depthwiseConv2d: forward and gradients',
  (rng) => {
    const x = normal(rng, [2, 8, 7, 3]),
      w = normal(rng, [3, 3, 3, 2]);
    return () => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')));
      return [tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), ...tf.grads(f)([x, w])];
    };
  },
]);
cases.push([
  'fused conv2d with bias and relu',
  (rng) => {
    const x = normal(rng, [2, 6, 6, 3]),
      w = normal(rng, [3, 3, 3, 4]),
      bias = normal(rng, [4]);
    return () =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias,
        activation: 'relu',
      });
  },
]);

describe.skipIf(reason !== null && !required)('torch backend kernels equal the cpu backend', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'torch', quiet: true });
    await initEngine({ backend: 'cpu', quiet: true });
  });

  it.each(cases)('%s', async (_name, build) => {
    const ref = await runOn('cpu', build, 7);
    const got = await runOn('torch', build, 7);
    expectClose(got, ref, 2e-5);
  });

  it('fused Adam on torch equals tfjs Adam on cpu, values and optimizer state, over 5 steps', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const rng = new Rng(11);
      const vars = [
        tf.variable(normal(rng, [3, 4]), true, `fa/${backend}/w`),
        tf.variable(normal(rng, [5]), true, `fa/${backend}/b`),
      ];
      const opt = adam(0.01, 0.8, 0.95);
      for (let s = 0; s < 5; s++) {
        const grads = vars.map((v) => ({ name: v.name, tensor: normal(rng, v.shape) }));
        opt.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
      }
      const state = (await opt.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
      const values = vars.map((v) => Array.from(v.dataSync()));
      tf.dispose(vars);
      opt.dispose();
      return { values, state };
    };
    const ref = await run('cpu');
    const got = await run('torch');
    for (const [a, b] of [
      [got.values, ref.values],
      [got.state, ref.state],
    ]) {
      expect(a.length).toBe(b.length);
      a.forEach((arr, i) => arr.forEach((x, j) => expect(Math.abs(x - b[i][j])).toBeLessThan(1e-5)));
    }
  });

  it('a kernel the backend lacks fails with an error naming it', async () => {
    await tf.setBackend('torch');
    expect(() => tf.topk(tf.tensor1d([1, 3, 2]), 2)).toThrow(/TopK.*torch/);
  });

  it('--device cuda on a libtorch without CUDA is a clear error', async () => {
    const { loadAddon } = await import('../../src/engine/torch/native.js');
    const info = loadAddon()!.init(1, 'cpu');
    if (!info.cuda) expect(() => loadAddon()!.init(1, 'cuda')).toThrow(/CUDA/);
    else expect(info.cuda).toBe(true);
    loadAddon()!.init(1, 'cpu');
  });

  it('reading a disposed tensor is an error, not garbage', async () => {
    await tf.setBackend('torch');
    const t = tf.tensor1d([1, 2, 3]);
    const dataId = t.dataId;
    t.dispose();
    expect(() => tf.backend().readSync(dataId)).toThrow(/disposed/);
  });
});

describe.skipIf(reason !== null && !required)('torch backend trains every framework like the reference backend', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'torch', quiet: true });
    await initEngine({ backend: 'wasm', quiet: true });
  });

  /** Three Adam steps of `name` on the conv64 model from seeded weights: losses and first-step gradients. */
  async function trainOn(backend: string, name: string) {
    await tf.setBackend(backend);
    const zDim = name === 'decomposition' ? 2 : 3;
    const fw = await createFramework(name, {
      zDim,
      params: name === 'factorvae' ? { hidden: 16, layers: 2 } : {},
      rng: new Rng(1),
    });
    const model = makeModel(
      {
        architecture: 'conv64',
        obsShape: [64, 64, 1],
        zDim,
        encoderOutputsPerLatent: fw.encoderOutputsPerLatent,
        decoder: fw.usesDecoder !== false,
      },
      2,
    );
    const vars = [...model.encoderVariables, ...model.decoderVariables, ...(fw.extraVariables?.() ?? [])];
    const opt = adam(1e-3); // fused on torch, tfjs's own on wasm
    const rng = new Rng(3);
    const x = tf.tensor4d(
      Float32Array.from({ length: 4 * 64 * 64 }, () => (rng.uniform() > 0.7 ? 1 : 0)),
      [4, 64, 64, 1],
    );
    const bce = await parseLoss('bce');
    const losses: number[] = [];
    let grads: number[][] = [];
    for (let step = 0; step < 3; step++) {
      const ctx = { model, recon: bce, x, step, seed: seedsFrom(new Rng(7)), regulariserScale: 1 };
      const { value, grads: g } = tf.variableGrads(() => fw.loss(ctx).loss, vars);
      losses.push(value.dataSync()[0]);
      if (step === 0) grads = vars.map((v) => Array.from(g[v.name].dataSync()));
      opt.applyGradients(g as Record<string, tf.Variable>);
      tf.dispose([value, ...Object.values(g)]);
      fw.afterStep?.(ctx);
    }
    x.dispose();
    opt.dispose();
    model.dispose();
    return { losses, grads };
  }

  it.each(frameworks.names())('%s: same losses over 3 Adam steps and same gradients', async (name) => {
    const ref = await trainOn('wasm', name);
    const got = await trainOn('torch', name);
    for (let i = 0; i < ref.losses.length; i++)
      expect(Math.abs(got.losses[i] - ref.losses[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.losses[i])));
    for (let v = 0; v < ref.grads.length; v++) {
      const scale = ref.grads[v].reduce((m, g) => Math.max(m, Math.abs(g)), 1e-3);
      let err = 0;
      for (let j = 0; j < ref.grads[v].length; j++) err = Math.max(err, Math.abs(got.grads[v][j] - ref.grads[v][j]));
      expect(err / scale).toBeLessThan(2e-3);
    }
  });
});

describe.skipIf(reason !== null && !required)('torch backend memory', () => {
  it('1,000 training steps keep native memory flat', async () => {
    await initEngine({ backend: 'torch', quiet: true });
    const rng = new Rng(4);
    const w1 = tf.variable(tf.mul(normal(rng, [3, 3, 1, 4]), 0.3)),
      w2 = tf.variable(tf.mul(normal(rng, [3, 3, 4, 4]), 0.3));
    const w3 = tf.variable(tf.mul(normal(rng, [64, 8]), 0.1));
    const x = tf.tensor4d(rng.fillNormal(new Float32Array(8 * 8 * 8)), [8, 8, 8, 1]);
    const opt = tf.train.adam(1e-3);
    const step = () => {
      const loss = opt.minimize(() => {
        const h = tf.relu(tf.conv2d(x, w1 as tf.Variable<tf.Rank.R4>, 2, 'same'));
        const up = tf.conv2dTranspose(h, w2 as tf.Variable<tf.Rank.R4>, [8, 8, 8, 4], 2, 'same');
        const z = tf.matMul(tf.reshape(tf.slice(up, [0, 0, 0, 0], [8, 4, 4, 4]), [8, 64]), w3);
        return tf.add(tf.mean(tf.square(z)), tf.mean(tf.square(tf.sub(tf.mean(up, 3, true), x))));
      }, true)!;
      loss.dispose();
    };
    for (let i = 0; i < 10; i++) step();
    const before = tf.memory() as tf.MemoryInfo & { nativeBytes: number; nativeTensors: number };
    for (let i = 0; i < 1000; i++) step();
    const after = tf.memory() as tf.MemoryInfo & { nativeBytes: number; nativeTensors: number };
    expect(after.nativeTensors).toBe(before.nativeTensors);
    expect(after.nativeBytes).toBe(before.nativeBytes);
    expect(after.numTensors).toBe(before.numTensors);
    tf.dispose([w1, w2, w3, x]);
    opt.dispose();
  });
});
