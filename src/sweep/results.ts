/**
 * A sweep's results: one row per run (swept values, seed, state, steps, CPU time, final loss, each metric
 * at the end and its maximum over training), as `results.csv` (RFC 4180; `pandas.read_csv` reads it as
 * is: empty cells are NaN) and as rows for the report; plus each run's curves (train.jsonl, metrics.jsonl).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths, readRecord, type SweepFile } from './folder.js';
import { cpuSeconds, type SweepStatus } from './status.js';

export interface ResultRow {
  id: number;
  name: string;
  values: Record<string, unknown>;
  seed: number;
  state: string;
  step: number;
  steps: number;
  cpu_s?: number;
  wall_s?: number;
  loss?: number;
  backend?: string;
  /** End-of-run scores (eval.json). */
  final: Record<string, number>;
  /** Maximum over the scores during training and at the end (what Michlo et al. plot). */
  max: Record<string, number>;
  error?: string;
}

function jsonLines(path: string): Array<Record<string, number>> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return l.trim() ? [JSON.parse(l) as Record<string, number>] : [];
      } catch {
        return [];
      }
    });
}

/** A run's end-of-run evaluation (eval.json), if it has a readable one. */
function readEval(dir: string, name: string): { step: number; metrics: Record<string, number> } | null {
  const p = join(paths.run(dir, name), 'eval.json');
  if (!existsSync(p)) return null;
  try {
    const e = JSON.parse(readFileSync(p, 'utf8')) as { step: number; metrics: Record<string, number> };
    return e.metrics ? e : null;
  } catch {
    return null;
  }
}

/** A run's curves: the training loss and each score during training, as (step, value) pairs. */
export function readCurves(dir: string, name: string): Record<string, Array<[number, number]>> {
  const out: Record<string, Array<[number, number]>> = {};
  const add = (k: string, step: number, v: unknown) => {
    if (typeof v === 'number') (out[k] ??= []).push([step, v]);
  };
  for (const l of jsonLines(join(paths.run(dir, name), 'train.jsonl'))) add('loss', l.step, l.loss);
  for (const l of jsonLines(join(paths.run(dir, name), 'metrics.jsonl')))
    for (const [k, v] of Object.entries(l)) if (k !== 'step') add(k, l.step, v);
  // the end-of-run scores close the curves of the scores during training
  const ev = readEval(dir, name);
  if (ev && out.loss) for (const [k, v] of Object.entries(ev.metrics)) if (out[k]) add(k, ev.step, v);
  return out;
}

export function collectResults(dir: string, sweep: SweepFile, status: SweepStatus): ResultRow[] {
  return sweep.runs.map((r, i) => {
    const st = status.runs[i];
    const rec = readRecord(dir, r.name);
    const final: Record<string, number> = readEval(dir, r.name)?.metrics ?? {};
    const max: Record<string, number> = { ...final };
    for (const l of jsonLines(join(paths.run(dir, r.name), 'metrics.jsonl')))
      for (const [k, v] of Object.entries(l))
        if (k !== 'step' && Number.isFinite(v)) max[k] = Number.isFinite(max[k]) ? Math.max(max[k], v) : v;
    const walls = rec?.attempts.map((a) => a.wall_s).filter((x): x is number => typeof x === 'number') ?? [];
    return {
      id: r.id,
      name: r.name,
      values: r.values,
      seed: r.seed,
      state: st.state,
      step: st.step,
      steps: st.steps,
      cpu_s: cpuSeconds(rec),
      wall_s: walls.length ? walls.reduce((a, b) => a + b, 0) : undefined,
      loss: st.loss,
      backend: rec?.backend,
      final,
      max,
      error: st.state === 'failed' || st.state === 'lost' ? (st.error ?? st.detail) : undefined,
    };
  });
}

/** Metric names in first-seen order over the rows. */
export function metricColumns(rows: ResultRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of [...Object.keys(r.final), ...Object.keys(r.max)]) seen.add(k);
  return [...seen];
}

function cell(v: unknown): string {
  if (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

const round = (v: number | undefined, digits: number) => (v === undefined ? undefined : Number(v.toFixed(digits)));

export function resultsCsv(sweep: SweepFile, rows: ResultRow[]): string {
  const keys = sweep.spec.axes.flatMap((a) => Object.keys(a));
  const metrics = metricColumns(rows);
  const header = [
    'name',
    'id',
    ...keys,
    'seed',
    'status',
    'steps',
    'steps_total',
    'cpu_s',
    'wall_s',
    'final_loss',
    ...metrics.flatMap((m) => [m, `${m}_max`]),
    'backend',
    'error',
  ];
  const lines = rows.map((r) =>
    [
      r.name,
      r.id,
      ...keys.map((k) => r.values[k]),
      r.seed,
      r.state,
      r.step,
      r.steps,
      round(r.cpu_s, 2),
      round(r.wall_s, 2),
      r.loss,
      ...metrics.flatMap((m) => [r.final[m], r.max[m]]),
      r.backend,
      r.error,
    ]
      .map(cell)
      .join(','),
  );
  return [header.map(cell).join(','), ...lines].join('\n') + '\n';
}
