/**
 * Datasets: every entry of the catalogue; a procedural one is rendered here by the toolkit's own dataset code
 * (a grid of random observations — the same indices as `data export --num N --seed S` — and one traversal per
 * factor), with its parameters as controls validated by its schema. File-based ones say what file they need.
 */
import type { ViewContext } from '../types.js';
import { clear, debounce, h, message } from '../ui/dom.js';
import { imageCanvas, tile } from '../ui/images.js';
import { schemaForm, type SchemaForm } from '../ui/form.js';
import { drawChart, PALETTE } from '../ui/chart.js';
import { datasets, datasetSchema, makeDataset, type CatalogueEntry, type GroundTruthDataset } from '../lib/registry.js';
import { renderObservations } from '../../../src/data/index.js';
import { Rng } from '../../../src/util/rng.js';

/** Pixels between tiles (mid-grey), as in the CLI's grids. */
export const GRID_PAD = 2;
const MAX_TRAVERSAL = 16;

export function mount(el: HTMLElement, ctx: ViewContext): void {
  const panel = h('aside.panel');
  const out = h('div.stack');
  el.append(panel, out);
  void (async () => {
    const cat = await datasets();
    const procedural = cat.filter((d) => d.kind === 'procedural');
    const files = cat.filter((d) => d.kind === 'file');
    let current = ctx.params.get('name') ?? 'xysquares';
    if (!cat.some((d) => d.name === current)) current = 'xysquares';
    const list = h('div.list', { role: 'listbox', 'aria-label': 'datasets' });
    const item = (d: CatalogueEntry) =>
      h(
        'div.item',
        { 'data-name': d.name, role: 'option', onclick: () => select(d.name) },
        h(
          'div',
          {},
          h('div.name', {}, d.name),
          h(
            'div.sub',
            {},
            d.kind === 'file' || !d.factors || !d.shape
              ? 'needs a file'
              : `${d.factors.length} factors · ${d.shape.join('×')} · ${size(d.factors).toLocaleString()} obs.`,
          ),
        ),
      );
    list.append(h('h3', {}, 'Procedural'), ...procedural.map(item), h('h3', {}, 'From files'), ...files.map(item));
    const formBox = h('div');
    const seedIn = h('input', { type: 'text', value: ctx.params.get('seed') ?? '0', id: 'ds-seed' });
    const numIn = h('input', { type: 'text', value: ctx.params.get('n') ?? '32', id: 'ds-num' });
    const status = h('div');
    panel.append(h('h2', {}, 'Datasets'), list);
    const title = h('h2');
    const settings = h(
      'div.card',
      {},
      title,
      h(
        'div.form-grid',
        {},
        formBox,
        h('div.field', {}, h('label', { for: 'ds-seed' }, 'seed'), seedIn),
        h('div.field', {}, h('label', { for: 'ds-num' }, 'observations'), numIn),
      ),
      status,
    );
    const views = h('div.stack');
    out.append(settings, views);
    let form: SchemaForm | null = null;
    const initialParams: Record<string, unknown> = {};
    for (const [k, v] of ctx.params) if (k.startsWith('p.')) initialParams[k.slice(2)] = v;

    const render = debounce(() => void draw(), 120);
    seedIn.addEventListener('input', render);
    numIn.addEventListener('input', render);

    async function select(name: string, initial: Record<string, unknown> = {}) {
      current = name;
      for (const it of list.querySelectorAll<HTMLElement>('.item'))
        it.classList.toggle('selected', it.dataset.name === name);
      const entry = cat.find((d) => d.name === name)!;
      title.textContent = `${name}: parameters`;
      form = schemaForm(await datasetSchema(name), render, initial);
      clear(formBox, form.element);
      if (entry.kind === 'file') {
        form = null;
        title.textContent = name;
        clear(formBox, h('div.hint', {}, 'parameters of file datasets are set in the CLI (--set path=…)'));
      }
      await draw();
    }

    async function draw() {
      const entry = cat.find((d) => d.name === current)!;
      clear(status);
      if (entry.kind === 'file') {
        ctx.setParams({ name: current });
        clear(views, fileCard(entry));
        ctx.drawn();
        return;
      }
      const seed = Number(seedIn.value);
      const num = Number(numIn.value);
      if (!Number.isInteger(seed)) return void status.append(message('error', 'seed must be an integer'));
      if (!Number.isInteger(num) || num < 1 || num > 256)
        return void status.append(message('error', 'observations must be an integer from 1 to 256'));
      const v = form!.validate();
      if (!v.ok) {
        status.append(message('error', v.message));
        views.classList.add('stale');
        return;
      }
      let ds: GroundTruthDataset;
      try {
        ds = await makeDataset(current, form!.values());
      } catch (e) {
        status.append(message('error', (e as Error).message));
        return;
      }
      views.classList.remove('stale');
      const given = form!.values();
      ctx.setParams({
        name: current,
        seed: String(seed),
        n: String(num),
        ...Object.fromEntries(Object.entries(given).map(([k, x]) => [`p.${k}`, String(x)])),
      });
      clear(views, summaryCard(ds), gridCard(ds, seed, num), traversalCard(ds, seed));
      ctx.drawn();
    }

    await select(current, initialParams);
  })();
}

function size(factors: NonNullable<CatalogueEntry['factors']>): number {
  return factors.reduce((a, f) => a * f.size, 1);
}

