/**
 * Perceived distances (Michlo et al.): a dataset, its parameters and a loss spec → per-factor distance
 * matrices beside the ground truth, mean/std, rank correlation and verdict — computed in a worker by the same
 * analysis code as `disentangle analyze`, so the numbers equal `analyze --json` for the same settings.
 * Changing a parameter (XYSquares' spacing, the blur radius) recomputes at once.
 * (Longer than 300 lines: one view = its controls, state, worker or polling and drawing, which read best together.)
 */
import type { ViewContext } from '../types.js';
import { clear, debounce, fmt, h, message } from '../ui/dom.js';
import { schemaForm, type SchemaForm } from '../ui/form.js';
import { heatmap } from '../ui/heatmap.js';
import { drawChart } from '../ui/chart.js';
import { datasets, datasetSchema, lossForms } from '../lib/registry.js';
import { perceivedDefaults, verdictThresholds } from '../../../src/analysis/perceived.js';
import type { DistanceJob } from '../workers/distances.worker.js';

interface Summary {
  dataset: string;
  params: Record<string, unknown>;
  loss: string;
  factors: Array<{
    name: string;
    size: number;
    mean: number | null;
    std: number | null;
    rankCorrelation: number | null;
    linearCorrelation: number | null;
    verdict: string;
  }>;
  randomPairs: { mean: number | null; std: number | null };
  traversals: number;
  pairs: number;
  notes: string[];
}

interface Result {
  type: 'result';
  summary: Summary;
  matrices: Array<{ name: string; values: number[]; matrix: Float64Array }>;
  seconds: number;
  backend: string;
  reasons: string[];
}

const BASES = ['mse', 'mae', 'bce', 'bernoulli', 'cbernoulli', 'normal', 'laplace'];

