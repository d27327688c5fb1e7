/**
 * report.html: a header (what ran, at what scale, on which backend, in how much CPU time), per metric the
 * metric against each swept parameter (every seed a point, medians drawn, grouped by the other parameters),
 * a table of median and interquartile range per group, the Spearman correlation of each numeric parameter
 * with each metric, and the training curves overlaid per group. Self-contained (inline SVG).
 */
import { spearman } from '../analysis/stats.js';
import { escapeHtml as esc, htmlPage, htmlTable } from '../viz/index.js';
import type { SweepFile } from './folder.js';
import { curvesSvg, fmt3, quantile, median, stripPlotSvg, type Curve, type StripPoint } from './plots.js';
import { metricColumns, type ResultRow } from './results.js';
import type { SweepStatus } from './status.js';
import { summaryLine } from './status.js';

/** 42 s, 3.5 min, 2.1 h */
function duration(s: number): string {
  return s < 90
    ? `${s.toFixed(s < 10 ? 1 : 0)} s`
    : s < 5400
      ? `${(s / 60).toFixed(1)} min`
      : `${(s / 3600).toFixed(1)} h`;
}

/** Let long metric names wrap at their underscores in table headers (zero-width spaces survive escaping). */
const breakable = (s: string) => s.replace(/_/g, '_\u200b');

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Group label of a row over some keys: `beta=0.001, gridSpacing=2` (or 'all runs' for no keys). */
function groupOf(row: ResultRow, keys: string[], short: (k: string) => string): string {
  return keys.length ? keys.map((k) => `${short(k)}=${show(row.values[k])}`).join(', ') : 'all runs';
}

function shortName(keys: string[]) {
  const last = (k: string) => k.slice(k.lastIndexOf('.') + 1);
  return (k: string) => (keys.filter((o) => last(o) === last(k)).length > 1 ? k : last(k));
}