function summaryCard(ds: GroundTruthDataset): HTMLElement {
  return h(
    'div.card',
    {},
    h('h2', {}, ds.name),
    h(
      'div.stats',
      {},
      stat('observations', ds.size.toLocaleString()),
      stat('shape (H×W×C)', ds.obsShape.join('×')),
      ...ds.factors.map((f) => stat(f.name, `${f.size} values`)),
    ),
    h('div.hint', {}, `parameters: ${JSON.stringify(ds.params)}`),
  );
}

function stat(k: string, v: string): HTMLElement {
  return h('div.stat', {}, h('div.v', {}, v), h('div.k', {}, k));
}

/** Random observations: the indices `data export --num N --seed S` writes. */
function gridCard(ds: GroundTruthDataset, seed: number, num: number): HTMLElement {
  const idx = ds.stateSpace.sampleIndices(num, new Rng(seed));
  const x = renderObservations(ds, idx);
  const [hh, ww] = ds.obsShape;
  if (hh * ww <= 4) return pointsCard(ds, seed);
  const cols = Math.min(num, 8);
  const scale = ww <= 32 ? 3 : ww <= 64 ? 2 : 1;
  const canvas = imageCanvas(tile(x, num, ds.obsShape, cols, GRID_PAD), scale, 'observations');
  canvas.id = 'obs-grid';
  canvas.dataset.indices = Array.from(idx).join(',');
  canvas.dataset.cols = String(cols);
  canvas.dataset.pad = String(GRID_PAD);
  return h(
    'div.card',
    {},
    h('h2', {}, `${num} random observations`),
    h(
      'div.hint',
      {},
      `seed ${seed}: the same observations as `,
      h('code', {}, `disentangle data export ${ds.name} --num ${num} --seed ${seed}`),
    ),
    h('div', { style: 'margin-top:10px; overflow:auto' }, canvas),
  );
}

/** Low-dimensional observations (e.g. pinwheel's 2-D points) as a scatter plot coloured by the first factor. */
function pointsCard(ds: GroundTruthDataset, seed: number): HTMLElement {
  const idx = ds.stateSpace.sampleIndices(Math.min(ds.size, 2000), new Rng(seed));
  const x = renderObservations(ds, idx);
  const D = ds.obsShape[0] * ds.obsShape[1] * ds.obsShape[2];
  const f0 = ds.factors[0];
  const groups = new Map<number, Array<[number, number]>>();
  const fac = new Int32Array(ds.factors.length);
  idx.forEach((id, i) => {
    const g = ds.stateSpace.toFactors(id, fac)[0];
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push([x[i * D], x[i * D + 1]]);
  });
  const series = [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([g, pts], k) => ({ name: `${f0.name} ${g}`, points: pts, kind: 'points' as const, color: PALETTE[k % 8] }));
  return h('div.card', {}, h('h2', {}, `${idx.length} observations (2-D points)`), drawChart(series, { height: 360 }));
}

/** One row per factor, traversed from one random start (at most 16 evenly spaced values). */
function traversalCard(ds: GroundTruthDataset, seed: number): HTMLElement {
  const [hh, ww, cc] = ds.obsShape;
  if (hh * ww <= 4) return h('div');
  // As `data traverse --seed S`: the start point is the first draw of Rng(seed).
  const rng = new Rng(seed);
  const start = ds.stateSpace.sampleFactors(1, rng);
  const D = hh * ww * cc;
  const rows = h('div.traversal-rows');
  const scale = ww <= 32 ? 2 : 1;
  ds.factors.forEach((f, k) => {
    const L = Math.min(f.size, MAX_TRAVERSAL);
    const vals = Array.from({ length: L }, (_, i) => (L === f.size ? i : Math.round((i * (f.size - 1)) / (L - 1))));
    const imgs = new Float32Array(L * D);
    const fac = Int32Array.from(start);
    vals.forEach((v, i) => {
      fac[k] = v;
      ds.renderInto(ds.stateSpace.toIndex(fac), imgs, i * D);
    });
    const c = imageCanvas(tile(imgs, L, ds.obsShape, L, GRID_PAD), scale, `traversal of ${f.name}`);
    rows.append(
      h('div.fname', {}, h('b', {}, f.name), h('br'), `${f.size} values${L < f.size ? ` (${L} shown)` : ''}`),
      c,
    );
  });
  return h(
    'div.card',
    {},
    h('h2', {}, 'Traversals'),
    h(
      'div.hint',
      { style: 'margin-bottom:10px' },
      `each row changes one factor from the same start point (${Array.from(start).join(', ')})`,
    ),
    h('div', { style: 'overflow:auto' }, rows),
  );
}

function fileCard(d: CatalogueEntry): HTMLElement {
  return h(
    'div.card',
    {},
    h('h2', {}, d.name),
    h('p', {}, d.description),
    d.factors && d.shape
      ? h('div.stats', {}, stat('shape', d.shape.join('×')), ...d.factors.map((f) => stat(f.name, `${f.size} values`)))
      : h('p.hint', {}, 'factors and shape come from your file'),
    d.needs ? h('p', {}, 'Needs: ', h('code', {}, d.needs)) : '',
    message(
      'note',
      'This dataset is read from a file on your machine, which the page cannot open. In the CLI, put the file under data/ ' +
        '(or $DISENTANGLE_DATA_DIR), or pass --set path=…; then `disentangle data grid ' +
        d.name +
        ' --out grid.png` shows it.',
    ),
  );
}
