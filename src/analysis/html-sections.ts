/** The HTML report of a perceived-distance analysis: table, matrices as heatmaps, charts, example traversals. */
import type { GroundTruthDataset } from '../data/types.js';
import { barChartSvg, heatmapSvg, htmlPage, htmlTable, imgTag, escapeHtml, fmtNum, tileImages } from '../viz/index.js';
import { Rng } from '../util/rng.js';
import { verdictThresholds, type PerceivedReport } from './perceived.js';
import type { LocalVarianceReport } from './local-variance.js';

/** One traversal per factor (rows), from one random start point, as an image. */
export function traversalGridImage(ds: GroundTruthDataset, seed = 0, maxLength = 16) {
  const rng = new Rng(seed);
  const start = ds.stateSpace.sampleFactors(1, rng);
  const [h, w, c] = ds.obsShape;
  const D = h * w * c;
  const cols = Math.min(maxLength, Math.max(...ds.factors.map((f) => f.size)));
  const imgs = new Float32Array(ds.factors.length * cols * D).fill(0.5);
  ds.factors.forEach((f, k) => {
    const vals =
      f.size <= cols
        ? [...Array(f.size).keys()]
        : [...Array(cols).keys()].map((i) => Math.round((i * (f.size - 1)) / (cols - 1)));
    const fac = Int32Array.from(start);
    vals.forEach((v, i) => {
      fac[k] = v;
      ds.renderInto(ds.stateSpace.toIndex(fac), imgs, (k * cols + i) * D);
    });
  });
  return tileImages(imgs, ds.factors.length * cols, h, w, c, cols, 2, 0.5);
}

export function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'undefined';
}

/** The HTML fragment for one perceived-distance analysis (used alone or inside the main job's report). */
export function perceivedSection(r: PerceivedReport, ds: GroundTruthDataset | null, heading = true): string {
  const parts: string[] = [];
  if (heading) parts.push(`<h2>${escapeHtml(r.dataset)} under <code>${escapeHtml(r.loss)}</code></h2>`);
  parts.push(
    `<p>Parameters: <code>${escapeHtml(JSON.stringify(r.params))}</code>. ${r.traversals} random traversals per factor; ` +
      `${r.pairs.toLocaleString()} pairs per factor for the correlations (drawn with replacement along the traversals); ` +
      `${r.randomPairs.pairs.toLocaleString()} random pairs for the baseline. Distances are the loss's perceived distance, averaged over H, W, C.</p>`,
  );
  for (const n of r.notes) parts.push(`<p class="note">${escapeHtml(n)}</p>`);
  parts.push(
    htmlTable(
      ['factor', 'size', 'mean', 'std', 'rank corr.', 'linear corr.', 'verdict'],
      [
        ...r.factors.map((f) => [
          f.name,
          f.size,
          fmt(f.mean),
          fmt(f.std),
          fmt(f.rankCorrelation, 3),
          fmt(f.linearCorrelation, 3),
          `<span class="${f.verdict}" title="${escapeHtml(f.reason)}">${f.verdict}</span>`,
        ]),
        ['random pairs', '', fmt(r.randomPairs.mean), fmt(r.randomPairs.std), '', '', ''],
      ],
    ),
  );
  const adversarial = r.factors.filter((f) => f.verdict === 'adversarial');
  parts.push(
    adversarial.length
      ? `<p><b>Verdict:</b> ${adversarial.length} of ${r.factors.length} factors are adversarial for <code>${escapeHtml(r.loss)}</code> (${adversarial.map((f) => escapeHtml(f.name)).join(', ')}): ${escapeHtml(adversarial[0].reason)}.</p>`
      : `<p><b>Verdict:</b> no factor is adversarial for <code>${escapeHtml(r.loss)}</code>: perceived distances carry the factors' ordering.</p>`,
  );
  parts.push(
    barChartSvg(
      r.factors.map((f) => f.name).concat(['random']),
      [{ name: 'mean perceived distance', values: r.factors.map((f) => f.mean).concat([r.randomPairs.mean]) }],
      {
        title: 'Perceived distance along each factor (± std) vs random pairs',
        errors: [r.factors.map((f) => f.std).concat([r.randomPairs.std])],
      },
    ),
  );
  parts.push(
    barChartSvg(
      r.factors.map((f) => f.name),
      [
        { name: 'rank (Spearman)', values: r.factors.map((f) => f.rankCorrelation) },
        { name: 'linear (Pearson)', values: r.factors.map((f) => f.linearCorrelation) },
      ],
      { title: 'Correlation of ground-truth and perceived distance', min: 0, max: 1 },
    ),
  );
  parts.push('<h3>Traversal distance matrices (perceived, beside ground truth |i − j|)</h3><div class="figs">');
  for (const f of r.factors) {
    const L = f.traversedValues.length;
    const gt = new Float64Array(L * L);
    for (let i = 0; i < L; i++)
      for (let j = 0; j < L; j++) gt[i * L + j] = Math.abs(f.traversedValues[i] - f.traversedValues[j]);
    parts.push(
      `<figure>${heatmapSvg(f.matrix, L, L, { title: `${f.name}: perceived`, min: 0 })}${heatmapSvg(gt, L, L, { title: `${f.name}: ground truth` })}` +
        `<figcaption>${escapeHtml(f.name)}: mean ${fmtNum(f.mean)}, rank corr. ${fmt(f.rankCorrelation, 3)} — ${escapeHtml(f.reason)}</figcaption></figure>`,
    );
  }
  parts.push('</div>');
  if (ds)
    parts.push(`<h3>Example traversals (one row per factor)</h3>${imgTag(traversalGridImage(ds), 2, 'traversals')}`);
  parts.push(
    `<p style="font-size:12px;color:#666">Verdict rule: <i>adversarial</i> when the off-diagonal perceived distances are near constant ` +
      `(std/mean &lt; ${verdictThresholds.constantCv}) or the rank correlation is below ${verdictThresholds.adversarialRank}; <i>weak</i> below ${verdictThresholds.weakRank}; else <i>ordered</i>.</p>`,
  );
  return parts.join('\n');
}