function header(sweep: SweepFile, rows: ResultRow[], status: SweepStatus): string {
  const c = sweep.runs[0].config;
  const spec = sweep.spec;
  const axes = spec.axes.map(
    (a) =>
      Object.keys(a)
        .map((k) => `<code>${esc(k)}</code>`)
        .join(' + ') +
      ` ∈ {${Object.values(a)[0]
        .map((_, j) =>
          esc(
            Object.values(a)
              .map((vs) => show(vs[j]))
              .join(' / '),
          ),
        )
        .join(', ')}}`,
  );
  const fixed = Object.entries(spec.set).map(([k, v]) => `<code>${esc(k)}=${esc(show(v))}</code>`);
  const { name: ds, ...dsParams } = c.dataset;
  const { name: fw, ...fwParams } = c.framework;
  const swept = new Set(spec.axes.flatMap((a) => Object.keys(a)));
  const params = (part: string, o: Record<string, unknown>) => {
    const kept = Object.entries(o).filter(([k]) => !swept.has(`${part}.${k}`));
    return kept.length ? ` (${esc(kept.map(([k, v]) => `${k} ${show(v)}`).join(', '))})` : '';
  };
  const what =
    `${swept.has('framework.name') ? 'each framework' : esc(fw)}${params('framework', fwParams)} on ` +
    `${swept.has('dataset.name') ? 'each dataset' : esc(ds)}${params('dataset', dsParams)}, model ` +
    `${esc(c.model.architecture)} with z = ${c.model.z}, loss ${esc(c.loss)} (${c.lossReduction}), Adam lr ${c.optimizer.lr}`;
  const cpu = rows.map((r) => r.cpu_s).filter((x): x is number => x !== undefined);
  const backends = new Map<string, number>();
  for (const r of rows) if (r.backend) backends.set(r.backend, (backends.get(r.backend) ?? 0) + 1);
  const ev = spec.evaluate;
  const failed = rows.filter((r) => r.error);
  const items = [
    `<b>What ran:</b> ${what} (as in the first run, apart from the swept keys).`,
    `<b>Grid:</b> ${axes.length ? axes.join(' × ') + ' × ' : ''}seeds {${spec.seeds.join(', ')}} = ${sweep.runs.length} runs.${fixed.length ? ` Fixed: ${fixed.join(', ')}.` : ''}`,
    `<b>Scale:</b> ${c.train.steps.toLocaleString('en')} steps at batch ${c.train.batchSize} per run (${(c.train.steps * c.train.batchSize).toLocaleString('en')} observations); scored with ${ev.metrics.map(esc).join(', ')} on ${ev.numTrain.toLocaleString('en')} / ${ev.numTest.toLocaleString('en')} sampled observations at the end${ev.every ? ` and every ${ev.every} steps during training` : ''}.`,
    `<b>Backend:</b> ${[...backends].map(([b, n]) => `${esc(b)} (${n} run${n === 1 ? '' : 's'})`).join(', ') || 'none recorded yet'}, ${sweep.engine.threads} thread${sweep.engine.threads === 1 ? '' : 's'} per run, device ${esc(sweep.engine.device)}.`,
    `<b>CPU time:</b> ${cpu.length ? `${duration(cpu.reduce((a, b) => a + b, 0))} in all, median ${duration(median(cpu))} per run (${cpu.length} runs recorded)` : 'none recorded yet'}.`,
    `<b>Status:</b> ${esc(summaryLine(status))}.`,
    `<b>Toolkit:</b> disentangle ${esc(sweep.toolkit.version)}${sweep.toolkit.commit ? `, commit <code>${sweep.toolkit.commit.slice(0, 10)}</code>${sweep.toolkit.dirty ? ' (with uncommitted changes)' : ''}` : ''}; machine ${esc(sweep.machine.host)} (${sweep.machine.cpus} × ${esc(sweep.machine.cpuModel)}, ${sweep.machine.memoryGiB} GiB); sweep created ${esc(sweep.created)}.`,
  ];
  let html = `<ul class="hdr">${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
  if (failed.length)
    html +=
      `<h3>Failed or lost runs</h3>` +
      htmlTable(
        ['run', 'state', 'step', 'error'],
        failed.map((r) => [esc(r.name), r.state, `${r.step}/${r.steps}`, esc(r.error ?? '')]),
      );
  return html;
}

function stripPlots(sweep: SweepFile, rows: ResultRow[], metric: string, which: 'final' | 'max'): string[] {
  const keys = sweep.spec.axes.flatMap((a) => Object.keys(a));
  const short = shortName(keys);
  const figs: string[] = [];
  for (const a of sweep.spec.axes)
    for (const k of Object.keys(a)) {
      const cats = a[k].map(show);
      const others = keys.filter((o) => !Object.keys(a).includes(o));
      const groups = [...new Set(rows.map((r) => groupOf(r, others, short)))];
      const points: StripPoint[] = rows
        .filter((r) => Number.isFinite(r[which][metric]))
        .map((r) => ({
          cat: cats.indexOf(show(r.values[k])),
          group: groups.indexOf(groupOf(r, others, short)),
          value: r[which][metric],
          label: r.name,
        }));
      if (!points.length) continue;
      const label = which === 'max' ? `${metric} (max over training)` : metric;
      figs.push(stripPlotSvg(cats, groups, points, { title: `${label} vs ${short(k)}`, xLabel: k, yLabel: metric }));
    }
  return figs;
}

function iqrTable(sweep: SweepFile, rows: ResultRow[], metrics: string[], which: 'final' | 'max'): string {
  const keys = sweep.spec.axes.flatMap((a) => Object.keys(a));
  const short = shortName(keys);
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const g = groupOf(r, keys, short);
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const cell = (xs: number[]) => {
    const v = xs.filter(Number.isFinite);
    if (!v.length) return '–';
    return `${fmt3(median(v))}<br><span class="iqr">${fmt3(quantile(v, 0.25))} – ${fmt3(quantile(v, 0.75))}</span>`;
  };
  return htmlTable(
    [
      ...keys.map(short),
      'runs done',
      'final loss',
      ...metrics.map((m) => breakable(which === 'max' ? `${m} (max)` : m)),
    ],
    [...groups.values()].map((rs) => [
      ...keys.map((k) => esc(show(rs[0].values[k]))),
      `${rs.filter((r) => r.state === 'done').length}/${rs.length}`,
      cell(rs.map((r) => r.loss ?? NaN)),
      ...metrics.map((m) => cell(rs.map((r) => r[which][m] ?? NaN))),
    ]),
  );
}

function spearmanTable(sweep: SweepFile, rows: ResultRow[], metrics: Array<[string, 'final' | 'max']>): string {
  const numeric = sweep.spec.axes
    .flatMap((a) => Object.entries(a))
    .filter(([, vs]) => vs.length > 1 && vs.every((v) => typeof v === 'number'))
    .map(([k]) => k);
  if (!numeric.length) return '<p>No numeric parameter with two or more values: no rank correlations.</p>';
  const colour = (r: number) =>
    Number.isFinite(r)
      ? `background:${r >= 0 ? `rgba(78,121,167,${(Math.abs(r) * 0.55).toFixed(2)})` : `rgba(225,87,89,${(Math.abs(r) * 0.55).toFixed(2)})`}`
      : '';
  return htmlTable(
    ['metric', ...numeric],
    metrics.map(([m, w]) => [
      esc(w === 'max' ? `${m} (max over training)` : m),
      ...numeric.map((k) => {
        const rs = rows.filter((r) => Number.isFinite(r[w][m]));
        const x = rs.map((r) => r.values[k] as number);
        const rho =
          rs.length > 2
            ? spearman(
                x,
                rs.map((r) => r[w][m]),
              )
            : NaN;
        return `<span class="rho" style="${colour(rho)}">${Number.isFinite(rho) ? rho.toFixed(2) : '–'}</span> <span class="iqr">n=${rs.length}</span>`;
      }),
    ]),
  );
}

export function reportHtml(
  dir: string,
  sweep: SweepFile,
  rows: ResultRow[],
  status: SweepStatus,
  curves: Map<string, Record<string, Array<[number, number]>>>,
): string {
  const metrics = metricColumns(rows);
  const hasMax = rows.some((r) => Object.keys(r.max).some((m) => r.max[m] !== r.final[m]));
  const keys = sweep.spec.axes.flatMap((a) => Object.keys(a));
  const short = shortName(keys);
  const parts: string[] = [header(sweep, rows, status)];
  parts.push('<h2>Metrics against the swept parameters</h2>');
  parts.push(
    '<p class="note">Every seed is a point; the thick tick is the median of its group (the other parameters), joined across values. Hover a point for its run.</p>',
  );
  if (!metrics.length) parts.push('<p>No run has been scored yet.</p>');
  for (const m of metrics) {
    const figs = [...stripPlots(sweep, rows, m, 'final'), ...(hasMax ? stripPlots(sweep, rows, m, 'max') : [])];
    if (figs.length)
      parts.push(`<h3>${esc(m)}</h3><div class="figs">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>`);
  }
  const wide = (html: string) => `<div class="wide">${html}</div>`;
  parts.push(
    '<h2>Median and interquartile range per group</h2>',
    '<p class="note">Each cell: the median over the seeds, and below it the first to third quartile.</p>',
    wide(iqrTable(sweep, rows, metrics, 'final')),
  );
  if (hasMax) parts.push('<h3>Maximum over training</h3>', wide(iqrTable(sweep, rows, metrics, 'max')));
  parts.push(
    '<h2>Rank correlation with each numeric parameter</h2>',
    '<p class="note">Spearman’s ρ over all scored runs (the other parameters pooled); blue positive, red negative.</p>',
    spearmanTable(sweep, rows, [
      ...metrics.map((m): [string, 'final'] => [m, 'final']),
      ...(hasMax ? metrics.map((m): [string, 'max'] => [m, 'max']) : []),
    ]),
  );
  const groups = [...new Set(rows.map((r) => groupOf(r, keys, short)))];
  const series = [...new Set([...curves.values()].flatMap((c) => Object.keys(c)))];
  parts.push('<h2>Training curves per group</h2>');
  const figs = series.map((s) => {
    const cs: Curve[] = rows
      .filter((r) => curves.get(r.name)?.[s]?.length)
      .map((r) => ({ group: groups.indexOf(groupOf(r, keys, short)), label: r.name, points: curves.get(r.name)![s] }));
    return curvesSvg(cs, groups, { title: s === 'loss' ? 'training loss' : `${s} during training`, yLabel: s });
  });
  parts.push(
    figs.length
      ? `<div class="figs">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>`
      : '<p>No curves yet.</p>',
  );
  const style =
    '<style>.rho{display:inline-block;min-width:3em;padding:1px 4px;border-radius:3px}.hdr{padding-left:1.2em}.hdr li{margin:.25em 0}.iqr{color:#777;font-size:12px}' +
    'td code,li code{font-size:12px}figure svg{background:#fff}td{white-space:nowrap}' +
    '.wide{overflow-x:auto;max-width:100%}</style>';
  return htmlPage(`Sweep ${dir}`, style + parts.join('\n'));
}
