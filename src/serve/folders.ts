/**
 * Run and sweep folders as the page sees them: found by walking the served roots, summarised from the files
 * the trainer, `evaluate` and sweeps write (config.json, train.jsonl, summary.json, eval.json, status.json,
 * metrics.jsonl, sweep.json, results.csv). Everything here only reads; a corrupt file becomes a message.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { idOf, type Root } from './paths.js';
import { readTail } from './tail.js';
import { parseCsv } from './csv.js';

/** How deep below a root the walk looks, and how many folders it visits at most (a guard against huge trees). */
const MAX_DEPTH = 6;
const MAX_FOLDERS = 20_000;
/** A run whose log changed this recently (and has no summary.json) counts as running. */
const RUNNING_WINDOW_MS = 60_000;

export interface RunSummary {
  id: string;
  name: string;
  /** The sweep it belongs to, if any. */
  sweep?: string;
  dataset?: string;
  framework?: string;
  loss?: string;
  /** Configured steps. */
  steps?: number;
  /** Last logged step and loss. */
  step?: number;
  lastLoss?: number;
  status: 'running' | 'done' | 'stopped' | 'failed' | 'broken' | string;
  updated: number;
  hasEval: boolean;
  /** Why the folder could not be read properly. */
  error?: string;
}

export interface SweepSummary {
  id: string;
  name: string;
  runs: number;
  hasResults: boolean;
  updated: number;
  error?: string;
}

export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'train.jsonl'));
}

export function isSweepFolder(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json'));
}

/** Parse a JSON file; `undefined` when absent, `{ error }` when unreadable. */
export function readJson(path: string): { value?: unknown; error?: string } | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return { value: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (e) {
    return { error: `${path.split(/[\\/]/).pop()} is not valid JSON (${(e as Error).message.slice(0, 80)})` };
  }
}

/** Walk the roots: every run folder and sweep folder (run folders are not entered). */
export function scan(roots: readonly Root[]): { runs: RunSummary[]; sweeps: SweepSummary[]; truncated: boolean } {
  const runs: RunSummary[] = [];
  const sweeps: SweepSummary[] = [];
  let visited = 0;
  let truncated = false;
  // Symlinked folders are followed only inside their root, and each real folder once (no escapes, no loops).
  const seen = new Set<string>();
  const walk = (root: Root, dir: string, depth: number, sweep?: string) => {
    if (visited++ > MAX_FOLDERS) {
      truncated = true;
      return;
    }
    if (isRunFolder(dir)) {
      runs.push(runSummary(root, dir, sweep));
      return;
    }
    let inSweep = sweep;
    if (isSweepFolder(dir)) {
      const s = sweepSummary(root, dir);
      sweeps.push(s);
      inSweep = s.id;
    }
    if (depth >= MAX_DEPTH) return;
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith('.') || e === 'node_modules') continue;
      const p = join(dir, e);
      try {
        if (!statSync(p).isDirectory()) continue;
        const real = realpathSync(p);
        if (seen.has(real) || !(real === root.abs || real.startsWith(root.abs + sep))) continue;
        seen.add(real);
        walk(root, p, depth + 1, inSweep);
      } catch {
        /* vanished or unreadable: skip */
      }
    }
  };
  for (const r of roots) {
    seen.add(r.abs);
    walk(r, r.abs, 0);
  }
  for (const s of sweeps) s.runs = runs.filter((r) => r.sweep === s.id).length;
  return { runs, sweeps, truncated };
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The last complete JSON line of a log (read from its end), or undefined. */
function lastRecord(path: string): Record<string, unknown> | undefined {
  const size = existsSync(path) ? statSync(path).size : 0;
  const from = Math.max(0, size - 64 * 1024);
  const { records } = readTail(path, from, { skipFirstPartial: from > 0 });
  return records[records.length - 1];
}

export function runSummary(root: Root, dir: string, sweep?: string): RunSummary {
  const id = idOf(root, dir);
  const name = id.split('/').pop()!;
  const updated = Math.max(mtime(join(dir, 'train.jsonl')), mtime(join(dir, 'summary.json')));
  const cfg = readJson(join(dir, 'config.json'));
  const out: RunSummary = { id, name, sweep, status: 'stopped', updated, hasEval: existsSync(join(dir, 'eval.json')) };
  if (cfg?.error) return { ...out, status: 'broken', error: cfg.error };
  const c = (cfg?.value ?? {}) as {
    dataset?: { name?: unknown };
    framework?: { name?: unknown };
    loss?: unknown;
    train?: { steps?: unknown };
  };
  out.dataset = typeof c.dataset?.name === 'string' ? c.dataset.name : undefined;
  out.framework = typeof c.framework?.name === 'string' ? c.framework.name : undefined;
  out.loss = typeof c.loss === 'string' ? c.loss : undefined;
  out.steps = typeof c.train?.steps === 'number' ? c.train.steps : undefined;
  const last = lastRecord(join(dir, 'train.jsonl'));
  if (last) {
    out.step = typeof last.step === 'number' ? last.step : undefined;
    out.lastLoss = typeof last.loss === 'number' ? last.loss : undefined;
  }
  const status = readJson(join(dir, 'status.json'));
  const st = status?.value as Record<string, unknown> | undefined;
  const stated = st && (st.status ?? st.state);
  if (typeof stated === 'string') out.status = stated;
  else if (existsSync(join(dir, 'summary.json'))) out.status = 'done';
  else if (Date.now() - updated < RUNNING_WINDOW_MS) out.status = 'running';
  return out;
}