export function localVarianceSection(lv: LocalVarianceReport): string {
  const F = lv.factors.length;
  const names = lv.factors.map((f) => f.name);
  return [
    `<h2>Local variance structure (${escapeHtml(lv.dataset)})</h2>`,
    `<p>At ${lv.points} random points: one-step changes of each factor. A PCA-like VAE recovers factors when these directions are near-orthogonal ` +
      `(small off-diagonal cosines) with distinct magnitudes (Zietlow et al.; Rolinek et al.).</p>`,
    htmlTable(
      ['factor', 'size', 'sensitivity (mean sq. diff.)', 'std'],
      lv.factors.map((f) => [f.name, f.size, fmt(f.sensitivity, 5), fmt(f.sensitivityStd, 5)]),
    ),
    `<p>Alignment of local principal directions with single factors: <b>${fmt(lv.pcaAlignment, 3)}</b> (1 = aligned); ` +
      `smallest relative gap between principal variances: <b>${fmt(lv.pcaEigengap, 3)}</b> (0 = degenerate: PCA cannot pick axes).</p>`,
    `<div class="figs"><figure>${heatmapSvg(lv.gramCosine, F, F, { title: 'mean |cos| of difference directions', rowLabels: names, colLabels: names, min: 0, max: 1, annotate: true })}</figure></div>`,
  ].join('\n');
}

export function perceivedReportHtml(r: PerceivedReport, ds: GroundTruthDataset, lv?: LocalVarianceReport): string {
  return htmlPage(
    `Perceived distances: ${r.dataset} under ${r.loss}`,
    perceivedSection(r, ds, false) + (lv ? localVarianceSection(lv) : ''),
  );
}

/** The JSON summary printed by `disentangle analyze --json` (matrices omitted). */
export function perceivedSummary(r: PerceivedReport) {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    dataset: r.dataset,
    params: r.params,
    loss: r.loss,
    factors: r.factors.map((f) => ({
      name: f.name,
      size: f.size,
      mean: num(f.mean),
      std: num(f.std),
      rankCorrelation: num(f.rankCorrelation),
      linearCorrelation: num(f.linearCorrelation),
      verdict: f.verdict,
    })),
    randomPairs: { mean: num(r.randomPairs.mean), std: num(r.randomPairs.std) },
    traversals: r.traversals,
    pairs: r.pairs,
    notes: r.notes,
  };
}
