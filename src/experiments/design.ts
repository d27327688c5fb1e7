/**
 * A `design` step: a reconstruction loss searched for a dataset (`disentangle design-loss`'s library function,
 * issue 25), saved as `<out>/<step>.json`, and the way later steps use it: a string
 * `${design:<step>.<path>}` in a sweep, a claim or a published number is replaced by the value at `<path>` of
 * that result (`best.spec`, `best.beta`, `paper.beta`, …) — a whole-string reference by the value itself (a
 * number stays a number), a reference inside a longer string by its text.
 *
 * Until the design step has run (a plan, `experiment list`) its values are stand-ins — the base loss with a
 * zero-weight box term, and the base β — good for counting runs and estimating time only; the experiment re-plans after each design step,
 * so no sweep ever runs on a stand-in.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDataset } from '../data/index.js';
import type { DesignCandidate, DesignResult } from '../analysis/design-loss.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { ProgressBar } from '../util/progress.js';
import { getPath } from './claims.js';
import type { Step } from './schema.js';

type DesignStep = Extract<Step, { kind: 'design' }>;

/** What a design step saves: the search's result without its matrices (the command's report draws those). */
export interface DesignRecord {
  format: 'disentangle-design-1';
  dataset: Record<string, unknown>;
  base: string;
  candidates: number;
  seconds: number;
  partial: boolean;
  best: DesignCandidate;
  baseline: DesignCandidate;
  paper: DesignCandidate;
  top: DesignCandidate[];
  bySize: DesignResult['bySize'];
  sampling: DesignResult['sampling'];
  notes: string[];
}

/** `${design:step.path}`; the step's name may hold dashes. */
const refPattern = /\$\{design:([\w-]+)\.([\w.]+)\}/g;
const wholeRef = /^\$\{design:([\w-]+)\.([\w.]+)\}$/;

/** The paths a reference may name: a candidate's spec, β, scale, score or mean. */
export const designPaths = /^(best|baseline|paper)\.(spec|beta|scale|score|mean)$/;

/** Every design reference in a value, as [step, path]. */
export function designRefs(v: unknown): Array<[string, string]> {
  if (typeof v === 'string') return [...v.matchAll(refPattern)].map((m) => [m[1], m[2]]);
  if (Array.isArray(v)) return v.flatMap(designRefs);
  if (v && typeof v === 'object') return Object.values(v).flatMap(designRefs);
  return [];
}

/** Replace the design references in a value with `lookup(step, path)`. */
export function substituteDesigns(v: unknown, lookup: (step: string, path: string) => unknown): unknown {
  if (typeof v === 'string') {
    const whole = wholeRef.exec(v);
    if (whole) return lookup(whole[1], whole[2]);
    return v.replace(refPattern, (_, s: string, p: string) => String(lookup(s, p)));
  }
  if (Array.isArray(v)) return v.map((x) => substituteDesigns(x, lookup));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substituteDesigns(x, lookup)]));
  return v;
}

/** A design step's saved result, or undefined before it ran (a damaged one is a clear error). */
export function readDesign(out: string, step: string): DesignRecord | undefined {
  const path = join(out, `${step}.json`);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DesignRecord;
  } catch {
    throw new UserError(`${path} is damaged (not JSON): delete it, and the design step runs again`);
  }
}

/**
 * The lookup of an experiment folder's design results; `pending` collects the steps that have not run
 * (their references get the stand-ins: the base loss, the base β, scale 1, no score).
 */
export function designLookup(
  out: string,
  steps: Step[],
  pending: Set<string>,
  stand = true,
): (step: string, path: string) => unknown {
  const cache = new Map<string, DesignRecord | undefined>();
  return (name, path) => {
    if (!cache.has(name)) cache.set(name, readDesign(out, name));
    const rec = cache.get(name);
    if (rec) return getPath(rec, path);
    pending.add(name);
    const step = steps.find((s): s is DesignStep => s.kind === 'design' && s.name === name);
    if (!stand || !step) return `\${design:${name}.${path}}`;
    const field = path.split('.').pop();
    // a zero-weight augment: a valid spec, distinct from the base loss (a sweep may list both), never trained
    return field === 'spec'
      ? `${step.base === 'l1' ? 'mae' : step.base}+box1@0`
      : field === 'beta'
        ? step.betaBase
        : field === 'scale'
          ? 1
          : null;
  };
}

/** Run a design step (once: its result is kept) with progress, and save what later steps read. */
export async function runDesign(out: string, s: DesignStep, quiet: boolean): Promise<void> {
  if (readDesign(out, s.name)) return;
  const { name, ...params } = s.dataset;
  const ds = await createDataset(name, params);
  // loaded here, not with the file: reading an experiment file (check.ts) needs only the references above
  const { designLoss } = await import('../analysis/design-loss.js');
  let bar: ProgressBar | undefined;
  const r = await designLoss(ds, {
    base: s.base,
    families: s.families,
    budget: s.budget,
    timeSeconds: s.time,
    traversals: s.traversals,
    pairs: s.pairs,
    seed: s.seed,
    betaBase: s.betaBase,
    learnSteps: s.learnSteps,
    alphas: s.alphas,
    minShare: s.minShare,
    onProgress: (p) => {
      // the setup call knows no total yet: the bar starts with the grid's count
      if (p.total === 0) return;
      bar ??= new ProgressBar({ total: p.total, label: `design ${s.name}`, unit: 'candidate', quiet });
      bar.update(p.candidates, p.best ? `best ${p.best.spec} (${p.best.score.toFixed(3)})` : p.phase);
    },
  });
  bar?.finish();
  const record: DesignRecord = {
    format: 'disentangle-design-1',
    dataset: s.dataset,
    base: r.base,
    candidates: r.candidates,
    seconds: r.seconds,
    partial: r.partial,
    best: r.best,
    baseline: r.baseline,
    paper: r.paper,
    top: r.ranked.slice(0, s.top),
    bySize: r.bySize,
    sampling: r.sampling,
    notes: r.notes,
  };
  writeFileAtomic(join(out, `${s.name}.json`), JSON.stringify(record, null, 1));
  process.stderr.write(
    `design ${s.name}: ${r.candidates} candidates in ${r.seconds.toFixed(0)} s; best ${r.best.spec} ` +
      `(score ${r.best.score.toFixed(3)}, scale ${r.best.scale.toFixed(2)}, β ${r.best.beta.toPrecision(3)}); ` +
      `${r.baseline.spec} ${r.baseline.score.toFixed(3)}, ${r.paper.spec} ${r.paper.score.toFixed(3)}\n`,
  );
}
