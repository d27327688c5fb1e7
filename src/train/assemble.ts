/** A run's live objects, built from a validated config: the dataset, framework, model, loss and optimiser. */
import type * as tf from '@tensorflow/tfjs-core';
import { createDataset, renderObservations, type GroundTruthDataset } from '../data/index.js';
import { createFramework, type Framework } from '../frameworks/index.js';
import { parseLoss, withReduction, type ReconstructionLoss } from '../losses/index.js';
import { makeModel, type EncoderDecoder } from '../nn/index.js';
import { adam } from '../engine/index.js';
import type { RunConfig } from '../config/index.js';
import { Rng } from '../util/rng.js';
import { UserError } from '../util/errors.js';

export interface Run {
  dir: string;
  config: RunConfig;
  dataset: GroundTruthDataset;
  framework: Framework;
  model: EncoderDecoder;
  recon: ReconstructionLoss;
  optimizer: tf.AdamOptimizer;
  /** Steps done (the next step to run). */
  step: number;
}

/** Build the run's objects from a validated config, with fresh weights from the run's seed. */
export async function assemble(dir: string, config: RunConfig): Promise<Run> {
  const { name: dsName, ...dsParams } = config.dataset;
  const dataset = await createDataset(dsName, dsParams);
  const rng = new Rng(config.train.seed);
  const { name: fwName, ...fwParams } = config.framework;
  // A fixed sample of observations for data-dependent set-up (e.g. a PCA-initialised prior).
  const sampleIdx = dataset.stateSpace.sampleIndices(256, rng.fork('setup-data'));
  const dim = dataset.obsShape[0] * dataset.obsShape[1] * dataset.obsShape[2];
  const data = { x: renderObservations(dataset, sampleIdx), n: sampleIdx.length, dim };
  const framework = await createFramework(fwName, {
    zDim: config.model.z,
    params: fwParams,
    rng: rng.fork('framework'),
    data,
  });
  checkTrainable(config, dataset, framework);
  const model = makeModel(
    {
      architecture: config.model.architecture,
      obsShape: [...dataset.obsShape],
      zDim: config.model.z,
      hidden: config.model.hidden,
      encoderOutputsPerLatent: framework.encoderOutputsPerLatent,
      decoder: framework.usesDecoder !== false,
      init: config.model.init,
    },
    rng.fork('model'),
  );
  const { lr, beta1, beta2, epsilon } = config.optimizer;
  const optimizer = adam(lr, beta1, beta2, epsilon);
  const recon = withReduction(await parseLoss(config.loss), config.lossReduction);
  return { dir, config, dataset, framework, model, recon, optimizer, step: 0 };
}

/** What a config can ask that the dataset cannot give: said before anything is trained or written. */
function checkTrainable(config: RunConfig, dataset: GroundTruthDataset, framework: Framework): void {
  const [h, w, c] = dataset.obsShape;
  const rows = config.train.batchSize * (framework.batchKind === 'pairs' ? 2 : 1);
  // a batch is rendered into one float32 array: beyond 1 GiB it is a typo, not a batch
  const limit = Math.floor(2 ** 28 / (h * w * c) / (framework.batchKind === 'pairs' ? 2 : 1));
  if (rows * h * w * c > 2 ** 28)
    throw new UserError(
      `train.batchSize ${config.train.batchSize} is too large for ${h}×${w}×${c} observations ` +
        `(over 1 GiB per batch): at most ${limit.toLocaleString('en')}`,
    );
  if (framework.batchKind === 'pairs' && !dataset.factors.some((f) => f.size > 1))
    throw new UserError(
      `framework '${framework.name}' trains on pairs that differ in a factor, but every factor of ` +
        `dataset '${dataset.name}' has a single value: choose a dataset (or parameters) where some factor varies`,
    );
}

/** The variables the trainer's optimiser updates: the model's and the framework's own trainable ones. */
export function trainableVariables(run: Run): tf.Variable[] {
  return [...run.model.encoderVariables, ...run.model.decoderVariables, ...(run.framework.extraVariables?.() ?? [])];
}

export function disposeRun(run: Run): void {
  run.model.dispose();
  run.optimizer.dispose();
  run.framework.dispose?.();
}
