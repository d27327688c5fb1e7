/**
 * A sweep: a base run config, keys fixed for every run, axes of values (each axis one key, or several
 * keys varied together), seeds, and what to evaluate. Its runs are the cartesian product of the axes
 * times the seeds, first axis outermost, seeds innermost; every run's config is expanded and validated
 * before anything starts, so a bad value anywhere fails at once, naming the run and the key.
 *
 * A spec file (JSON or YAML):
 *   config: configs/adagvae.json     # or `base: {…}` inline; paths relative to the spec file
 *   set: { train.steps: 3000 }       # dotted key → value, for every run
 *   grid: { dataset.gridSpacing: [1, 2, 4, 8], framework.beta: [0.001, 0.00316] }
 *   zip: [{ framework.name: [betavae, adagvae], framework.beta: [4, 1] }]   # keys varied together
 *   seeds: 5                         # seeds 0…4, or a list [0, 3, 7]
 *   evaluate: { metrics: [mig, dci], every: 500, numTrain: 10000, numTest: 5000 }
 */
import { createHash } from 'node:crypto';
import { setPath, validateConfig, type EvalConfig, type RunConfig } from '../config/index.js';
import { UserError } from '../util/errors.js';

/** One axis: each key → its values, all of one length (a single key for a plain grid axis). */
export type Axis = Record<string, unknown[]>;

export interface SweepSpec {
  /** The base run config, as written (before `set`, axes and seeds). */
  base: Record<string, unknown>;
  /** Dotted key → value, for every run. */
  set: Record<string, unknown>;
  axes: Axis[];
  seeds: number[];
  /** The metrics at the end of each run, and every `evaluate.every` steps during training. */
  evaluate: EvalConfig;
}

export interface ExpandedRun {
  id: number;
  /** Readable and unique: `gridSpacing=4_beta=0.001_seed=0`; the run's folder is runs/<name>. */
  name: string;
  /** The swept keys' values of this run (dotted key → value). */
  values: Record<string, unknown>;
  seed: number;
  /** Validated, with every default written out. */
  config: RunConfig;
}

export function checkSpec(spec: SweepSpec): void {
  const seen = new Map<string, string>();
  for (const k of Object.keys(spec.set)) seen.set(k, 'fixed (set)');
  spec.axes.forEach((axis, i) => {
    const keys = Object.keys(axis);
    if (!keys.length) throw new UserError(`empty grid: axis ${i + 1} has no keys`);
    const n = axis[keys[0]].length;
    for (const k of keys) {
      if (!axis[k].length) throw new UserError(`empty grid: '${k}' has no values; give at least one`);
      if (axis[k].length !== n)
        throw new UserError(
          `keys varied together must have as many values each: '${keys[0]}' has ${n}, '${k}' has ${axis[k].length}`,
        );
      if (seen.has(k)) throw new UserError(`'${k}' is both ${seen.get(k)} and varied: give it once`);
      seen.set(k, 'varied');
    }
    const tuples = [...Array(n).keys()].map((j) => JSON.stringify(keys.map((k) => axis[k][j])));
    const dup = tuples.find((t, j) => tuples.indexOf(t) !== j);
    if (dup) throw new UserError(`'${keys.join("', '")}' lists the value ${dup.slice(1, -1)} twice`);
  });
  for (const k of seen.keys())
    if (k === 'train.seed' || k === 'train')
      throw new UserError(`'${k}': vary seeds with --seeds (or 'seeds:' in a spec)`);
    else if (k === 'eval' || k.startsWith('eval.'))
      throw new UserError(`'${k}': set what to evaluate with --metrics/--eval-every (or 'evaluate:' in a spec)`);
  if (!spec.seeds.length) throw new UserError('no seeds: give --seeds N (or a list)');
  if (new Set(spec.seeds).size !== spec.seeds.length) throw new UserError(`--seeds lists a seed twice: ${spec.seeds}`);
}

function showValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.replace(/[^\w.+-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/** Short names for swept keys: the last segment, or the whole path where two keys share it. */
function shortKeys(keys: string[]): Map<string, string> {
  const last = (k: string) => k.slice(k.lastIndexOf('.') + 1);
  return new Map(keys.map((k) => [k, keys.filter((o) => last(o) === last(k)).length > 1 ? k : last(k)]));
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * Every run of a spec, each config validated; throws a UserError naming the first bad run and key.
 * Async because config validation will load registries lazily.
 */
export async function expandSpec(spec: SweepSpec): Promise<ExpandedRun[]> {
  checkSpec(spec);
  const sweptKeys = spec.axes.flatMap((a) => Object.keys(a));
  const short = shortKeys(sweptKeys);
  let combos: Array<Record<string, unknown>> = [{}];
  for (const axis of spec.axes) {
    const keys = Object.keys(axis);
    combos = combos.flatMap((c) =>
      axis[keys[0]].map((_, j) => ({ ...c, ...Object.fromEntries(keys.map((k) => [k, axis[k][j]])) })),
    );
  }
  const runs: ExpandedRun[] = [];
  const names = new Set<string>();
  for (const values of combos)
    for (const seed of spec.seeds) {
      const id = runs.length;
      let name = [...Object.entries(values).map(([k, v]) => `${short.get(k)}=${showValue(v)}`), `seed=${seed}`].join(
        '_',
      );
      if (name.length > 120)
        name = `${name.slice(0, 100)}~${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
      if (names.has(name)) name = `${name}~${id}`;
      names.add(name);
      const where = `run ${name}`;
      const raw = clone(spec.base) as Record<string, unknown>;
      const assign = (k: string, v: unknown, how: string) => {
        try {
          setPath(raw, k, clone(v));
        } catch (e) {
          throw new UserError(`${where}: ${how} '${k}': ${(e as Error).message.replace(/^--set [^:]*: /, '')}`);
        }
      };
      for (const [k, v] of Object.entries(spec.set)) assign(k, v, 'set');
      for (const [k, v] of Object.entries(values)) assign(k, v, 'grid key');
      assign('train.seed', seed, 'seed');
      raw.eval = clone(spec.evaluate);
      // the defaults of `disentangle train` when a config names no dataset or framework
      for (const [part, dflt] of [
        ['dataset', 'xysquares'],
        ['framework', 'betavae'],
      ] as const) {
        const o = raw[part] as Record<string, unknown> | undefined;
        if (o && typeof o === 'object' && !o.name) o.name = dflt;
      }
      let config: RunConfig;
      try {
        config = await validateConfig(raw);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        const swept = Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
        throw new UserError(`${where}${swept.length ? ` (${swept.join(', ')})` : ''}: ${e.message}`);
      }
      runs.push({ id, name, values, seed, config });
    }
  return runs;
}

/** Flatten a value into dotted paths → JSON text of the leaves (arrays are leaves). */
function flatten(v: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

/** A spec's grid in one line: `dataset.gridSpacing ∈ [1,2] × framework.name+framework.beta ∈ [[…],[…]]`. */
export function gridText(axes: Axis[]): string {
  return (
    axes
      .map((a) => {
        const keys = Object.keys(a);
        return `${keys.join('+')} ∈ ${JSON.stringify(keys.length === 1 ? a[keys[0]] : Object.values(a))}`;
      })
      .join(' × ') || '(none)'
  );
}

/** The differences between two specs, one line each (`base.train.steps: 2000 → 3000`); empty if equal. */
export function specDifference(stored: SweepSpec, given: SweepSpec): string[] {
  const part = (s: SweepSpec) => ({ base: s.base, set: s.set, seeds: s.seeds, evaluate: s.evaluate });
  const a = flatten(part(stored), '', new Map());
  const b = flatten(part(given), '', new Map());
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const out = keys
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => `${k}: ${a.get(k) ?? '(absent)'} → ${b.get(k) ?? '(absent)'}`);
  const [ga, gb] = [gridText(stored.axes), gridText(given.axes)];
  if (ga !== gb) out.unshift(`grid: ${ga} → ${gb}`);
  return out;
}
