/**
 * Checking an experiment's claims on its sweeps' results, and putting our numbers beside the published ones.
 * Every number is computed from the runs as they are (whatever scale ran): a claim is reported as holding or
 * not, with its statistic and how many runs it rests on — never adjusted to the claim.
 */
import { spearman } from '../analysis/stats.js';
import { median, quantile } from '../sweep/plots.js';
import type { ResultRow } from '../sweep/results.js';
import type { SweepFile } from '../sweep/index.js';
import type { Claim, Published } from './schema.js';

/** A sweep's results with each run's full config, for matching claims on any key. */
export interface SweepResults {
  sweep: SweepFile;
  rows: ResultRow[];
}

export interface ClaimResult {
  id: string;
  text: string;
  /** 'holds', 'does not hold', or 'no data' (no scored runs match). */
  verdict: 'holds' | 'does not hold' | 'no data';
  /** Per group (`per`), or one entry under '' for the whole claim. */
  groups: Array<{ group: string; statistic: number; n: number; holds: boolean | null; detail: string }>;
  statistic: string;
}

export const canonical = (v: unknown): string =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : JSON.stringify(v);

/** The value at a dotted key of a config. */
export function getPath(obj: unknown, path: string): unknown {
  let o: unknown = obj;
  for (const k of path.split('.')) o = o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
  return o;
}

/** A short readable form of a value (objects as their `type`, or compact JSON). */
export function showValue(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'type' in v) {
    const rest = Object.entries(v).filter(([k]) => k !== 'type');
    return `${String((v as { type: unknown }).type)}${rest.length ? `(${rest.map(([k, x]) => `${k} ${canonical(x)}`).join(', ')})` : ''}`;
  }
  return typeof v === 'string' ? v : canonical(v);
}

/** Whether a run's config matches `where` (each key equal to the value, or to one of a list of values). */
export function matches(config: unknown, where: Record<string, unknown>): boolean {
  return Object.entries(where).every(([k, want]) => {
    const got = canonical(getPath(config, k));
    return Array.isArray(want) ? want.some((w) => canonical(w) === got) : canonical(want) === got;
  });
}

interface Point {
  config: unknown;
  value: number;
}

/**
 * The scores of the finished runs matching `where`. An unfinished run is left out: its "max" would be a
 * maximum over part of training, its "final" no final at all.
 */
function points(res: SweepResults, where: Record<string, unknown>, metric: string, stat: 'final' | 'max'): Point[] {
  return res.rows.flatMap((r, i) => {
    if (r.state !== 'done') return [];
    const config = res.sweep.runs[i].config;
    const value = r[stat][metric];
    return matches(config, where) && Number.isFinite(value) ? [{ config, value }] : [];
  });
}

function testGroup(c: Claim, pts: Point[]): { statistic: number; n: number; holds: boolean | null; detail: string } {
  const t = c.test;
  if (t.kind === 'spearman') {
    const x = pts.map((p) => Number(getPath(p.config, t.param)));
    const rho = spearman(
      x,
      pts.map((p) => p.value),
    );
    const holds = Number.isFinite(rho) ? (t.expect === 'negative' ? rho < 0 : rho > 0) : null;
    return { statistic: rho, n: pts.length, holds, detail: `ρ = ${rho.toFixed(3)} over ${pts.length} runs` };
  }
  const side = (v: unknown) =>
    pts.filter((p) => canonical(getPath(p.config, t.param)) === canonical(v)).map((p) => p.value);
  const hi = side(t.higher),
    lo = side(t.lower);
  const d = median(hi) - median(lo);
  const holds = hi.length && lo.length ? d > t.margin : null;
  // the medians' sign alone over-reads a few seeds: show each side's range, and say when they overlap
  const range = (xs: number[]) =>
    xs.length > 1 ? `, ${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}` : '';
  const overlap =
    hi.length > 1 &&
    lo.length > 1 &&
    Math.min(...hi) + t.margin <= Math.max(...lo) &&
    Math.max(...hi) >= Math.min(...lo);
  return {
    statistic: d,
    n: hi.length + lo.length,
    holds,
    detail:
      `median ${median(hi).toFixed(3)} (${showValue(t.higher)}, n=${hi.length}${range(hi)}) − ${median(lo).toFixed(3)} ` +
      `(${showValue(t.lower)}, n=${lo.length}${range(lo)}) = ${d.toFixed(3)}${t.margin ? `, needs > ${t.margin}` : ''}` +
      (overlap ? '; the seeds’ ranges overlap' : ''),
  };
}

export function checkClaim(c: Claim, res: SweepResults | undefined): ClaimResult {
  const statistic =
    c.test.kind === 'spearman'
      ? `Spearman ρ of ${c.metric} (${c.stat}) with ${c.test.param}, ${c.test.expect} expected`
      : `median ${c.metric} (${c.stat}) at ${c.test.param} = ${showValue(c.test.higher)} minus at ${showValue(c.test.lower)}`;
  const all = res ? points(res, c.where, c.metric, c.stat) : [];
  const per = c.per;
  const groups = per
    ? [...new Set(all.map((p) => canonical(getPath(p.config, per))))].map((g) => ({
        group: showValue(JSON.parse(g)),
        ...testGroup(
          c,
          all.filter((p) => canonical(getPath(p.config, per)) === g),
        ),
      }))
    : [{ group: '', ...testGroup(c, all) }];
  const decided = groups.filter((g) => g.holds !== null);
  const verdict =
    !all.length || !decided.length ? 'no data' : decided.every((g) => g.holds) ? 'holds' : 'does not hold';
  return { id: c.id, text: c.text, verdict, groups, statistic };
}

export interface PublishedComparison extends Published {
  ours: { median: number; q1: number; q3: number; n: number };
}

export function comparePublished(p: Published, res: SweepResults | undefined): PublishedComparison {
  const v = res ? points(res, p.where, p.metric, p.stat).map((x) => x.value) : [];
  return { ...p, ours: { median: median(v), q1: quantile(v, 0.25), q3: quantile(v, 0.75), n: v.length } };
}