export function sweepSummary(root: Root, dir: string): SweepSummary {
  const id = idOf(root, dir);
  const spec = readJson(join(dir, 'sweep.json'));
  return {
    id,
    name: id.split('/').pop()!,
    runs: 0,
    hasResults: existsSync(join(dir, 'results.csv')),
    updated: Math.max(mtime(join(dir, 'sweep.json')), mtime(join(dir, 'results.csv'))),
    error: spec?.error,
  };
}

/** Everything the run view shows at once (the logs are read separately, incrementally). */
export function runDetails(root: Root, dir: string) {
  const files = readdirSync(dir).filter((f) => !f.startsWith('.'));
  const pictures = files.filter((f) => f.endsWith('.png')).sort();
  const get = (f: string) => readJson(join(dir, f));
  const errors: string[] = [];
  const value = (f: string) => {
    const r = get(f);
    if (r?.error) errors.push(r.error);
    return r?.value;
  };
  return {
    ...runSummary(root, dir),
    config: value('config.json'),
    summary: value('summary.json'),
    eval: value('eval.json'),
    status: value('status.json'),
    pictures: pictures.map((f) => ({ file: f, updated: mtime(join(dir, f)) })),
    hasEvalHtml: files.includes('eval.html'),
    hasMetricsLog: files.includes('metrics.jsonl'),
    errors,
  };
}

/** A sweep: its spec and one row per run, from results.csv when written, else assembled from the run folders. */
export function sweepDetails(root: Root, dir: string, runs: RunSummary[]) {
  const spec = readJson(join(dir, 'sweep.json'));
  const id = idOf(root, dir);
  const csvPath = join(dir, 'results.csv');
  const mine = runs.filter((r) => r.sweep === id);
  if (existsSync(csvPath)) {
    const { columns, rows, errors } = parseCsv(readFileSync(csvPath, 'utf8'));
    const runCol = ['run', 'name', 'id', 'run_id', 'dir', 'path'].find((c) => columns.includes(c));
    const runIds = rows.map((row) => {
      if (!runCol) return null;
      const v = String(row[runCol]);
      const hit = mine.find(
        (r) => r.name === v || r.id.endsWith(`/${v}`) || r.id.endsWith(`/${v.replace(/^\.\//, '')}`),
      );
      return hit ? hit.id : null;
    });
    return { id, spec: spec?.value, specError: spec?.error, source: 'results.csv', columns, rows, runIds, errors };
  }
  // No results.csv yet (a sweep in progress): configs' varying values, seed, status, steps, final metrics.
  const flat = mine.map((r) => {
    const d = runDetails(root, join(root.abs, ...r.id.split('/').slice(1)));
    const row: Record<string, string | number | null> = {};
    flatten(d.config, '', row);
    const seed = (d.config as { train?: { seed?: unknown } } | null)?.train?.seed;
    row.seed = typeof seed === 'number' ? seed : null;
    row.status = r.status;
    row.steps = r.step ?? null;
    row.final_loss = r.lastLoss ?? null;
    const metrics = ((d.eval as { metrics?: Record<string, number> } | null)?.metrics ?? {}) as Record<string, number>;
    for (const [k, v] of Object.entries(metrics)) row[k] = v;
    return row;
  });
  const keys = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  const varying = keys.filter(
    (k) => !['seed', 'status', 'steps', 'final_loss'].includes(k) && !k.startsWith('train.seed') && varies(flat, k),
  );
  const configKeys = new Set(keys.filter((k) => k.includes('.')));
  const metrics = keys.filter((k) => !configKeys.has(k) && !['seed', 'status', 'steps', 'final_loss'].includes(k));
  const columns = [...varying.filter((k) => configKeys.has(k)), 'seed', 'status', 'steps', 'final_loss', ...metrics];
  const rows = flat.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
  return {
    id,
    spec: spec?.value,
    specError: spec?.error,
    source: 'run folders',
    columns,
    rows,
    runIds: mine.map((r) => r.id),
    errors: [] as string[],
  };
}

function flatten(v: unknown, prefix: string, out: Record<string, string | number | null>): void {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (typeof v === 'number' || typeof v === 'string') out[prefix] = v;
  else if (typeof v === 'boolean') out[prefix] = String(v);
  else if (v !== undefined) out[prefix] = JSON.stringify(v);
}

function varies(rows: Array<Record<string, unknown>>, k: string): boolean {
  return new Set(rows.map((r) => JSON.stringify(r[k] ?? null))).size > 1;
}
