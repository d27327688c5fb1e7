/**
 * The committed CPU-scale study results (`results/<experiment>/`, written by `disentangle experiment run … --scale
 * cpu` then `experiment export`): read, never re-run, and shown in the main job's report labelled as such, with
 * the command that regenerates each.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DistanceCase } from '../experiments/index.js';
import { escapeHtml, htmlTable } from '../viz/index.js';

/** The package's results/ folder (beside experiments/). */
export const resultsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results');

export interface CommittedResult {
  experiment: string;
  scale: string;
  dir: string;
  runs: { done: number; failed: number; total: number; cpuHours: number; backends: string[] };
  claims: Array<{ id: string; text: string; verdict: string; groups: Array<{ group?: string; detail: string }> }>;
  published: Array<{
    where: Record<string, unknown>;
    metric: string;
    stat?: string;
    value: number;
    ours: { median: number | null; n: number };
  }>;
}

/** A committed JSON file, or null when it is missing or damaged (the report says so and goes on). */
function readJson<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    process.stderr.write(`note: ${path} is not readable JSON; left out of the report\n`);
    return null;
  }
}

/** Every results/<experiment>/claims.json that parses; a damaged one is skipped (the report says so). */
export function committedResults(dir = resultsDir): CommittedResult[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const claims = readJson<Omit<CommittedResult, 'dir'>>(join(dir, name, 'claims.json'));
      return claims ? [{ ...claims, dir: join(dir, name) }] : [];
    });
}

const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

/** The report section; `out` is where report.html goes (links to each study's report are relative to it). */
export function renderCommittedResults(results: CommittedResult[], out: string): string {
  const parts = ["<h2>3. The papers' studies at CPU scale (committed results, not run now)</h2>"];
  if (!results.length) {
    parts.push('<p>No committed study results in this checkout (results/ is empty).</p>');
    return parts.join('\n');
  }
  parts.push(
    '<p>These numbers were produced earlier on a 2-core machine by the shipped experiments at their <code>cpu</code> ' +
      "scale — far shorter than the papers' runs — and committed under <code>results/</code>. They are read here, " +
      'not recomputed; each line says how to regenerate it.</p>',
  );
  for (const r of results) {
    const link = relative(resolve(out), join(r.dir, 'report.html'));
    const ran = r.runs.total
      ? `${r.runs.done} of ${r.runs.total} runs done${r.runs.failed ? `, ${r.runs.failed} failed` : ''}, ` +
        `${r.runs.cpuHours.toFixed(2)} CPU hours on ${escapeHtml(r.runs.backends.join(', ') || '–')}. `
      : 'Analysis only, no training. ';
    parts.push(
      `<h3>${escapeHtml(r.experiment)} (scale ${escapeHtml(r.scale)})</h3>` +
        `<p>${ran}` +
        `Full report: <a href="${escapeHtml(link)}">${escapeHtml(join('results', r.experiment, 'report.html'))}</a>. ` +
        `Regenerate: <code>disentangle experiment run ${escapeHtml(r.experiment)} --scale ${escapeHtml(r.scale)} ` +
        `--out studies/${escapeHtml(r.experiment)}</code>.</p>`,
    );
    const distances = distanceRows(r.dir);
    if (distances.length)
      parts.push(
        htmlTable(
          ['dataset and loss', 'factor', 'mean distance (published)', 'rank corr. (published)', 'verdict'],
          distances,
        ),
      );
    if (r.claims.length)
      parts.push(
        htmlTable(
          ['claim', 'result at this scale', 'verdict'],
          r.claims.map((c) => [
            escapeHtml(c.text),
            c.groups.map((g) => escapeHtml(g.group ? `${g.group}: ${g.detail}` : g.detail)).join('<br>'),
            `<b>${escapeHtml(c.verdict)}</b>`,
          ]),
        ),
      );
    if (r.published.length)
      parts.push(
        htmlTable(
          ['runs', 'metric', 'published', 'ours (median, n)'],
          r.published.map((p) => [
            escapeHtml(
              Object.entries(p.where)
                .map(([k, v]) => `${k.split('.').at(-1)}=${String(v)}`)
                .join(', '),
            ),
            escapeHtml(`${p.metric}${p.stat ? ` (${p.stat})` : ''}`),
            fmt(p.value),
            `${fmt(p.ours.median)} (${p.ours.n})`,
          ]),
        ),
      );
  }
  return parts.join('\n');
}

/**
 * An analysis study's perceived distances (each `distances` step of its experiment.json wrote `<step>.json`):
 * one row per setting, its first factor (the others of XYSquares repeat it; the full table is in the README).
 */
function distanceRows(dir: string): string[][] {
  const spec = readJson<{ spec?: { steps?: Array<{ kind: string; name: string }> } }>(join(dir, 'experiment.json'));
  const steps = (spec?.spec?.steps ?? []).filter((s) => s.kind === 'distances');
  const withPublished = (v: number | null, p: number | undefined, digits: number) =>
    `${fmt(v, digits)}${p === undefined ? '' : ` (${p})`}`;
  return steps.flatMap((step) =>
    (readJson<DistanceCase[]>(join(dir, `${step.name}.json`)) ?? []).flatMap((c) => {
      const f = c.factors[0];
      if (!f) return [];
      const pub = c.published?.factors[f.name];
      return [
        [
          escapeHtml(c.label),
          escapeHtml(f.name),
          withPublished(f.mean, pub?.mean, 4),
          withPublished(f.rankCorrelation, pub?.rank, 3),
          escapeHtml(f.verdict),
        ],
      ];
    }),
  );
}
