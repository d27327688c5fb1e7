import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng.js';
import { UserError, listChoices } from '../util/errors.js';
import {
  conv2d,
  conv2dTranspose,
  dense,
  channelNorm,
  sequential,
  type Layer,
  type Activation,
  type InitName,
} from './layers.js';

/**
 * Encoder/decoder pairs sized from the observation shape (H, W, C).
 * The encoder maps NHWC images to 2·z outputs (μ and log σ², or 2·z distribution parameters);
 * the decoder maps z to NHWC logits/values with C channels.
 */
export type ArchitectureName = (typeof architectureNames)[number];
export const architectureNames = ['conv64', 'conv64-dl', 'conv64-norm', 'conv64-disent', 'fc'] as const;

export interface ModelSpec {
  architecture: ArchitectureName;
  /** Observation shape [H, W, C]. */
  obsShape: [number, number, number];
  /** Latent size z. */
  zDim: number;
  /** How many encoder outputs per latent dimension (2 for Gaussian μ, log σ²; 1 for an AE). */
  encoderOutputsPerLatent?: number;
  /** Width of the fully connected architecture's hidden layers (default 1200, as in disentanglement_lib). */
  hidden?: number;
  /**
   * False: build the encoder alone (for objectives without a decoder, e.g. PCL): no decoder variables, and
   * `decode` throws. Default true. The encoder's initial weights are the same either way.
   */
  decoder?: boolean;
  /** How weights and biases are drawn (default 'pytorch': PyTorch's own defaults; see layers.ts). */
  init?: InitName;
}

export interface EncoderDecoder {
  spec: ModelSpec;
  /** NHWC images → [N, k·z] raw encoder outputs. */
  encode(x: tf.Tensor4D): tf.Tensor2D;
  /** [N, z] → NHWC decoder outputs (logits for Bernoulli-type losses); throws when built without a decoder. */
  decode(z: tf.Tensor2D): tf.Tensor4D;
  readonly encoderVariables: tf.Variable[];
  readonly decoderVariables: tf.Variable[];
  dispose(): void;
}

function checkConvShape([h, w]: [number, number, number], arch: string): void {
  if (h % 16 !== 0 || w % 16 !== 0) {
    throw new UserError(
      `architecture '${arch}' needs height and width divisible by 16 (four stride-2 convs), got ${h}×${w}; use --set model.architecture=fc for other sizes`,
    );
  }
}

/**
 * The standard conv architecture (disentanglement_lib / disent, `frameworks.md`):
 * encoder conv 32-32-64-64 (4×4 s2 ReLU; 'conv64-dl' uses 2×2 for the last two), dense 256, dense k·z;
 * decoder dense 256, dense (H/16·W/16·64), transposed convs 64-32-32-C (4×4 s2).
 * 'conv64-norm' adds a per-channel normalisation after each hidden conv.
 * 'conv64-disent' is disent's EncoderConv64/DecoderConv64: the encoder's 4×4 s2 convs pad 2 on every side
 * (64 → 33 → 17 → 9 → 5, a 5·5·64 = 1600-wide flatten); the decoder is conv64's (dense 1024, 4×4 → 64×64).
 * (PyTorch flattens channels first and we flatten channels last: a fixed permutation of the dense layer's
 * rows, the same model up to relabelling of randomly initialised weights.)
 */
