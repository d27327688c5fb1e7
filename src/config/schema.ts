/**
 * The run configuration, validated at the door. Defaults are written here once.
 * Dataset and framework parameters are validated by their own registries' schemas.
 */
import { z } from 'zod';
import { architectureNames, initNames } from '../nn/index.js';
import { UserError } from '../util/errors.js';
import { datasets } from '../data/index.js';
import { frameworks } from '../frameworks/index.js';
import { formatZodError, parseParams } from '../registry/index.js';
import { parseLoss } from '../losses/index.js';
import { evalSchema } from './eval.js';
import { precisions } from '../engine/registry.js';

export const configSchema = z
  .object({
    /** The dataset's name and its parameters (validated by the dataset's own schema). */
    dataset: z
      .object({ name: z.string().default('xysquares') })
      .catchall(z.unknown())
      .default({ name: 'xysquares' }),
    /** The framework's name and its hyper-parameters (validated by the framework's own schema). */
    framework: z
      .object({ name: z.string().default('betavae') })
      .catchall(z.unknown())
      .default({ name: 'betavae' }),
    model: z
      .object({
        architecture: z.enum(architectureNames).default('conv64'),
        z: z.number().int().min(1).default(10),
        /** Hidden width of the 'fc' architecture (ignored by the conv ones). */
        hidden: z.number().int().min(1).default(1200),
        /**
         * How weights are drawn from the run's seed: 'pytorch' (PyTorch's layer defaults, U(±1/√fan_in)) or
         * 'xavier-normal' (disent's experiments: N(0, 2/(fan_in + fan_out)) weights, zero biases).
         */
        init: z.enum(initNames).default('pytorch'),
      })
      .strict()
      .default({ architecture: 'conv64', z: 10, hidden: 1200, init: 'pytorch' }),
    loss: z.string().default('bce'),
    /**
     * 'sum': reconstruction summed over pixels, regulariser summed over latents (disentanglement_lib's convention).
     * 'mean': both averaged — over pixels and over latents — exactly disent's (and the Michlo paper's) reduction, so
     * a β copied from there means the same here; β_mean = β_sum · z / (H·W·C).
     */
    lossReduction: z.enum(['sum', 'mean']).default('sum'),
    optimizer: z
      .object({
        lr: z.number().positive().default(1e-4),
        beta1: z.number().min(0).lt(1).default(0.9),
        beta2: z.number().min(0).lt(1).default(0.999),
        /** Adam's ε: 1e-7 is tfjs's default (kept, so older runs resume unchanged); PyTorch's (disent's) is 1e-8. */
        epsilon: z.number().positive().default(1e-7),
      })
      .strict()
      .default({ lr: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
    train: z
      .object({
        steps: z.number().int().min(1).default(1000),
        batchSize: z.number().int().min(1).default(64),
        seed: z.number().int().default(0),
        checkpointEvery: z.number().int().min(1).default(500),
        logEvery: z.number().int().min(1).default(10),
        /** Pairs for weakly supervised frameworks differ in this many factors ('random': 1 … F). */
        pairK: z.union([z.number().int().min(1), z.literal('random')]).default(1),
        /**
         * 'exact': each of the pair's chosen factors gets a different value, so pairs differ in exactly pairK
         * factors. 'resample': each chosen factor's value is drawn afresh from all its values, possibly the same
         * one (disentanglement_lib's and disent's weak-pair sampler), so some pairs differ in fewer factors or
         * are identical (k = 1: a fraction 1/size of pairs whose chosen factor has `size` values).
         */
        pairSampling: z.enum(['exact', 'resample']).default('exact'),
        /**
         * Temporal pairs (SlowVAE, PCL) move each factor by a Laplace step of this rate λ (scale ln(size)/λ;
         * larger = sparser; 'random': λ ~ U(1, 10) per pair). 1 is Klindt et al.'s default (`--rate-data`).
         */
        temporalRate: z.union([z.number().positive(), z.literal('random')]).default(1),
        /**
         * 'bf16': convolutions and matrix products in bfloat16 (autocast-style; weights, Adam state and
         * reductions stay float32) — torch backend only, and faster only where the hardware has bf16 (CPUs with
         * AVX512-BF16/AMX, CUDA). 'fp32' everywhere is the default.
         */
        precision: z.enum(precisions).default('fp32'),
      })
      .strict()
      .default({
        steps: 1000,
        batchSize: 64,
        seed: 0,
        checkpointEvery: 500,
        logEvery: 10,
        pairK: 1,
        pairSampling: 'exact',
        temporalRate: 1,
        precision: 'fp32',
      }),
    /** Scores during training (`metrics.jsonl`) and at the end; absent: none (see eval.ts). */
    eval: evalSchema.optional(),
    /** Free text saying what the config is for (e.g. which β convention it uses); not read by training. */
    description: z.string().optional(),
  })
  .strict();

export type RunConfig = z.output<typeof configSchema>;

/** Validate a whole config (structure, dataset and framework parameters, loss spec); throws UserError. */
export async function validateConfig(raw: unknown): Promise<RunConfig> {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(
      `${formatZodError('bad config', parsed.error)}. Allowed top-level keys: ${Object.keys(configSchema.shape).join(', ')}`,
    );
  }
  const cfg = parsed.data;
  const { name: dsName, ...dsParams } = cfg.dataset;
  parseParams(`config dataset '${dsName}'`, (await datasets.get(dsName)).schema, dsParams);
  const { name: fwName, ...fwParams } = cfg.framework;
  parseParams(`config framework '${fwName}'`, (await frameworks.get(fwName)).schema, fwParams);
  await parseLoss(cfg.loss);
  return cfg;
}
