/**
 * An experiment's report from its folder as it is: the claims checked on the runs (with their statistics
 * and the number of runs each rests on), our numbers beside the published ones, what ran at which scale, on
 * which backend and in how much CPU time, and the pictures (metric against the swept parameter, perceived
 * distances, latent codes). Writes `report.html`, `claims.json` and `summary.md` (the same in Markdown).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { escapeHtml as esc, htmlPage, htmlTable } from '../viz/index.js';
import { stripPlotSvg, fmt3, type StripPoint } from '../sweep/plots.js';
import { writeFileAtomic } from '../util/fs.js';
import {
  checkClaim,
  comparePublished,
  getPath,
  matches,
  showValue,
  type ClaimResult,
  type SweepResults,
} from './claims.js';
import { formatSeconds, type Plan } from './plan.js';
import type { ExperimentDefinition } from './registry.js';
import type { Claim } from './schema.js';
import { sweepResults } from './results.js';
import { predictionSvg, type PredictionResult } from './prediction.js';
import { designLookup, readDesign, substituteDesigns, type DesignRecord } from './design.js';
import type { Published } from './schema.js';

/** One setting of a `distances` step's `<step>.json`: per factor, its perceived-distance statistics. */
export interface DistanceCase {
  label: string;
  published?: { factors: Record<string, { mean?: number; rank?: number }>; randomPairs?: number; source: string };
  factors: Array<{
    name: string;
    mean: number | null;
    std: number | null;
    rankCorrelation: number | null;
    verdict: string;
  }>;
  randomPairs: { mean: number | null };
}

const verdictClass = (v: string) => (v === 'holds' ? 'ordered' : v === 'does not hold' ? 'adversarial' : 'weak');
const num = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

function runSummary(results: Map<string, SweepResults>) {
  let done = 0,
    failed = 0,
    total = 0,
    cpu = 0;
  const backends = new Set<string>();
  const shapes = new Set<string>();
  for (const { rows, sweep } of results.values()) {
    total += rows.length;
    done += rows.filter((r) => r.state === 'done').length;
    failed += rows.filter((r) => r.state === 'failed' || r.state === 'lost').length;
    cpu += rows.reduce((a, r) => a + (r.cpu_s ?? 0), 0);
    for (const r of rows) if (r.backend) backends.add(r.backend);
    for (const r of sweep.runs)
      shapes.add(`${r.config.train.steps} steps, batch ${r.config.train.batchSize}, ${r.config.framework.name}`);
  }
  return { done, failed, total, cpuHours: cpu / 3600, backends: [...backends], shapes: [...shapes] };
}

/** The claim's metric against its parameter, every run a point, one colour per `per` group. */
function claimFigure(c: Claim, res: SweepResults): string | null {
  if (!('param' in c.test)) return null;
  const param = c.test.param;
  const rows = res.rows
    .map((r, i) => ({ r, config: res.sweep.runs[i].config, name: res.sweep.runs[i].name }))
    .filter((x) => x.r.state === 'done' && matches(x.config, c.where));
  const catOf = (x: (typeof rows)[number]) => showValue(getPath(x.config, param));
  const categories = [...new Set(rows.map(catOf))];
  const numeric = categories.every((s) => Number.isFinite(Number(s)));
  if (numeric) categories.sort((a, b) => Number(a) - Number(b));
  const groupOf = (x: (typeof rows)[number]) => (c.per ? showValue(getPath(x.config, c.per)) : 'all runs');
  const groups = [...new Set(rows.map(groupOf))];
  const points: StripPoint[] = rows.flatMap((x) => {
    const v = x.r[c.stat][c.metric];
    return Number.isFinite(v)
      ? [{ cat: categories.indexOf(catOf(x)), group: groups.indexOf(groupOf(x)), value: v, label: x.name }]
      : [];
  });
  if (!points.length) return null;
  return stripPlotSvg(categories, groups, points, {
    title: `${c.metric} (${c.stat}) against ${param}`,
    xLabel: param,
    yLabel: c.metric,
  });
}

