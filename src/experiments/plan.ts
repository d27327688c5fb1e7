/**
 * An experiment at a scale, resolved: each step with the scale's overrides applied and `${out}` /
 * `${experiments}` substituted, sweep steps as sweep specs with their expanded runs, and an estimate of the
 * wall-clock time from the experiment's measured step times.
 */
import { dirname } from 'node:path';
import { expandSpec, specFromObject, type ExpandedRun, type SweepSpec } from '../sweep/index.js';
import { parseParams } from '../registry/index.js';
import { UserError } from '../util/errors.js';
import { stepSchema, type ExperimentFile, type ScaleName, type Step } from './schema.js';
import type { ExperimentDefinition } from './registry.js';
import { designLookup, substituteDesigns } from './design.js';

export type PlannedStep =
  | {
      step: Extract<Step, { kind: 'sweep' }>;
      spec: SweepSpec;
      runs: ExpandedRun[];
      seconds: number;
      /** Design steps not run yet whose values this sweep names: its runs hold stand-ins (see design.ts). */
      pending: string[];
    }
  | { step: Exclude<Step, { kind: 'sweep' }>; seconds: number };

export interface Plan {
  experiment: string;
  scale: ScaleName;
  description: string;
  budgetHours?: number;
  steps: PlannedStep[];
  /** Estimated wall-clock seconds with `workers` parallel runs. */
  seconds: number;
  workers: number;
}

type Obj = Record<string, unknown>;

/** Deep-replace `${name}` in every string. */
function substitute(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\$\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
  if (Array.isArray(v)) return v.map((x) => substitute(x, vars));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, vars)]));
  return v;
}

/** A sweep step's spec with a scale's overrides: set/grid/evaluate merged key by key, zip and seeds replaced. */
function overrideSweep(spec: Obj, o: Obj): Obj {
  const merged: Obj = { ...spec };
  for (const k of ['set', 'grid', 'evaluate'] as const)
    if (o[k]) merged[k] = { ...((spec[k] as Obj | undefined) ?? {}), ...(o[k] as Obj) };
  for (const k of ['zip', 'seeds'] as const) if (o[k] !== undefined) merged[k] = o[k];
  return merged;
}

/** Seconds per step of a run's config, from the experiment's measured table (linear in the batch size). */
function stepSeconds(table: ExperimentFile['stepSeconds'], run: ExpandedRun): number {
  const per = table[run.config.framework.name] ?? table.default ?? 0.2;
  return (per * run.config.train.batchSize) / 64;
}

/** A periodic evaluation's cost: encoding the codes and fitting the metrics (rough, for estimates only). */
function evalSeconds(run: ExpandedRun): number {
  const ev = run.config.eval;
  if (!ev) return 0;
  const per = (ev.numTrain + ev.numTest) / 5000 + ev.metrics.reduce((a, m) => a + (m.startsWith('dci') ? 6 : 1), 0);
  const count = (ev.every > 0 ? Math.floor((run.config.train.steps - 1) / ev.every) : 0) + 1;
  return per * count;
}

export async function planExperiment(
  def: ExperimentDefinition,
  scale: ScaleName,
  out: string,
  workers: number,
): Promise<Plan> {
  const e = def.spec;
  const sc = e.scales[scale];
  const vars = { out, experiments: dirname(def.file) };
  const names = new Set(e.steps.map((s) => s.name));
  for (const n of Object.keys(sc.steps))
    if (!names.has(n))
      throw new UserError(`experiment ${def.name}: scale '${scale}' overrides step '${n}', which it does not have`);
  const steps: PlannedStep[] = [];
  const pending = new Set<string>();
  const lookup = designLookup(out, e.steps, pending);
  for (const raw of e.steps) {
    const o = (sc.steps[raw.name] ?? {}) as Obj;
    const where = `experiment ${def.name}, scale ${scale}, step '${raw.name}'`;
    if (raw.kind === 'sweep') {
      pending.clear();
      const resolved = substituteDesigns(substitute(overrideSweep(raw.spec, o), vars), lookup);
      const spec = specFromObject(resolved, vars.experiments, where);
      const runs = await expandSpec(spec).catch((err: Error) => {
        throw new UserError(`${where}: ${err.message}`);
      });
      // + a run's process: start-up, engine, dataset and model (≈ 2 s)
      const total = runs.reduce(
        (a, r) => a + r.config.train.steps * stepSeconds(e.stepSeconds, r) + evalSeconds(r) + 2,
        0,
      );
      const slots = Math.max(1, Math.min(workers, runs.length));
      steps.push({ step: raw, spec, runs, seconds: total / slots, pending: [...pending] });
    } else {
      const step = parseParams(where, stepSchema, substitute({ ...raw, ...o }, vars)) as Exclude<
        Step,
        { kind: 'sweep' }
      >;
      const seconds =
        step.kind === 'perturb'
          ? step.steps * 0.02 * step.batch
          : step.kind === 'distances'
            ? 20 * step.cases.length
            : step.kind === 'prediction'
              ? // ≈ 10 (dataset, loss) pairs to score, each ≈ 30 s at analyze's sampling (then cached)
                10 * 30 * (step.traversals / 64)
              : step.kind === 'design'
                ? // ≈ 0.25 s a candidate at analyze's sampling on one core (5–7 per second measured on XYSquares),
                  // the whole grid ≈ 1,100 with the learned kernel; within the time limit
                  Math.min(step.time, (step.budget ?? 1100) * 0.25 * (step.traversals / 64)) + 10
                : 10;
      steps.push({ step, seconds });
    }
  }
  return {
    experiment: def.name,
    scale,
    description: sc.description,
    budgetHours: sc.budgetHours,
    steps,
    seconds: steps.reduce((a, s) => a + s.seconds, 0),
    workers,
  };
}

/** "1 h 20 min", "45 s": an estimate for people. */
export function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** The plan in a few lines: what runs, how many runs, the estimate against the budget. */
export function planText(p: Plan): string {
  const lines = [`${p.experiment} at scale '${p.scale}': ${p.description}`];
  for (const s of p.steps) {
    if (s.step.kind === 'sweep' && 'runs' in s) {
      const r0 = s.runs[0];
      lines.push(
        `  sweep ${s.step.name}: ${s.runs.length} runs of ${r0?.config.train.steps ?? '?'} steps, batch ${r0?.config.train.batchSize ?? '?'} (≈ ${formatSeconds(s.seconds)})` +
          (s.pending.length ? `; its designed loss is decided by step ${s.pending.join(', ')} when it runs` : ''),
      );
    } else lines.push(`  ${s.step.kind} ${s.step.name} (≈ ${formatSeconds(s.seconds)})`);
  }
  const budget = p.budgetHours ? `; budget ${formatSeconds(p.budgetHours * 3600)}` : '';
  lines.push(`  estimate ≈ ${formatSeconds(p.seconds)} with ${p.workers} worker(s) on the torch backend${budget}`);
  return lines.join('\n');
}