export function mount(el: HTMLElement, ctx: ViewContext): () => void {
  const panel = h('aside.panel');
  const out = h('div.stack');
  el.append(panel, out);
  let worker: Worker | null = null;
  let busy = false;
  const stop = () => {
    worker?.terminate();
    worker = null;
    busy = false;
  };
  void (async () => {
    const cat = (await datasets()).filter((d) => d.kind === 'procedural' && !!d.shape && d.shape[0] * d.shape[1] > 4);
    const p = ctx.params;
    const dsSel = h('select', { id: 'pd-dataset' }, ...cat.map((d) => h('option', { value: d.name }, d.name)));
    dsSel.value = cat.some((d) => d.name === p.get('dataset')) ? p.get('dataset')! : 'xysquares';
    const formBox = h('div');
    // The loss: a base, an optional blur kernel with radius and weight, or any spec typed by hand.
    const baseSel = h('select', { id: 'pd-base' }, ...BASES.map((b) => h('option', { value: b }, b)));
    const kernelSel = h(
      'select',
      { id: 'pd-kernel' },
      ...['none', 'box', 'gauss'].map((k) => h('option', { value: k }, k === 'none' ? 'no blur term' : `+ ${k} blur`)),
    );
    const radius = h('input', { type: 'range', min: 1, max: 32, value: 31, id: 'pd-radius' });
    const radiusOut = h('span.badge', {}, '31');
    const weightIn = h('input', { type: 'text', id: 'pd-weight', placeholder: 'auto: (2r+1)²' });
    const specIn = h('input', { type: 'text', id: 'pd-loss', spellcheck: false, autocomplete: 'off' });
    const kernelBox = h(
      'div',
      {},
      h('div.field', {}, h('label', { for: 'pd-radius' }, 'blur radius r '), h('div.row', {}, radius, radiusOut)),
      h('div.field', {}, h('label', { for: 'pd-weight' }, 'blur term weight'), weightIn),
    );
    const num = (id: string, label: string, value: number) =>
      h('div.field', {}, h('label', { for: id }, label), h('input', { type: 'text', id, value: String(value) }));
    const sampling = h(
      'div',
      {},
      h(
        'div.row',
        {},
        num('pd-traversals', 'traversals / factor', Number(p.get('traversals') ?? perceivedDefaults.traversals)),
        num('pd-seed', 'seed', Number(p.get('seed') ?? 0)),
      ),
      h(
        'div.row',
        {},
        num('pd-pairs', 'pairs / factor', Number(p.get('pairs') ?? perceivedDefaults.pairs)),
        num('pd-random', 'random pairs', Number(p.get('randomPairs') ?? perceivedDefaults.randomPairs)),
      ),
    );
    const auto = h('input', { type: 'checkbox', id: 'pd-auto', checked: true });
    const runBtn = h('button.primary', { id: 'pd-run' }, 'Compute');
    const status = h('div');
    const progress = h('div.progress', {}, h('div'));
    progress.hidden = true;
    panel.append(
      h('h2', {}, 'Perceived distances'),
      h('div.field', {}, h('label', { for: 'pd-dataset' }, 'dataset'), dsSel),
      formBox,
      h('h3', {}, 'Reconstruction loss'),
      h('div.row', {}, h('div.field', {}, baseSel), h('div.field', {}, kernelSel)),
      kernelBox,
      h('div.field', {}, h('label', { for: 'pd-loss' }, 'loss spec'), specIn, h('div.hint', {}, lossForms.join(' · '))),
      h('h3', {}, 'Sampling'),
      sampling,
      h('div.row', {}, runBtn, h('label.hint', {}, auto, ' recompute on change')),
      progress,
      status,
    );
    const val = (id: string) => (panel.querySelector(`#${id}`) as HTMLInputElement).value.trim();

    // Loss spec ↔ builder.
    const fromSpec = (spec: string) => {
      const m = /^([a-z]+)(?::[0-9.eE+-]+)?(?:\+(box|gauss)(\d+)@([0-9.eE+-]+))?$/.exec(spec.trim().toLowerCase());
      if (!m) return;
      if (BASES.includes(m[1])) baseSel.value = m[1];
      kernelSel.value = m[2] ?? 'none';
      if (m[3]) {
        radius.value = m[3];
        radiusOut.textContent = m[3];
        weightIn.value = Number(m[4]) === (2 * Number(m[3]) + 1) ** 2 ? '' : m[4];
      }
      kernelBox.hidden = !m[2];
    };
    const toSpec = () => {
      const r = Number(radius.value);
      radiusOut.textContent = String(r);
      kernelBox.hidden = kernelSel.value === 'none';
      const w = weightIn.value.trim() || String((2 * r + 1) ** 2);
      specIn.value = kernelSel.value === 'none' ? baseSel.value : `${baseSel.value}+${kernelSel.value}${r}@${w}`;
    };
    specIn.value = p.get('loss') ?? 'mse';
    fromSpec(specIn.value);

    let form: SchemaForm | null = null;
    const changed = debounce(() => {
      if (auto.checked) run();
    }, 250);
    for (const x of [baseSel, kernelSel, radius, weightIn])
      x.addEventListener(x === radius || x === weightIn ? 'input' : 'change', () => {
        toSpec();
        changed();
      });
    specIn.addEventListener('input', () => {
      fromSpec(specIn.value);
      changed();
    });
    for (const id of ['pd-traversals', 'pd-seed', 'pd-pairs', 'pd-random'])
      panel.querySelector(`#${id}`)!.addEventListener('input', changed);
    runBtn.addEventListener('click', () => run());

    const initial: Record<string, unknown> = {};
    for (const [k, v] of p) if (k.startsWith('p.')) initial[k.slice(2)] = v;
    const setDataset = async (init: Record<string, unknown> = {}) => {
      form = schemaForm(await datasetSchema(dsSel.value), changed, init);
      clear(formBox, form.element);
    };
    dsSel.addEventListener('change', async () => {
      await setDataset();
      changed();
    });
    await setDataset(initial);

    function run() {
      clear(status);
      const v = form!.validate();
      const ints: Record<string, number> = {};
      const bad: string[] = [];
      for (const [id, key, min] of [
        ['pd-traversals', 'traversals', 1],
        ['pd-pairs', 'pairs', 1],
        ['pd-random', 'randomPairs', 1],
        ['pd-seed', 'seed', -Infinity],
      ] as const) {
        const n = Number(val(id));
        if (!Number.isInteger(n) || n < min) bad.push(`${key} must be an integer${min > 0 ? ' ≥ 1' : ''}`);
        ints[key] = n;
      }
      if (!v.ok) bad.unshift(v.message);
      if (!specIn.value.trim()) bad.push('give a loss spec, e.g. mse or mse+box31@3969');
      if (bad.length) return void status.append(message('error', bad.join('; ')));
      const job: DistanceJob = {
        type: 'run',
        dataset: dsSel.value,
        params: form!.values(),
        loss: specIn.value.trim(),
        traversals: ints.traversals,
        pairs: ints.pairs,
        randomPairs: ints.randomPairs,
        seed: ints.seed,
        backend: 'wasm',
      };
      ctx.setParams({
        dataset: job.dataset,
        loss: job.loss,
        traversals: String(job.traversals),
        pairs: String(job.pairs),
        randomPairs: String(job.randomPairs),
        seed: String(job.seed),
        ...Object.fromEntries(Object.entries(job.params).map(([k, x]) => [`p.${k}`, String(x)])),
      });
      // A running job is abandoned (its worker ended) rather than waited for.
      if (busy) stop();
      worker ??= new Worker(new URL('../workers/distances.worker.ts', import.meta.url), { type: 'module' });
      busy = true;
      out.classList.add('stale');
      progress.hidden = false;
      (progress.firstChild as HTMLElement).style.width = '0';
      runBtn.textContent = 'Computing…';
      const w = worker;
      w.onmessage = (ev: MessageEvent) => {
        if (w !== worker) return;
        const m = ev.data;
        if (m.type === 'progress') (progress.firstChild as HTMLElement).style.width = `${(100 * m.done) / m.total}%`;
        else {
          busy = false;
          progress.hidden = true;
          runBtn.textContent = 'Compute';
          out.classList.remove('stale');
          if (m.type === 'error') status.append(message('error', m.message));
          else {
            clear(out, ...results(m as Result));
            ctx.drawn();
          }
        }
      };
      w.onerror = (e) => {
        status.append(message('error', `the worker failed: ${e.message}`));
        stop();
      };
      w.postMessage(job);
    }
    clear(out, h('div.card.empty', {}, 'computing the first analysis…'));
    run();
  })();
  return stop;
}