function distancesHtml(cases: DistanceCase[]): string {
  return cases
    .map((c) => {
      const pub = c.published?.factors ?? {};
      const rows = c.factors.map((f) => [
        esc(f.name),
        num(f.mean, 4),
        pub[f.name]?.mean !== undefined ? num(pub[f.name].mean, 4) : '–',
        num(f.std, 4),
        num(f.rankCorrelation),
        pub[f.name]?.rank !== undefined ? num(pub[f.name].rank, 2) : '–',
        `<span class="${f.verdict}">${esc(f.verdict)}</span>`,
      ]);
      rows.push([
        'random pairs',
        num(c.randomPairs.mean, 4),
        c.published?.randomPairs !== undefined ? num(c.published.randomPairs, 4) : '–',
        '',
        '',
        '',
        '',
      ]);
      return (
        `<h3>${esc(c.label)}</h3>` +
        htmlTable(
          [
            'factor',
            'mean (ours)',
            'mean (published)',
            'std',
            'rank corr. (ours)',
            'rank corr. (published)',
            'verdict',
          ],
          rows,
        ) +
        (c.published ? `<p class="src">published: ${esc(c.published.source)}</p>` : '')
      );
    })
    .join('\n');
}

const rhoText = (v: number | null) => (v === null ? '–' : v.toFixed(3));

/** A design step's result as rows: the best, the paper's box blur, the base loss alone, then the runners-up. */
function designRows(d: DesignRecord): string[][] {
  const row = (what: string, c: DesignRecord['best']) => [
    what,
    c.spec,
    num(c.score),
    num(c.mean),
    num(c.scale, 2),
    c.beta.toPrecision(3),
  ];
  return [
    row('best', d.best),
    row("paper's box blur", d.paper),
    row('base loss', d.baseline),
    ...d.top.slice(1).map((c, i) => row(`#${i + 2}`, c)),
  ];
}
const designHead = ['', 'loss spec', 'score (worst factor)', 'mean over factors', 'scale vs base', 'β to train with'];
const designLine = (name: string, d: DesignRecord) =>
  `${name}: ${d.candidates} candidates in ${d.seconds.toFixed(0)} s${d.partial ? ' (stopped by its limit: partial)' : ''}, ` +
  `${d.sampling.traversals} traversals and ${d.sampling.pairs} pairs per factor`;

/** The prediction steps' results that exist, by step name. */
function predictions(out: string, plan: Plan): Array<{ name: string; result: PredictionResult }> {
  return plan.steps
    .filter((ps) => ps.step.kind === 'prediction' && existsSync(join(out, `${ps.step.name}.json`)))
    .map((ps) => ({
      name: ps.step.name,
      result: JSON.parse(readFileSync(join(out, `${ps.step.name}.json`), 'utf8')) as PredictionResult,
    }));
}

function predictionMarkdown(r: PredictionResult): string[] {
  const read = r.studies.filter((s) => s.state === 'read').map((s) => s.name);
  return [
    '',
    '## Does the perceived-distance score predict trained disentanglement?',
    '',
    `Cells: ${r.cells.length} run groups (finished runs; the same config but for the seed) of ${read.join(', ')}; ` +
      `score = the loss's worst-factor rank correlation on the cell's dataset (${r.sampling.traversals} traversals, ` +
      `${r.sampling.pairs} pairs per factor, seed ${r.sampling.seed}, as \`analyze\`).`,
    '',
    '| metric | Spearman ρ | 95 % bootstrap interval | cells |',
    '| --- | --- | --- | --- |',
    ...r.correlations.map(
      (c) => `| ${c.metric} (${r.stat}) | ${rhoText(c.rho)} | [${rhoText(c.low)}, ${rhoText(c.high)}] | ${c.n} |`,
    ),
    '',
    'Within one dataset, one study or one framework (no interval: few cells):',
    '',
    '| by | group | metric | ρ | cells |',
    '| --- | --- | --- | --- | --- |',
    ...r.breakdown.map((b) => `| ${b.by} | ${b.group} | ${b.metric} | ${rhoText(b.rho)} | ${b.n} |`),
    '',
    '| study | cell | runs | score (mean) | ' + r.correlations.map((c) => c.metric).join(' | ') + ' |',
    '| --- | --- | --- | --- | ' + r.correlations.map(() => '---').join(' | ') + ' |',
    ...r.cells.map(
      (c) =>
        `| ${c.study} | ${c.label} | ${c.runs} | ${rhoText(c.score)} (${rhoText(c.scoreMean)}) | ` +
        r.correlations.map((k) => rhoText(c.metrics[k.metric] ?? null)).join(' | ') +
        ' |',
    ),
    ...(r.notes.length ? ['', ...r.notes.map((n) => `- ${n}`)] : []),
  ];
}

