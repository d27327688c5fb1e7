/**
 * The trainer: one shared step for every framework. Infinite seeded stream (each step's batch and noise are
 * functions of (seed, step), so a resumed run equals one that never stopped), Adam, progress bar,
 * train.jsonl, atomic checkpoints, resume, a NaN/Inf guard, and pictures at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createDataset,
  prepareDataset,
  renderObservations,
  sampleBatch,
  type GroundTruthDataset,
} from '../data/index.js';
import { createFramework, type Framework } from '../frameworks/index.js';
import { parseLoss, withReduction, type ReconstructionLoss } from '../losses/index.js';
import { makeModel, type EncoderDecoder } from '../nn/index.js';
import { adam } from '../engine/adam.js';
import { validateConfig, type RunConfig } from '../config/index.js';
import { Rng } from '../util/rng.js';
import { UserError } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import { writeFileAtomic } from '../util/fs.js';
import { saveCheckpoint, loadCheckpoint } from './checkpoint.js';
import { writeModelPictures } from './pictures.js';

export interface Run {
  dir: string;
  config: RunConfig;
  dataset: GroundTruthDataset;
  framework: Framework;
  model: EncoderDecoder;
  recon: ReconstructionLoss;
  optimizer: tf.AdamOptimizer;
  step: number;
}

export interface TrainOptions {
  quiet?: boolean;
  /** Stop (as if killed) after this many steps of this call — for tests. */
  stopAfter?: number;
  /** Skip the end-of-run pictures. */
  noPictures?: boolean;
}

function isRunDir(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'train.jsonl'));
}

/** Build the run's objects from a validated config (fresh weights from the seed). Also used by the web page. */
export function assemble(dir: string, config: RunConfig): Run {
  const { name: dsName, ...dsParams } = config.dataset;
  const dataset = createDataset(dsName, dsParams);
  const rng = new Rng(config.train.seed);
  const { name: fwName, ...fwParams } = config.framework;
  // A fixed sample of observations for data-dependent set-up (e.g. a PCA-initialised prior).
  const sampleIdx = dataset.stateSpace.sampleIndices(256, rng.fork('setup-data'));
  const dim = dataset.obsShape[0] * dataset.obsShape[1] * dataset.obsShape[2];
  const data = { x: renderObservations(dataset, sampleIdx), n: sampleIdx.length, dim };
  const framework = createFramework(fwName, {
    zDim: config.model.z,
    params: fwParams,
    rng: rng.fork('framework'),
    data,
  });
  const model = makeModel(
    {
      architecture: config.model.architecture as any,
      obsShape: [...dataset.obsShape] as [number, number, number],
      zDim: config.model.z,
      hidden: config.model.hidden,
      encoderOutputsPerLatent: framework.encoderOutputsPerLatent,
    },
    rng.fork('model'),
  );
  const optimizer = adam(config.optimizer.lr, config.optimizer.beta1, config.optimizer.beta2);
  return {
    dir,
    config,
    dataset,
    framework,
    model,
    recon: withReduction(parseLoss(config.loss), config.lossReduction),
    optimizer,
    step: 0,
  };
}

export function trainableVariables(run: Run): tf.Variable[] {
  return [...run.model.encoderVariables, ...run.model.decoderVariables, ...(run.framework.extraVariables?.() ?? [])];
}

/** Everything a checkpoint holds besides optimiser slots: trained variables, then framework-owned state. */
function savedVariables(run: Run): tf.Variable[] {
  return [...trainableVariables(run), ...(run.framework.stateVariables?.() ?? [])];
}

export function checkpointTensors(run: Run): Array<{ name: string; shape: number[]; data: Float32Array }> {
  return savedVariables(run).map((v, i) => ({ name: `var${i}`, shape: v.shape, data: v.dataSync() as Float32Array }));
}

export async function optimizerTensors(run: Run) {
  const weights = await run.optimizer.getWeights();
  return weights.map((w, i) => ({
    name: `opt${i}:${w.name}`,
    shape: w.tensor.shape,
    data: w.tensor.dataSync() as Float32Array,
  }));
}

async function restore(run: Run): Promise<void> {
  const ck = loadCheckpoint(run.dir);
  if (!ck) return;
  const vars = savedVariables(run);
  const nv = vars.length;
  vars.forEach((v, i) => v.assign(tf.tensor(ck.tensors[i], v.shape)));
  const optEntries = ck.manifest.tensors.slice(nv);
  if (optEntries.length) {
    await run.optimizer.setWeights(
      optEntries.map((t, i) => ({
        name: t.name.slice(t.name.indexOf(':') + 1),
        tensor: tf.tensor(ck.tensors[nv + i], t.shape),
      })),
    );
  }
  run.step = ck.manifest.step;
}

/** Start a new run in `dir` (which must not exist, or be empty). */
export async function startRun(dir: string, rawConfig: unknown): Promise<Run> {
  const config = validateConfig(rawConfig);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`--out ${dir} exists and is not a folder`);
    if (isRunDir(dir))
      throw new UserError(
        `${dir} already holds a run: continue it with \`disentangle train --resume ${dir}\`, or choose another --out`,
      );
    if (readdirSync(dir).length > 0)
      throw new UserError(
        `${dir} exists and is not a run folder: refusing to write into it (choose an empty or new --out)`,
      );
  }
  await prepareDataset(config.dataset.name);
  mkdirSync(dir, { recursive: true });
  const run = assemble(dir, config);
  writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileAtomic(join(dir, 'train.jsonl'), '');
  return run;
}