function verdictBadge(v: string): HTMLElement {
  return h(`span.badge.${v}` as 'span', {}, v);
}

function results(r: Result): HTMLElement[] {
  const s = r.summary;
  const adversarial = s.factors.filter((f) => f.verdict === 'adversarial');
  const head = h(
    'div.card',
    { id: 'pd-result', 'data-json': JSON.stringify(s) },
    h('h2', {}, `${s.dataset} under `, h('code', {}, s.loss)),
    h(
      'div.hint',
      {},
      `parameters ${JSON.stringify(s.params)} · ${s.traversals} traversals per factor · ${s.pairs.toLocaleString()} pairs · ${r.seconds.toFixed(1)} s on ${r.backend}`,
    ),
    adversarial.length
      ? message(
          'error',
          `${adversarial.length} of ${s.factors.length} factors are adversarial for ${s.loss} (${adversarial.map((f) => f.name).join(', ')}): ${r.reasons[s.factors.indexOf(adversarial[0])]}.`,
        )
      : message('ok', `No factor is adversarial for ${s.loss}: perceived distances carry the factors' ordering.`),
    table(s),
    ...s.notes.map((n) => h('div.hint', {}, `note: ${n}`)),
  );
  const bars = drawChart(
    [
      {
        name: 'mean perceived distance (± std)',
        kind: 'points',
        errors: s.factors.map((f) => f.std ?? 0),
        points: s.factors.map((f, i) => [i, f.mean ?? NaN] as [number, number]),
      },
      {
        name: 'random pairs',
        dashed: true,
        color: '#e4572e',
        points: [
          [-0.5, s.randomPairs.mean ?? NaN],
          [s.factors.length - 0.5, s.randomPairs.mean ?? NaN],
        ],
      },
    ],
    { xCategories: s.factors.map((f) => f.name), yLabel: 'perceived distance', height: 220, width: 560 },
  );
  const mats = h('div.matrices');
  r.matrices.forEach((m, k) => {
    const L = m.values.length;
    const gt = new Float64Array(L * L);
    for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) gt[i * L + j] = Math.abs(m.values[i] - m.values[j]);
    const labels = m.values.map(String);
    const f = s.factors[k];
    mats.append(
      h(
        'div.pair',
        { 'data-factor': m.name },
        h(
          'div',
          {},
          h('div.pair-title', {}, m.name, verdictBadge(f.verdict)),
          h('div.hint', {}, `rank corr. ${fmt(f.rankCorrelation, 3)} · mean ${fmt(f.mean)}`),
          h(
            'div.row',
            { style: 'align-items:flex-start; margin-top:6px' },
            heatmap(m.matrix, L, L, { title: 'perceived', min: 0, rowLabels: labels, colLabels: labels, size: 170 }),
            heatmap(gt, L, L, { title: 'ground truth |i − j|', rowLabels: labels, colLabels: labels, size: 170 }),
          ),
        ),
      ),
    );
  });
  return [
    head,
    h(
      'div.card',
      {},
      h('h2', {}, 'Traversal distance matrices'),
      h(
        'div.hint',
        { style: 'margin-bottom:10px' },
        'averaged over the random traversals; a loss that orders a factor shows a matrix like its ground truth, a constant off-diagonal means no ordering to learn',
      ),
      mats,
    ),
    h(
      'div.card',
      {},
      h('h2', {}, 'Perceived distance per factor'),
      bars,
      h(
        'div.hint',
        {},
        `verdict: adversarial when the off-diagonal distances are near constant (std/mean < ${verdictThresholds.constantCv}) or the rank correlation is below ${verdictThresholds.adversarialRank}; weak below ${verdictThresholds.weakRank}; else ordered`,
      ),
    ),
  ];
}

function table(s: Summary): HTMLElement {
  const num = (v: number | null, d = 4) => h('td.num', {}, v === null ? 'n/a' : v.toFixed(d));
  return h(
    'table',
    { id: 'pd-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['factor', 'size', 'mean', 'std', 'rank corr.', 'linear corr.', 'verdict'].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      ...s.factors.map((f) =>
        h(
          'tr',
          { 'data-factor': f.name },
          h('td', {}, f.name),
          h('td.num', {}, f.size),
          num(f.mean),
          num(f.std),
          num(f.rankCorrelation, 3),
          num(f.linearCorrelation, 3),
          h('td', {}, verdictBadge(f.verdict)),
        ),
      ),
      h(
        'tr',
        {},
        h('td', {}, 'random pairs'),
        h('td'),
        num(s.randomPairs.mean),
        num(s.randomPairs.std),
        h('td'),
        h('td'),
        h('td'),
      ),
    ),
  );
}