function predictionHtml(r: PredictionResult): string {
  const read = r.studies.filter((s) => s.state === 'read').map((s) => s.name);
  return [
    '<h2>Does the perceived-distance score predict trained disentanglement?</h2>',
    `<p>${r.cells.length} cells (run groups of ${esc(read.join(', '))}, finished runs only); the score is the loss's ` +
      `worst-factor rank correlation on the cell's dataset (${r.sampling.traversals} traversals, ${r.sampling.pairs} pairs ` +
      `per factor, seed ${r.sampling.seed}, as <code>analyze</code>); the metric the median over the cell's seeds.</p>`,
    htmlTable(
      ['metric', 'Spearman ρ', '95 % bootstrap interval', 'cells'],
      r.correlations.map((c) => [
        esc(`${c.metric} (${r.stat})`),
        rhoText(c.rho),
        `[${rhoText(c.low)}, ${rhoText(c.high)}]`,
        String(c.n),
      ]),
    ),
    `<div class="figs">${r.correlations.map((c) => `<figure>${predictionSvg(r, c.metric)}</figure>`).join('')}</div>`,
    '<h3>Within one dataset, one study or one framework</h3>',
    htmlTable(
      ['by', 'group', 'metric', 'ρ', 'cells'],
      r.breakdown.map((b) => [esc(b.by), esc(b.group), esc(b.metric), rhoText(b.rho), String(b.n)]),
    ),
    '<h3>Cells</h3>',
    htmlTable(
      ['study', 'cell', 'runs', 'score', 'mean over factors', ...r.correlations.map((c) => esc(c.metric))],
      r.cells.map((c) => [
        esc(c.study),
        esc(c.label),
        String(c.runs),
        rhoText(c.score),
        rhoText(c.scoreMean),
        ...r.correlations.map((k) => rhoText(c.metrics[k.metric] ?? null)),
      ]),
    ),
    r.notes.length ? `<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '',
  ].join('\n');
}

function markdown(
  def: ExperimentDefinition,
  plan: Plan,
  claims: ClaimResult[],
  pub: ReturnType<typeof comparePublished>[],
  s: ReturnType<typeof runSummary>,
  distances: DistanceCase[][] = [],
  predicted: PredictionResult[] = [],
  designs: Array<[string, DesignRecord]> = [],
): string {
  const lines = [
    `# ${def.spec.title}`,
    '',
    `${def.spec.paper}. Scale **${plan.scale}**: ${plan.description}`,
    '',
    s.total
      ? `What ran: ${s.done} of ${s.total} runs done${s.failed ? `, ${s.failed} failed` : ''} (${s.shapes.join('; ')}), ` +
        `backend ${s.backends.join(', ') || '–'}, ${s.cpuHours.toFixed(2)} CPU hours` +
        (plan.budgetHours
          ? ` (budget ${plan.budgetHours} h wall-clock, estimate ${formatSeconds(plan.seconds)})`
          : '') +
        '.'
      : 'What ran: analysis only, no training.',
  ];
  if (claims.length)
    lines.push(
      '',
      '## Claims',
      '',
      '| claim | statistic | result | verdict |',
      '| --- | --- | --- | --- |',
      ...claims.map(
        (c) =>
          `| ${c.text} | ${c.statistic} | ${c.groups.map((g) => `${g.group ? `${g.group}: ` : ''}${g.detail}`).join('<br>')} | **${c.verdict}** |`,
      ),
    );
  for (const cases of distances)
    lines.push(
      '',
      '## Perceived distances (ours, published in brackets)',
      '',
      '| dataset and loss | factor | mean distance | std | rank corr. with ground truth | verdict |',
      '| --- | --- | --- | --- | --- | --- |',
      ...cases.flatMap((c) =>
        c.factors.map((f) => {
          const p = c.published?.factors[f.name];
          const withPub = (v: string, q: number | undefined) => (q === undefined ? v : `${v} (${q})`);
          return `| ${c.label} | ${f.name} | ${withPub(num(f.mean, 4), p?.mean)} | ${num(f.std, 4)} | ${withPub(num(f.rankCorrelation), p?.rank)} | ${f.verdict} |`;
        }),
      ),
      '',
      'Random pairs (mean perceived distance of two random observations): ' +
        cases
          .map(
            (c) =>
              `${c.label} ${num(c.randomPairs.mean, 4)}` +
              (c.published?.randomPairs !== undefined ? ` (${c.published.randomPairs})` : ''),
          )
          .join('; ') +
        '.',
    );
  for (const [name, d] of designs)
    lines.push(
      '',
      `## Designed loss: ${name}`,
      '',
      designLine(name, d) + '.',
      '',
      `| ${designHead.join(' | ')} |`,
      `| ${designHead.map(() => '---').join(' | ')} |`,
      ...designRows(d).map((r) => `| ${r.join(' | ')} |`),
    );
  for (const r of predicted) lines.push(...predictionMarkdown(r));
  if (pub.length)
    lines.push(
      '',
      '## Ours beside the published numbers',
      '',
      '| runs | metric | published | ours: median [IQR] (n) |',
      '| --- | --- | --- | --- |',
      ...pub.map(
        (p) =>
          `| ${Object.entries(p.where)
            .map(([k, v]) => `${k}=${showValue(v)}`)
            .join(
              ', ',
            )} | ${p.metric} (${p.stat}) | ${p.value} (${p.source}) | ${fmt3(p.ours.median)} [${fmt3(p.ours.q1)}, ${fmt3(p.ours.q3)}] (${p.ours.n}) |`,
      ),
    );
  return lines.join('\n') + '\n';
}

