/**
 * Sweep specs from what people write: spec files (JSON or YAML), base configs, and the command line's
 * `--set key=value`, `--grid key=v1,v2,…`, `--zip key=v1,v2,…`, `--seeds`, and evaluation flags.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { parseScalar } from '../config/index.js';
import { evalSchema, type EvalConfig } from '../config/index.js';
import { UserError } from '../util/errors.js';
import { formatZodError, parseParams } from '../registry/index.js';
import type { Axis, SweepSpec } from './spec.js';

const keyPath = z.string().regex(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/, 'a dotted key such as train.steps');

const fileSchema = z
  .object({
    config: z.string().optional(),
    base: z.record(z.string(), z.unknown()).optional(),
    set: z.record(keyPath, z.unknown()).default({}),
    grid: z.record(keyPath, z.array(z.unknown())).default({}),
    zip: z.array(z.record(keyPath, z.array(z.unknown()))).default([]),
    seeds: z.union([z.number().int().min(1), z.array(z.number().int())]).optional(),
    evaluate: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Read a JSON or YAML file into a plain value (by extension; YAML is a superset of JSON anyway). */
export function readDataFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new UserError(`${what} not found: ${path}`);
  const text = readFileSync(path, 'utf8');
  try {
    return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
}

function parseEvaluate(raw: unknown, where: string): EvalConfig {
  return parseParams(where, evalSchema, raw ?? {});
}

/** A spec file → a spec (its `config` path is read relative to the file). */
export function readSpecFile(path: string): SweepSpec {
  return specFromObject(readDataFile(path, 'sweep spec'), dirname(path), `sweep spec ${path}`);
}

/** A spec as written in a file (or in an experiment) → a spec; `config` paths are relative to `dir`. */
export function specFromObject(raw: unknown, dir: string, where: string): SweepSpec {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(formatZodError(where, parsed.error, fileSchema));
  const f = parsed.data;
  if (f.config && f.base) throw new UserError(`${where}: give 'config' (a file) or 'base' (inline), not both`);
  const base = f.config ? readBaseConfig(resolve(dir, f.config)) : (f.base ?? {});
  const axes: Axis[] = [...Object.entries(f.grid).map(([k, v]) => ({ [k]: v })), ...f.zip];
  return {
    base,
    set: f.set,
    axes,
    seeds: f.seeds === undefined ? defaultSeeds(base) : typeof f.seeds === 'number' ? range(f.seeds) : f.seeds,
    evaluate: parseEvaluate(f.evaluate, `${where}: 'evaluate'`),
  };
}

export function readBaseConfig(path: string): Record<string, unknown> {
  const raw = readDataFile(path, 'config file');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UserError(`${path} must hold one run config (an object with dataset, framework, train, …)`);
  return raw as Record<string, unknown>;
}

const range = (n: number) => [...Array(n).keys()];

function defaultSeeds(base: Record<string, unknown>): number[] {
  const train = base.train as { seed?: unknown } | undefined;
  return [typeof train?.seed === 'number' ? train.seed : 0];
}

/** `--seeds 5` (seeds 0…4), `--seeds 3..7` (inclusive) or `--seeds 0,3,7`. */
export function parseSeeds(s: string): number[] {
  const t = s.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n < 1) throw new UserError(`--seeds ${s}: give a count ≥ 1, a range a..b or a list a,b,c`);
    return range(n);
  }
  const m = /^(-?\d+)\.\.(-?\d+)$/.exec(t);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (b < a) throw new UserError(`--seeds ${s}: the range ends before it starts`);
    return range(b - a + 1).map((i) => a + i);
  }
  const list = t.split(',').map((x) => x.trim());
  if (list.some((x) => !/^-?\d+$/.test(x)))
    throw new UserError(`--seeds ${s}: give a count (5), a range (0..4) or a list of integers (0,3,7)`);
  return list.map(Number);
}

/** `key=v1,v2,…` (or `key=[JSON array]`) → [key, values]; each value parsed like `--set` values. */
export function parseAxisFlag(flag: string, arg: string): [string, unknown[]] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UserError(`${flag} expects key=value1,value2,…, got '${arg}'`);
  const key = arg.slice(0, eq).trim();
  const text = arg.slice(eq + 1).trim();
  if (!keyPath.safeParse(key).success)
    throw new UserError(`${flag} ${arg}: '${key}' is not a dotted key such as train.steps`);
  if (!text) throw new UserError(`${flag} ${arg}: empty grid (no values for '${key}'); give key=value1,value2,…`);
  if (text.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(text);
      if (Array.isArray(v)) return [key, v];
    } catch {
      /* not JSON: values separated by commas */
    }
  }
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => !p)) throw new UserError(`${flag} ${arg}: an empty value between commas`);
  return [key, parts.map(parseScalar)];
}

/** `key=value` → [key, value] for `--set`. */
export function parseSetFlag(arg: string): [string, unknown] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UserError(`--set expects path.to.key=value, got '${arg}'`);
  const key = arg.slice(0, eq).trim();
  if (!keyPath.safeParse(key).success)
    throw new UserError(`--set ${arg}: '${key}' is not a dotted key such as train.steps`);
  return [key, parseScalar(arg.slice(eq + 1).trim())];
}

export interface SpecFlags {
  spec?: string;
  config?: string;
  set?: string[];
  grid?: string[];
  zip?: string[];
  seeds?: string;
  metrics?: string;
  evalEvery?: number;
  numTrain?: number;
  numTest?: number;
}

/** Whether the flags describe a sweep at all (else the folder's own spec is used). */
export function hasSpecFlags(f: SpecFlags): boolean {
  return (
    !!(f.spec || f.config || f.set?.length || f.grid?.length || f.zip?.length || f.seeds || f.metrics) ||
    f.evalEvery !== undefined ||
    f.numTrain !== undefined ||
    f.numTest !== undefined
  );
}

/** The command line (`--spec`, `--config`, `--set`, `--grid`, `--zip`, `--seeds`, eval flags) → a spec. */
export function specFromFlags(f: SpecFlags): SweepSpec {
  const spec: SweepSpec = f.spec
    ? readSpecFile(f.spec)
    : { base: {}, set: {}, axes: [], seeds: [], evaluate: parseEvaluate({}, 'evaluate') };
  if (f.config) spec.base = readBaseConfig(f.config);
  for (const a of f.set ?? []) {
    const [k, v] = parseSetFlag(a);
    spec.set[k] = v;
  }
  for (const a of f.grid ?? []) {
    const [k, v] = parseAxisFlag('--grid', a);
    spec.axes.push({ [k]: v });
  }
  if (f.zip?.length) spec.axes.push(Object.fromEntries(f.zip.map((a) => parseAxisFlag('--zip', a))));
  if (f.seeds) spec.seeds = parseSeeds(f.seeds);
  if (!spec.seeds.length) spec.seeds = defaultSeeds(spec.base);
  const ev: Record<string, unknown> = { ...spec.evaluate };
  if (f.metrics) ev.metrics = f.metrics;
  if (f.evalEvery !== undefined) ev.every = f.evalEvery;
  if (f.numTrain !== undefined) ev.numTrain = f.numTrain;
  if (f.numTest !== undefined) ev.numTest = f.numTest;
  spec.evaluate = parseEvaluate(ev, 'evaluate (--metrics, --eval-every, --num-train, --num-test)');
  return spec;
}

/** Structural checks that need no config: non-empty axes, equal lengths, each key varied or fixed once. */
