/**
 * An experiment file (`experiments/<name>.yaml`): a paper's study as steps (sweeps, a perturbation, a
 * perceived-distance table, a latent picture), the claims to check on the results, the published numbers to
 * show beside ours, and three scales — `smoke` (CI, under a minute), `cpu` (a 2-core machine, within a stated
 * budget sized from measured step times) and `paper` (the published steps, batch and repeats) — each a set of
 * overrides of the steps. Strings may name `${out}` (the experiment's folder) and `${experiments}` (the
 * folder of the experiment files).
 */
import { z } from 'zod';
import { perceivedDefaults } from '../analysis/defaults.js';

const key = z.string().regex(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/, 'a dotted key such as framework.name');
/** Dotted config key → a value, or a list of values any of which matches. */
export const whereSchema = z.record(key, z.unknown()).default({});

const sweepOverride = z
  .object({
    set: z.record(key, z.unknown()).optional(),
    grid: z.record(key, z.array(z.unknown())).optional(),
    zip: z.array(z.record(key, z.array(z.unknown()))).optional(),
    seeds: z.union([z.number().int().min(1), z.array(z.number().int())]).optional(),
    evaluate: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const datasetRef = z.object({ name: z.string() }).catchall(z.unknown());

export const stepSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('sweep'),
      name: z.string(),
      /** A sweep spec as a spec file holds it (config/base, set, grid, zip, seeds, evaluate). */
      spec: z.record(z.string(), z.unknown()),
    })
    .strict(),
  z
    .object({
      /** Zietlow et al.'s perturbation of a dataset, learned once and saved as `${out}/<name>.npz`. */
      kind: z.literal('perturb'),
      name: z.string(),
      dataset: datasetRef,
      epsilon: z.number().gt(0).max(1),
      steps: z.number().int().min(1).default(200),
      batch: z.number().int().min(1).default(16),
      seed: z.number().int().default(0),
    })
    .strict(),
  z
    .object({
      /** Perceived distances (Michlo et al.) of each case: per-factor mean/std and rank correlation. */
      kind: z.literal('distances'),
      name: z.string(),
      cases: z.array(
        z
          .object({
            label: z.string(),
            dataset: datasetRef,
            loss: z.string().default('mse'),
            /** Published values per factor (mean perceived distance, rank correlation), and of random pairs. */
            published: z
              .object({
                factors: z
                  .record(z.string(), z.object({ mean: z.number().optional(), rank: z.number().optional() }).strict())
                  .default({}),
                randomPairs: z.number().optional(),
                source: z.string(),
              })
              .strict()
              .optional(),
          })
          .strict(),
      ),
      traversals: z.number().int().min(1).default(32),
      pairs: z.number().int().min(1).default(20000),
      randomPairs: z.number().int().min(1).default(5000),
      seed: z.number().int().default(0),
    })
    .strict(),
  z
    .object({
      /**
       * A reconstruction loss designed for `dataset` (`disentangle design-loss`'s search), saved as
       * `<out>/<name>.json`; later steps name its values as `${design:<name>.best.spec}`, `…best.beta` (β by the
       * scale rule: betaBase × the loss's scale relative to the base loss), `…paper.beta` (the paper's box blur).
       * Set `budget` (a count of candidates) for a result that does not depend on the machine's speed.
       */
      kind: z.literal('design'),
      name: z.string(),
      dataset: datasetRef,
      base: z.enum(['mse', 'bce', 'l1']).default('mse'),
      families: z.array(z.string()).min(1).optional(),
      budget: z.number().int().min(1).optional(),
      /** Seconds the search may take (a limit, not a target). */
      time: z.number().positive().default(1800),
      traversals: z.number().int().min(1).default(perceivedDefaults.traversals),
      pairs: z.number().int().min(1).default(perceivedDefaults.pairs),
      seed: z.number().int().default(0),
      /** β under the base loss; each candidate's β is this × its scale. */
      betaBase: z.number().positive().default(0.0001),
      /** The weights α to try (the search's log grid when absent). */
      alphas: z.array(z.number().positive()).min(1).optional(),
      /** The smallest share of the loss the augment must carry (the search's default, 0.5, when absent). */
      minShare: z.number().min(0).lt(1).optional(),
      /** Gradient steps of the free separable kernel (0: none; the search's default when absent). */
      learnSteps: z.number().int().min(0).optional(),
      /** Candidates kept in the saved result, best first. */
      top: z.number().int().min(1).default(10),
    })
    .strict(),
  z
    .object({
      /**
       * Does the loss's perceived-distance score predict trained disentanglement? Over the run groups of the
       * named experiment folders (committed studies, `${out}` for this one's own; a folder not there yet is
       * listed as missing): Spearman's ρ of score and median metric, with a bootstrap interval
       * (`<out>/<name>.json`, a scatter per metric, the scores cached in `<out>/<name>-scores.json`).
       */
      kind: z.literal('prediction'),
      name: z.string(),
      studies: z.array(z.string()).min(1),
      metrics: z.array(z.string()).min(1).default(['mig', 'dci_disentanglement']),
      stat: z.enum(['final', 'max']).default('max'),
      /** The score's sampling: `analyze`'s defaults unless a scale says otherwise. */
      traversals: z.number().int().min(1).default(perceivedDefaults.traversals),
      pairs: z.number().int().min(1).default(perceivedDefaults.pairs),
      seed: z.number().int().default(0),
      bootstrap: z.number().int().min(100).default(2000),
      claim: z.string().default('The perceived-distance score of the loss predicts trained disentanglement'),
    })
    .strict(),
  z
    .object({
      /** 2-D codes of the first run of `sweep` matching `where`, coloured by a factor (a clustering picture). */
      kind: z.literal('latents'),
      name: z.string(),
      sweep: z.string(),
      where: whereSchema,
      points: z.number().int().min(10).default(1000),
      colourBy: z.number().int().min(0).default(0),
    })
    .strict(),
]);
export type Step = z.output<typeof stepSchema>;

