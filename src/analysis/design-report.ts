/** The HTML report of a loss-design search: the ranking, the matrices of base / paper / designed loss, score vs size. */
import { escapeHtml, heatmapSvg, htmlPage, htmlTable, lineChartSvg } from '../viz/index.js';
import type { DesignCandidate, DesignResult } from './design-loss.js';

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const g3 = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : 'n/a');

function candidateRows(cs: DesignCandidate[], factors: string[]): Array<Array<string | number>> {
  return cs.map((c) => [
    `<code>${escapeHtml(c.spec)}</code>`,
    f3(c.score),
    f3(c.mean),
    ...factors.map((f) => f3(c.factors[f])),
    g3(c.scale),
    g3(c.beta),
  ]);
}

/** The whole page for `design-loss --out`. */
export function designReportHtml(r: DesignResult, topN = 20): string {
  const factors = Object.keys(r.best.factors);
  const parts: string[] = [];
  parts.push(
    `<p>Dataset <code>${escapeHtml(r.dataset)}</code> <code>${escapeHtml(JSON.stringify(r.params))}</code>, base loss ` +
      `<code>${escapeHtml(r.base)}</code>. ${r.candidates} candidates in ${r.seconds.toFixed(1)} s` +
      `${r.partial ? ' (the search stopped at its time limit or budget: a partial result)' : ''}. ` +
      `Score = the worst factor's Spearman rank correlation of perceived vs ground-truth distance along traversals, ` +
      `sampled as <code>disentangle analyze</code> samples it (${r.sampling.traversals} traversals per factor, ` +
      `${r.sampling.pairs.toLocaleString()} pairs, seed ${r.sampling.seed}); scale = mean perceived distance over ` +
      `${r.sampling.randomPairs} random pairs relative to the base loss's; β = the β you train the base loss with × scale ` +
      `(a loss s times larger acts like β divided by s).</p>`,
  );
  for (const n of r.notes) parts.push(`<p class="note">${escapeHtml(n)}</p>`);
  parts.push(`<h2>Best: <code>${escapeHtml(r.best.spec)}</code></h2>`);
  const head = ['loss', 'score (worst)', 'mean', ...factors, 'scale', 'β'];
  parts.push(htmlTable(head, candidateRows([r.best, r.paper, r.baseline], factors)));
  parts.push("<p>Rows: the designed loss, the paper's box blur (Michlo et al.), the base loss alone.</p>");

  parts.push('<h2>Perceived distances per factor</h2>');
  parts.push(
    '<p>Mean over traversals of the perceived distance between the i-th and j-th value of each factor: a loss that ' +
      'orders a factor shows distances growing away from the diagonal.</p>',
  );
  for (const m of r.matrices) {
    const L = m.values.length;
    const fig = (vals: number[], title: string) =>
      `<figure>${heatmapSvg(vals, L, L, { title: `${m.factor}: ${title}`, min: 0 })}</figure>`;
    parts.push(
      `<div class="figs">${fig(m.base, r.baseline.spec)}${fig(m.paper, r.paper.spec)}${fig(m.best, r.best.spec)}</div>`,
    );
  }

  parts.push('<h2>Score vs filter size, per family</h2>');
  const families = [...new Set(r.bySize.map((b) => b.family))];
  const sizes = [...new Set(r.bySize.map((b) => b.size))].sort((a, b) => a - b);
  const series = families.map((fam) => ({
    name: fam,
    values: sizes.map((s) => {
      const here = r.bySize.filter((b) => b.family === fam && b.size === s).map((b) => b.score);
      return here.length ? Math.max(...here) : NaN;
    }),
  }));
  parts.push(
    `<div class="figs"><figure>${lineChartSvg(sizes, series, {
      title: 'best score over weights α (and pyramid levels)',
      xLabel: 'size (radius in pixels; dog: outer radius)',
      yLabel: 'worst-factor rank corr.',
    })}</figure></div>`,
  );
  parts.push(`<h2>The ${Math.min(topN, r.ranked.length)} best of ${r.ranked.length}</h2>`);
  parts.push(htmlTable(head, candidateRows(r.ranked.slice(0, topN), factors)));
  return htmlPage(`Loss design: ${r.dataset}`, parts.join('\n'));
}
