/**
 * What happens after each training step besides the step itself: scores during training and progress
 * listeners. The trainer calls `afterStep(run, loss)` once per step, before that step's checkpoint.
 *
 * Scores: a config with `eval.every = K > 0` gets its metrics every K steps before the last, one JSON line per
 * evaluation appended to `metrics.jsonl` (`{"step": K, "mig": …}`); the end is scored once, by the end-of-run
 * evaluation (`disentangle evaluate`, or a sweep's), whose eval.json uses the same samples. Resumable: on the
 * first step of a reopened run, lines past the step it resumed from are dropped (their steps will be trained and
 * scored again, with the same result, since a resumed run equals one that never stopped); lines up to it are
 * kept, never recomputed. Scoring runs before the checkpoint of its step, so a kill between the two cannot lose
 * a score.
 */
import { join } from 'node:path';
import { scoreRepresentation } from '../metrics/index.js';
import { scoreOptions } from '../config/index.js';
import type { Run } from './assemble.js';
import { trimLog } from './run-folder.js';
import { appendLines } from '../util/fs.js';
import { representationOf } from './encode.js';

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
    trimLog(path, run.step - 1);
  }
  // the last step is scored by the end-of-run evaluation (eval.json), with the same samples: not twice
  if (run.step % ev.every !== 0 || run.step >= run.config.train.steps) return;
  const { scores } = await scoreRepresentation(run.dataset, representationOf(run), scoreOptions(ev));
  appendLines(path, JSON.stringify({ step: run.step, ...scores }) + '\n');
}
