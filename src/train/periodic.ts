/**
 * What happens after each training step besides the step itself: scores during training and progress
 * listeners. The trainer calls `afterStep(run, loss)` once per step, before that step's checkpoint.
 *
 * Scores: a config with `eval.every = K > 0` gets its metrics every K steps before the last, one JSON line per
 * evaluation appended to `metrics.jsonl` (`{"step": K, "mig": …}`); the end is scored once, by the end-of-run
 * evaluation (`disentangle evaluate`, or a sweep's), whose eval.json uses the same samples. Resumable: on the first step of a reopened run,
 * lines past the step it resumed from are dropped (their steps will be trained and scored again, with the
 * same result, since a resumed run equals one that never stopped); lines up to it are kept, never recomputed.
 * Scoring runs before the checkpoint of its step, so a kill between the two cannot lose a score.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { computeArrayMetrics, factorVaeScore, betaVaeScore, sampleCodesAndFactors } from '../metrics/index.js';
import type { RepresentationFn } from '../metrics/index.js';
import type { GroundTruthDataset } from '../data/index.js';
import type { EvalConfig } from '../config/index.js';
import { writeFileAtomic } from '../util/fs.js';
import { Rng } from '../util/rng.js';
import type { Run } from './trainer.js';

export const metricsLogName = 'metrics.jsonl';

/** Progress of one run, as the trainer sees it after each step. */
export interface StepEvent {
  dir: string;
  step: number;
  steps: number;
  loss: number;
}

type Listener = (e: StepEvent) => void;
const listeners = new Set<Listener>();

/** Call `fn` after every training step of every run in this process; returns the function that removes it. */
export function onTrainStep(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Runs whose metrics log has been made consistent with their starting step (once per opened run). */
const prepared = new WeakSet<Run>();

/** The hook the trainer calls after step `run.step` (already incremented) with that step's loss. */
export async function afterStep(run: Run, loss: number): Promise<void> {
  for (const fn of listeners) fn({ dir: run.dir, step: run.step, steps: run.config.train.steps, loss });
  await maybeEvaluate(run);
}

/** Score the model now if the config asks for it at this step; append the line to metrics.jsonl. */
export async function maybeEvaluate(run: Run): Promise<void> {
  const ev = run.config.eval;
  if (!ev || ev.every <= 0) return;
  const path = join(run.dir, metricsLogName);
  if (!prepared.has(run)) {
    prepared.add(run);
    dropLinesAfter(path, run.step - 1);
  }
  // the last step is scored by the end-of-run evaluation (eval.json), with the same samples: not twice
  if (run.step % ev.every !== 0 || run.step >= run.config.train.steps) return;
  const scores = scoreModel(run.dataset, representation(run), ev);
  appendFileSync(path, JSON.stringify({ step: run.step, ...scores }) + '\n');
}

/** Keep the lines of a JSON-lines log whose `step` is at most `step` (unreadable lines go too). */
export function dropLinesAfter(path: string, step: number): void {
  if (!existsSync(path)) return;
  const lines = readFileSync(path, 'utf8').split('\n');
  const kept = lines.filter((l) => {
    if (!l.trim()) return false;
    try {
      return JSON.parse(l).step <= step;
    } catch {
      return false;
    }
  });
  if (kept.length !== lines.filter((l) => l.trim()).length) writeFileAtomic(path, kept.map((l) => l + '\n').join(''));
}

/** The model's representation (encoder mean, or the framework's code) of N·H·W·C observations: N×z. */
function representation(run: Run): RepresentationFn {
  const [h, w, c] = run.dataset.obsShape;
  return (x, n) =>
    tf.tidy(
      () => run.framework.representation(run.model.encode(tf.tensor4d(x, [n, h, w, c]))).dataSync() as Float32Array,
    );
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * The scores `disentangle evaluate` computes, with the same samples for the same seed: array metrics on
 * numTrain/numTest sampled codes, and the FactorVAE / BetaVAE scores on their capped samples.
 */
export function scoreModel(ds: GroundTruthDataset, rep: RepresentationFn, ev: EvalConfig): Record<string, number> {
  const rng = new Rng(ev.seed);
  const arrayNames = ev.metrics.filter((m) => m !== 'factorvae' && m !== 'betavae');
  const out: Record<string, number> = {};
  if (arrayNames.length) {
    const train = sampleCodesAndFactors(ds, rep, ev.numTrain, rng.fork('train'));
    const test = sampleCodesAndFactors(ds, rep, ev.numTest, rng.fork('test'));
    Object.assign(out, computeArrayMetrics(train, test, arrayNames));
  }
  if (ev.metrics.includes('factorvae')) {
    const f = factorVaeScore(ds, rep, rng.fork('factorvae'), {
      numTrain: Math.min(ev.numTrain, 2000),
      numEval: Math.min(ev.numTest, 1000),
      numVarianceEstimate: Math.min(ev.numTrain, 5000),
    });
    out.factorvae_train_accuracy = f.train_accuracy;
    out.factorvae_eval_accuracy = f.eval_accuracy;
  }
  if (ev.metrics.includes('betavae')) {
    const b = betaVaeScore(ds, rep, rng.fork('betavae'), {
      numTrain: Math.min(ev.numTrain, 1000),
      numEval: Math.min(ev.numTest, 500),
    });
    out.betavae_train_accuracy = b.train_accuracy;
    out.betavae_eval_accuracy = b.eval_accuracy;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, round6(v)]));
}
