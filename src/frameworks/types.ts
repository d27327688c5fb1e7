/**
 * Frameworks are small modules on one shared training step (cf. disent): the trainer owns the
 * model, optimiser, data stream and logging; a framework says how to turn a batch into a loss.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { EncoderDecoder, LatentName } from '../nn/index.js';
import type { ReconstructionLoss } from '../losses/types.js';
import type { Rng, SeedFn } from '../util/rng.js';

/** What a framework needs from the data stream each step. */
export type BatchKind =
  /** x: [B, H, W, C] */
  | 'single'
  /** x: [2B, H, W, C] — rows i and B+i form a pair differing in k factors (Ada-GVAE / Ada-ML-VAE). */
  | 'pairs'
  /**
   * x: [2B, H, W, C] — rows i and B+i are consecutive observations (x_t, x_{t+1}) whose factors moved by sparse
   * Laplace steps (SlowVAE, PCL; data/temporal.ts, rate `train.temporalRate`).
   */
  | 'temporal';

export interface StepContext {
  model: EncoderDecoder;
  recon: ReconstructionLoss;
  /** Observations in [0, 1]. */
  x: tf.Tensor4D;
  /** Global step (0-based) — for schedules. */
  step: number;
  /** Seeds for this step's random ops by label ('z', 'prior', …): functions of (run seed, step, label). */
  seed: SeedFn;
  /**
   * What the regulariser is multiplied by: 1 with lossReduction 'sum'; 1/z with 'mean', which with the
   * reconstruction averaged over pixels is disent's reduction (the Michlo paper's): β = 0.001 there is β = 0.001
   * here.
   */
  regulariserScale: number;
}

export interface LossOutput {
  /** The scalar to minimise w.r.t. the model's variables (and the framework's own trainable ones). */
  loss: tf.Scalar;
  /** Named terms to log (recon, kl, tc, ...), each a scalar. */
  terms: Record<string, tf.Scalar>;
}

export interface Framework {
  readonly name: string;
  readonly batchKind: BatchKind;
  /** Encoder outputs per latent dimension: 2 for Gaussian (μ, log σ²), 1 for a plain AE. */
  readonly encoderOutputsPerLatent: number;
  /** The posterior family q(z|x) the encoder's outputs parameterise; absent for a deterministic encoder. */
  readonly latent?: LatentName;
  /**
   * False for objectives that train an encoder alone (PCL): the run's model is built without a decoder, so it
   * has no reconstructions, traversals or decoder diagnostics. Absent means true.
   */
  readonly usesDecoder?: boolean;
  /** The loss of one step; called inside the optimiser's tape (tf.tidy applies). */
  loss(ctx: StepContext): LossOutput;
  /** Trainable variables the framework owns beyond the model (e.g. a learned prior). */
  extraVariables?(): tf.Variable[];
  /** Variables the framework updates itself (FactorVAE's discriminator): saved in checkpoints, not optimised by the trainer. */
  stateVariables?(): tf.Variable[];
  /** Optimisers the framework steps itself: their slots are saved in checkpoints too, so a resumed run is exact. */
  stateOptimizers?(): tf.Optimizer[];
  /** Extra updates after the main step (FactorVAE's discriminator); returns terms to log. */
  afterStep?(ctx: StepContext): Record<string, number>;
  /** The representation for metrics: the encoder mean (default) from raw encoder outputs. */
  representation(encoderOutput: tf.Tensor2D): tf.Tensor2D;
  dispose?(): void;
}

export interface FrameworkFactoryArgs {
  /** Latent size. */
  zDim: number;
  /** Framework hyper-parameters from the config (validated by the framework's schema). */
  params: Record<string, unknown>;
  rng: Rng;
  /** A sample of observations (flattened, N × H·W·C), for data-dependent set-up such as a PCA-initialised prior. */
  data?: { x: Float32Array; n: number; dim: number };
}