export async function writeExperimentReport(def: ExperimentDefinition, out: string, plan: Plan): Promise<string> {
  const results = new Map<string, SweepResults>();
  for (const ps of plan.steps)
    if (ps.step.kind === 'sweep') {
      const r = await sweepResults(out, ps.step.name);
      if (r) results.set(ps.step.name, r);
    }
  const predicted = predictions(out, plan);
  // claims and published numbers may name a designed loss: its spec once its design step has run
  const lookup = designLookup(out, def.spec.steps, new Set(), false);
  const claims = [
    ...def.spec.claims.map((c) => checkClaim(substituteDesigns(c, lookup) as Claim, results.get(c.sweep))),
    ...predicted.flatMap((p) => p.result.claims),
  ];
  const pub = def.spec.published.map((p) =>
    comparePublished(substituteDesigns(p, lookup) as Published, results.get(p.sweep)),
  );
  const designs = plan.steps.flatMap((ps): Array<[string, DesignRecord]> => {
    const d = ps.step.kind === 'design' ? readDesign(out, ps.step.name) : undefined;
    return d ? [[ps.step.name, d]] : [];
  });
  const s = runSummary(results);
  writeFileAtomic(
    join(out, 'claims.json'),
    JSON.stringify({ experiment: def.name, scale: plan.scale, runs: s, claims, published: pub }, null, 1),
  );
  const distances = plan.steps
    .filter((ps) => ps.step.kind === 'distances' && existsSync(join(out, `${ps.step.name}.json`)))
    .map((ps) => JSON.parse(readFileSync(join(out, `${ps.step.name}.json`), 'utf8')) as DistanceCase[]);
  writeFileAtomic(
    join(out, 'summary.md'),
    markdown(
      def,
      plan,
      claims,
      pub,
      s,
      distances,
      predicted.map((p) => p.result),
      designs,
    ),
  );

  const parts: string[] = [
    `<p><b>${esc(def.spec.paper)}</b>. ${esc(def.spec.description)}</p>`,
    `<ul class="hdr"><li>scale <b>${esc(plan.scale)}</b>: ${esc(plan.description)}</li>` +
      `<li>${s.done} of ${s.total} runs done${s.failed ? `, <b>${s.failed} failed</b>` : ''}: ${esc(s.shapes.join('; '))}</li>` +
      `<li>backend ${esc(s.backends.join(', ') || '–')}, ${s.cpuHours.toFixed(2)} CPU hours` +
      (plan.budgetHours
        ? ` (sized for ${plan.budgetHours} h wall-clock; estimate ${formatSeconds(plan.seconds)})`
        : '') +
      `</li><li>regenerate: <code>disentangle experiment run ${esc(def.name)} --scale ${esc(plan.scale)} --out ${esc(out)}</code></li></ul>`,
    '<h2>Claims</h2>',
    '<p class="note">Each claim is checked on the runs that exist, at the scale that ran; a claim that does not show at this scale is reported as such, with its numbers.</p>',
    htmlTable(
      ['claim', 'statistic', 'result', 'verdict'],
      claims.map((c) => [
        esc(c.text),
        esc(c.statistic),
        c.groups.map((g) => esc(`${g.group ? `${g.group}: ` : ''}${g.detail}`)).join('<br>'),
        `<span class="${verdictClass(c.verdict)}">${esc(c.verdict)}</span>`,
      ]),
    ),
  ];
  if (pub.length)
    parts.push(
      '<h2>Ours beside the published numbers</h2>',
      htmlTable(
        ['runs', 'metric', 'published', 'ours: median [IQR] (n)'],
        pub.map((p) => [
          esc(
            Object.entries(p.where)
              .map(([k, v]) => `${k}=${showValue(v)}`)
              .join(', '),
          ),
          esc(`${p.metric} (${p.stat})`),
          esc(`${p.value} (${p.source})`),
          esc(`${fmt3(p.ours.median)} [${fmt3(p.ours.q1)}, ${fmt3(p.ours.q3)}] (${p.ours.n})`),
        ]),
      ),
    );
  for (const ps of plan.steps) {
    const st = ps.step;
    if (st.kind === 'sweep') {
      const res = results.get(st.name);
      // two claims on the same metric, parameter and runs (e.g. two priors each against the isotropic one)
      // draw the same picture: the Set shows it once
      const figs = res
        ? [
            ...new Set(
              def.spec.claims
                .filter((c) => c.sweep === st.name)
                .map((c) => claimFigure(c, res))
                .filter((f): f is string => !!f),
            ),
          ]
        : [];
      const link = existsSync(join(out, st.name, 'report.html'))
        ? ` — <a href="${esc(relative(out, join(out, st.name, 'report.html')))}">the sweep's own report</a> (every metric, curves, tables)`
        : '';
      parts.push(
        `<h2>Sweep ${esc(st.name)}</h2><p>${res ? `${res.rows.length} runs` : 'not run yet'}${link}</p>`,
        figs.length ? `<div class="figs">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>` : '',
      );
    } else if (st.kind === 'distances') {
      const file = join(out, `${st.name}.json`);
      if (existsSync(file))
        parts.push(
          `<h2>Perceived distances</h2>`,
          distancesHtml(JSON.parse(readFileSync(file, 'utf8')) as DistanceCase[]),
        );
    } else if (st.kind === 'design') {
      const d = designs.find(([n]) => n === st.name)?.[1];
      if (d)
        parts.push(
          `<h2>Designed loss: ${esc(st.name)}</h2><p>${esc(designLine(st.name, d))}; dataset ` +
            `<code>${esc(JSON.stringify(d.dataset))}</code>. β by the scale rule: the base β × the loss's scale.</p>`,
          htmlTable(
            designHead,
            designRows(d).map((r) => r.map(esc)),
          ),
        );
    } else if (st.kind === 'prediction') {
      const p = predicted.find((x) => x.name === st.name);
      if (p) parts.push(predictionHtml(p.result));
    } else if (st.kind === 'latents') {
      const file = join(out, `${st.name}.svg`);
      if (existsSync(file)) parts.push(`<h2>Latent codes</h2><figure>${readFileSync(file, 'utf8')}</figure>`);
    } else if (st.kind === 'perturb') {
      if (existsSync(join(out, `${st.name}.npz`)))
        parts.push(
          `<p>Perturbation <code>${esc(st.name)}.npz</code> (ε = ${st.epsilon}, ${st.steps} optimisation steps): the 'perturbed' dataset variant reads it.</p>`,
        );
    }
  }
  const style =
    '<style>.hdr{padding-left:1.2em}.src{color:#777;font-size:12px}td{vertical-align:top}figure svg{background:#fff}</style>';
  const path = join(out, 'report.html');
  writeFileAtomic(path, htmlPage(def.spec.title, style + parts.join('\n')));
  return path;
}
