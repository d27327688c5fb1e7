/**
 * The optional `eval` block of a run config: which metrics score the model, on how many sampled
 * observations, and every how many steps during training (`metrics.jsonl` in the run folder). Sweeps
 * write it into every run's config, so a run folder says by itself how it is scored; the end-of-run
 * evaluation (`eval.json`) uses the same settings, so its values line up with the curve.
 */
import { z } from 'zod';
import { evalPresets, metricNames, scoreDefaults, type EvalPresetName } from '../metrics/index.js';

const metricList = z.union([z.array(z.string()), z.string().transform((s) => s.split(',').map((m) => m.trim()))]).pipe(
  z
    .array(z.string())
    .min(1, 'give at least one metric')
    .superRefine((names, ctx) => {
      const known = metricNames();
      for (const n of names)
        if (!known.includes(n))
          ctx.addIssue({ code: 'custom', message: `unknown metric '${n}' (choose from ${known.join(', ')})` });
    }),
);

export const evalSchema = z
  .object({
    /** Score every this many steps during training; 0: only at the end (a sweep, or `disentangle evaluate`). */
    every: z.number().int().min(0).default(0),
    /** Cheap metrics by default: a periodic DCI on 10,000 codes costs more than many training steps. */
    metrics: metricList.default(['mig']),
    numTrain: z.number().int().min(1).default(scoreDefaults.numTrain),
    numTest: z.number().int().min(1).default(scoreDefaults.numTest),
    /** The same observations at every evaluation (drawn from this seed), so the curve is not sampling noise. */
    seed: z.number().int().default(scoreDefaults.seed),
    /** Sample sizes of the BetaVAE / FactorVAE scores. */
    preset: z.enum(Object.keys(evalPresets) as [EvalPresetName, ...EvalPresetName[]]).default(scoreDefaults.preset),
  })
  .strict();

export type EvalConfig = z.output<typeof evalSchema>;

/** The scoring options of an eval block (for metrics/score.ts). */
export function scoreOptions(ev: EvalConfig) {
  return { names: ev.metrics, numTrain: ev.numTrain, numTest: ev.numTest, seed: ev.seed, preset: ev.preset };
}