function convModel(spec: ModelSpec, rng: Rng): EncoderDecoder {
  const [h, w, c] = spec.obsShape;
  checkConvShape(spec.obsShape, spec.architecture);
  const k = spec.encoderOutputsPerLatent ?? 2;
  const norm = spec.architecture === 'conv64-norm';
  const k34 = spec.architecture === 'conv64-dl' ? 2 : 4;
  const disentPad = spec.architecture === 'conv64-disent';
  const init = spec.init ?? 'pytorch';
  const hidden: Activation = 'relu';
  const enc: Layer[] = [];
  const convs: Array<[number, number, number]> = [
    [c, 32, 4],
    [32, 32, 4],
    [32, 64, k34],
    [64, 64, k34],
  ];
  convs.forEach(([i, o, ks], idx) => {
    enc.push(conv2d(`enc/conv${idx}`, i, o, ks, 2, norm ? 'linear' : hidden, rng, init, disentPad ? 2 : 'same'));
    if (norm) {
      enc.push(channelNorm(`enc/norm${idx}`, o));
      enc.push({ name: `enc/relu${idx}`, variables: [], apply: (x) => tf.relu(x) });
    }
  });
  const fh = h / 16;
  const fw = w / 16;
  const flat = fh * fw * 64;
  // padding 2 (k 4, s 2): n → floor(n/2) + 1, four times
  const padded = (n: number) => [0, 1, 2, 3].reduce((m) => Math.floor(m / 2) + 1, n);
  const encFlat = disentPad ? padded(h) * padded(w) * 64 : flat;
  enc.push({ name: 'enc/flatten', variables: [], apply: (x) => tf.reshape(x, [x.shape[0], encFlat]) });
  enc.push(dense('enc/dense0', encFlat, 256, hidden, rng, init));
  enc.push(dense('enc/out', 256, k * spec.zDim, 'linear', rng, init));

  const decoder = (): Layer[] => {
    const dec: Layer[] = [
      dense('dec/dense0', spec.zDim, 256, hidden, rng, init),
      dense('dec/dense1', 256, flat, hidden, rng, init),
      { name: 'dec/reshape', variables: [], apply: (x) => tf.reshape(x, [x.shape[0], fh, fw, 64]) },
    ];
    const deconvs: Array<[number, number, Activation]> = [
      [64, 64, hidden],
      [64, 32, hidden],
      [32, 32, hidden],
      [32, c, 'linear'],
    ];
    deconvs.forEach(([i, o, act], idx) => {
      const last = idx === deconvs.length - 1;
      dec.push(conv2dTranspose(`dec/deconv${idx}`, i, o, 4, 2, norm && !last ? 'linear' : act, rng, init));
      if (norm && !last) {
        dec.push(channelNorm(`dec/norm${idx}`, o));
        dec.push({ name: `dec/relu${idx}`, variables: [], apply: (x) => tf.relu(x) });
      }
    });
    return dec;
  };
  return assemble(spec, enc, decoder);
}

/** The fully connected alternative: encoder n-n ReLU; decoder n-n-n tanh (n = spec.hidden, the field's 1200 by default). */
function fcModel(spec: ModelSpec, rng: Rng): EncoderDecoder {
  const [h, w, c] = spec.obsShape;
  const d = h * w * c;
  const k = spec.encoderOutputsPerLatent ?? 2;
  const n = spec.hidden ?? 1200;
  const init = spec.init ?? 'pytorch';
  if (!Number.isInteger(n) || n < 1) throw new UserError(`model.hidden must be a positive integer, got ${n}`);
  const enc: Layer[] = [
    { name: 'enc/flatten', variables: [], apply: (x) => tf.reshape(x, [x.shape[0], d]) },
    dense('enc/dense0', d, n, 'relu', rng, init),
    dense('enc/dense1', n, n, 'relu', rng, init),
    dense('enc/out', n, k * spec.zDim, 'linear', rng, init),
  ];
  const decoder = (): Layer[] => [
    dense('dec/dense0', spec.zDim, n, 'tanh', rng, init),
    dense('dec/dense1', n, n, 'tanh', rng, init),
    dense('dec/dense2', n, n, 'tanh', rng, init),
    dense('dec/out', n, d, 'linear', rng, init),
    { name: 'dec/reshape', variables: [], apply: (x) => tf.reshape(x, [x.shape[0], h, w, c]) },
  ];
  return assemble(spec, enc, decoder);
}

/** The decoder is built (and its weights drawn, after the encoder's) only when the spec asks for one. */
function assemble(spec: ModelSpec, enc: Layer[], decoder: () => Layer[]): EncoderDecoder {
  const dec = spec.decoder === false ? null : decoder();
  const encoderVariables = enc.flatMap((l) => l.variables);
  const decoderVariables = dec ? dec.flatMap((l) => l.variables) : [];
  const runEnc = sequential(enc);
  const runDec = dec ? sequential(dec) : null;
  return {
    spec,
    encoderVariables,
    decoderVariables,
    encode: (x) => runEnc(x) as tf.Tensor2D,
    decode: (z) => {
      if (!runDec)
        throw new UserError(
          'this model was built without a decoder (its framework trains the encoder alone, e.g. PCL): ' +
            'it has no reconstructions or traversals; use its codes (encode) instead',
        );
      return runDec(z) as tf.Tensor4D;
    },
    dispose: () => [...encoderVariables, ...decoderVariables].forEach((v) => v.dispose()),
  };
}

/** Build an encoder/decoder pair; weights drawn from `seed` (or an Rng). */
export function makeModel(spec: ModelSpec, seed: number | Rng = 0): EncoderDecoder {
  const rng = typeof seed === 'number' ? new Rng(seed) : seed;
  if (!Number.isInteger(spec.zDim) || spec.zDim < 1)
    throw new UserError(`z must be a positive integer, got ${spec.zDim}`);
  switch (spec.architecture) {
    case 'conv64':
    case 'conv64-dl':
    case 'conv64-norm':
    case 'conv64-disent':
      return convModel(spec, rng);
    case 'fc':
      return fcModel(spec, rng);
    default:
      throw new UserError(
        `unknown architecture '${spec.architecture as string}': choose ${listChoices(architectureNames)}`,
      );
  }
}