const testSchema = z.discriminatedUnion('kind', [
  z
    .object({
      /** Spearman's ρ of the metric against a numeric parameter, over the matching runs. */
      kind: z.literal('spearman'),
      param: key,
      expect: z.enum(['negative', 'positive']),
    })
    .strict(),
  z
    .object({
      /** median(metric | param = higher) − median(metric | param = lower) > margin (margin may be < 0). */
      kind: z.literal('greater'),
      param: key,
      higher: z.unknown(),
      lower: z.unknown(),
      margin: z.number().default(0),
    })
    .strict(),
]);

export const claimSchema = z
  .object({
    id: z.string(),
    /** The claim as the paper makes it, in one line. */
    text: z.string(),
    sweep: z.string(),
    where: whereSchema,
    metric: z.string(),
    /** The score at the end of training, or its maximum over training (Michlo et al. plot the maximum). */
    stat: z.enum(['final', 'max']).default('max'),
    /** Check the claim separately for each value of this key (e.g. per framework); it holds if it holds for all. */
    per: key.optional(),
    test: testSchema,
  })
  .strict();
export type Claim = z.output<typeof claimSchema>;

export const publishedSchema = z
  .object({
    sweep: z.string(),
    where: whereSchema,
    metric: z.string(),
    stat: z.enum(['final', 'max']).default('max'),
    value: z.number(),
    /** Where the number comes from (figure, table; ≈ when read off a figure, *unverified* when transcribed). */
    source: z.string(),
  })
  .strict();
export type Published = z.output<typeof publishedSchema>;

const scaleSchema = z
  .object({
    description: z.string(),
    /** The wall-clock budget the scale was sized for, and on what. */
    budgetHours: z.number().positive().optional(),
    /** Overrides of the steps, by step name. */
    steps: z.record(z.string(), z.union([sweepOverride, z.record(z.string(), z.unknown())])).default({}),
  })
  .strict();
export type Scale = z.output<typeof scaleSchema>;

export const experimentSchema = z
  .object({
    title: z.string(),
    paper: z.string(),
    description: z.string(),
    /**
     * Seconds per training step at batch 64 on one core of the machine the cpu scale was sized on, by
     * framework name (`default` for the rest), measured with `disentangle bench step`: the estimates use them.
     */
    stepSeconds: z.record(z.string(), z.number().positive()).default({ default: 0.2 }),
    steps: z.array(stepSchema).min(1),
    claims: z.array(claimSchema).default([]),
    published: z.array(publishedSchema).default([]),
    scales: z.object({ smoke: scaleSchema, cpu: scaleSchema, paper: scaleSchema }).strict(),
  })
  .strict();
export type ExperimentFile = z.output<typeof experimentSchema>;
export type ScaleName = keyof ExperimentFile['scales'];
export const scaleNames: ScaleName[] = ['smoke', 'cpu', 'paper'];