/** Reopen a run folder at its last checkpoint (log lines past it are dropped, so the log stays clean). */
export async function openRun(dir: string): Promise<Run> {
  if (!existsSync(dir)) throw new UserError(`no run folder at ${dir}`);
  if (!isRunDir(dir)) throw new UserError(`${dir} is not a run folder (no config.json and train.jsonl)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  } catch {
    throw new UserError(`${join(dir, 'config.json')} is not valid JSON`);
  }
  const config = validateConfig(raw);
  await prepareDataset(config.dataset.name);
  const run = assemble(dir, config);
  await restore(run);
  const log = readFileSync(join(dir, 'train.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const kept = log.filter((l) => {
    try {
      return JSON.parse(l).step <= run.step;
    } catch {
      return false;
    }
  });
  writeFileAtomic(join(dir, 'train.jsonl'), kept.map((l) => l + '\n').join(''));
  return run;
}

const stepSeed = (seed: number, step: number) => new Rng(`${seed}:noise:${step}`).seed32();

/**
 * One optimisation step at `run.step`: its batch and noise are functions of (seed, step), so any caller — the
 * CLI's loop or the web page — takes the same step. Does not advance `run.step` (the caller does, once it
 * accepts the result: a non-finite loss stops the CLI's run at the step that failed).
 */
export function trainStep(
  run: Run,
  vars: tf.Variable[] = trainableVariables(run),
): { loss: number; terms: Record<string, number>; extra: Record<string, number> } {
  const { batchSize, seed, pairK } = run.config.train;
  const step = run.step;
  const idx = sampleBatch(run.dataset, batchSize, run.framework.batchKind, new Rng(`${seed}:batch:${step}`), pairK);
  const x = tf.tensor4d(renderObservations(run.dataset, idx), [idx.length, ...run.dataset.obsShape] as [
    number,
    number,
    number,
    number,
  ]);
  const ctx = { model: run.model, recon: run.recon, x, step, seed: stepSeed(seed, step) };
  let terms: Record<string, number> = {};
  const cost = run.optimizer.minimize(
    () => {
      const out = run.framework.loss(ctx);
      // keep the terms out of the tape's tidy so we can read them after the step
      terms = Object.fromEntries(Object.entries(out.terms).map(([k, v]) => [k, v.dataSync()[0]]));
      return out.loss;
    },
    true,
    vars,
  )!;
  const loss = cost.dataSync()[0];
  cost.dispose();
  const extra = run.framework.afterStep?.(ctx) ?? {};
  x.dispose();
  return { loss, terms, extra };
}

/** Train until the configured number of steps (or `stopAfter`). Returns the last loss. */
export async function trainRun(
  run: Run,
  opts: TrainOptions = {},
): Promise<{ step: number; loss: number; stopped: boolean }> {
  const { steps, checkpointEvery, logEvery } = run.config.train;
  const vars = trainableVariables(run);
  const bar = new ProgressBar({ total: steps, start: run.step, label: 'train', unit: 'step', quiet: opts.quiet });
  const logPath = join(run.dir, 'train.jsonl');
  let pending = '';
  let loss = NaN;
  let done = 0;
  const { appendFileSync } = await import('node:fs');
  const flushLog = () => {
    if (pending) {
      appendFileSync(logPath, pending);
      pending = '';
    }
  };
  const checkpoint = async () => {
    flushLog();
    saveCheckpoint(run.dir, run.step, loss, [...checkpointTensors(run), ...(await optimizerTensors(run))]);
  };
  while (run.step < steps) {
    if (opts.stopAfter !== undefined && done >= opts.stopAfter) return { step: run.step, loss, stopped: true };
    const step = run.step;
    const r = trainStep(run, vars);
    loss = r.loss;
    const { terms, extra } = r;
    if (!Number.isFinite(loss) || Object.values(terms).some((v) => !Number.isFinite(v))) {
      flushLog();
      const ck = loadCheckpoint(run.dir);
      throw new UserError(
        `loss became ${loss} at step ${step} (terms ${JSON.stringify(terms)}): training stopped. ` +
          (ck
            ? `The last good checkpoint (step ${ck.manifest.step}) is kept in ${run.dir}.`
            : 'No checkpoint was written yet.') +
          ' Try a lower learning rate (--lr) or another loss.',
      );
    }
    run.step = step + 1;
    done++;
    if (run.step % logEvery === 0 || run.step === steps) {
      pending += JSON.stringify({ step: run.step, loss, ...terms, ...extra }) + '\n';
    }
    bar.update(run.step, `loss ${loss.toFixed(2)}`);
    if (run.step % checkpointEvery === 0 || run.step === steps) await checkpoint();
  }
  bar.finish(`loss ${loss.toFixed(2)}`);
  flushLog();
  if (!opts.noPictures) writeModelPictures(run);
  writeFileAtomic(join(run.dir, 'summary.json'), JSON.stringify({ step: run.step, loss, config: run.config }, null, 2));
  return { step: run.step, loss, stopped: false };
}

export function disposeRun(run: Run): void {
  run.model.dispose();
  run.optimizer.dispose();
  run.framework.dispose?.();
}
