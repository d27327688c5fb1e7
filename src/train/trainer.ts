/**
 * The trainer: one shared step for every framework. Each step's batch and noise are functions of (seed, step),
 * so a resumed run equals one that never stopped. The log is written line by line as training goes; a
 * checkpoint every `checkpointEvery` steps, at the end, and when SIGINT/SIGTERM asks to stop; a NaN/Inf guard;
 * pictures and `summary.json` at the end.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { renderObservations, sampleBatch } from '../data/index.js';
import { Rng, seedsFrom } from '../util/rng.js';
import { UserError } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import { appendLines, writeFileAtomic } from '../util/fs.js';
import { writeOutputs } from '../util/signals.js';
import { trainableVariables, type Run } from './assemble.js';
import { loadCheckpoint, saveRunCheckpoint } from './checkpoint.js';
import { writeModelPictures } from './pictures.js';
import { afterStep } from './periodic.js';
import { applyPrecision } from '../engine/precision.js';

export interface TrainOptions {
  quiet?: boolean;
  /** Stop (as if killed: no checkpoint) after this many steps of this call — for tests. */
  stopAfter?: number;
  /** Skip the end-of-run pictures. */
  noPictures?: boolean;
  /** Handle SIGINT/SIGTERM by checkpointing and returning (default true). */
  handleSignals?: boolean;
  /** Called after each step with the steps done and the step's loss (e.g. to report progress elsewhere). */
  onStep?: (step: number, loss: number) => void;
  /** Called after each checkpoint is written (e.g. to score the model during training). */
  afterCheckpoint?: (run: Run) => Promise<void> | void;
}

export interface TrainResult {
  step: number;
  /** The last step's loss (the checkpoint's when no step ran). */
  loss: number;
  /** True when training stopped before the configured end (a signal, or `stopAfter`). */
  stopped: boolean;
  /** The signal that stopped it, if any. */
  signal?: NodeJS.Signals;
}

/** Watches SIGINT/SIGTERM while training: the first asks the loop to stop after its step; a second exits now. */
function watchSignals(quiet: boolean) {
  const state: { signal: NodeJS.Signals | null; dispose(): void } = { signal: null, dispose: () => {} };
  const handler = (sig: NodeJS.Signals) => {
    if (state.signal) process.exit(sig === 'SIGINT' ? 130 : 143);
    state.signal = sig;
    if (!quiet)
      process.stderr.write(`\n${sig}: stopping after this step and writing a checkpoint (again to quit now)\n`);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  state.dispose = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  return state;
}

export interface StepOutput {
  loss: number;
  /** The framework's named loss terms (recon, kl, …). */
  terms: Record<string, number>;
  /** What the framework's own update after the step reports (FactorVAE's discriminator loss). */
  extra: Record<string, number>;
}

/**
 * One optimiser step of the run at `run.step` (the batch and the noise are functions of the run's seed and the
 * step); does not advance `run.step`. The CLI's trainer and the web page's both step with this.
 */
export function trainStep(run: Run, vars: tf.Variable[]): StepOutput {
  const { batchSize, seed, pairK, temporalRate, pairSampling } = run.config.train;
  const step = run.step;
  const batchRng = new Rng(`${seed}:batch:${step}`);
  const kind = run.framework.batchKind;
  const idx = sampleBatch(run.dataset, batchSize, kind, batchRng, pairK, temporalRate, pairSampling);
  const x = tf.tensor4d(renderObservations(run.dataset, idx), [idx.length, ...run.dataset.obsShape] as [
    number,
    number,
    number,
    number,
  ]);
  const regulariserScale = run.config.lossReduction === 'mean' ? 1 / run.config.model.z : 1;
  const ctx = { model: run.model, recon: run.recon, x, step, seed: stepSeeds(seed, step), regulariserScale };
  let terms: Record<string, number> = {};
  const cost = run.optimizer.minimize(
    () => {
      const out = run.framework.loss(ctx);
      // read the terms inside the tape's tidy, so they can be logged after the step
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

/** Seeds of step `step`'s random ops, by label. */
export const stepSeeds = (seed: number, step: number) => seedsFrom(new Rng(`${seed}:noise:${step}`));

/** Train until the configured number of steps, a signal, or `stopAfter`. */
export async function trainRun(run: Run, opts: TrainOptions = {}): Promise<TrainResult> {
  const { steps, checkpointEvery, logEvery } = run.config.train;
  // the run's compute precision (bf16 needs the torch backend: a UserError before any step otherwise)
  applyPrecision(run.config.train.precision);
  const vars = trainableVariables(run);
  const bar = new ProgressBar({ total: steps, start: run.step, label: 'train', unit: 'step', quiet: opts.quiet });
  const logPath = join(run.dir, 'train.jsonl');
  let loss = loadCheckpoint(run.dir)?.manifest.loss ?? NaN;
  const checkpoint = async () => {
    await saveRunCheckpoint(run, loss);
    await opts.afterCheckpoint?.(run);
  };
  const signals = opts.handleSignals === false ? null : watchSignals(!!opts.quiet);
  try {
    for (let done = 0; run.step < steps; done++) {
      if (opts.stopAfter !== undefined && done >= opts.stopAfter) return { step: run.step, loss, stopped: true };
      if (signals?.signal) {
        await checkpoint();
        bar.finish(`stopped at step ${run.step}`);
        return { step: run.step, loss, stopped: true, signal: signals.signal };
      }
      const step = run.step;
      const out = trainStep(run, vars);
      loss = out.loss;
      const { terms, extra } = out;
      if (!Number.isFinite(loss) || Object.values(terms).some((v) => !Number.isFinite(v))) {
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
      if (run.step % logEvery === 0 || run.step === steps)
        appendLines(logPath, JSON.stringify({ step: run.step, loss, ...terms, ...extra }) + '\n');
      bar.update(run.step, `loss ${loss.toFixed(2)}`);
      await afterStep(run, loss); // scores during training (before this step's checkpoint) and progress listeners
      if (run.step % checkpointEvery === 0 || run.step === steps) await checkpoint();
      opts.onStep?.(run.step, loss);
      // let signal handlers run between steps
      if (signals) await new Promise((r) => setImmediate(r));
    }
  } catch (e) {
    bar.abandon(); // the error's line is not appended to the bar's
    throw e;
  } finally {
    signals?.dispose();
  }
  bar.finish(`loss ${loss.toFixed(2)}`);
  // the run is complete: a signal now waits until its pictures and summary are written
  await writeOutputs(() => {
    if (!opts.noPictures) writeModelPictures(run);
    writeFileAtomic(
      join(run.dir, 'summary.json'),
      JSON.stringify({ step: run.step, loss: Number.isFinite(loss) ? loss : null, config: run.config }, null, 2),
    );
  });
  return { step: run.step, loss, stopped: false };
}
