/**
 * Sweeps: a sweep's results (results.csv, or assembled from its run folders while it runs) as a metric
 * against a swept parameter, every seed a point and the median drawn per group; group by another parameter,
 * filter by values; a point opens its run. Below, the median and interquartile range per group.
 * (Longer than 300 lines: one view = its controls, state, worker or polling and drawing, which read best together.)
 */
import type { ViewContext } from '../types.js';
import { api, type SweepDetails, type SweepSummary } from '../lib/api.js';
import { clear, fmt, h, message, relativeTime } from '../ui/dom.js';
import { drawChart, PALETTE, type Series } from '../ui/chart.js';

type Row = Record<string, string | number | null>;

const META =
  /^(run|name|id|run_id|dir|path|seed|status|steps|step|error|cpu.*|time.*|seconds|wall.*|final_loss|loss)$/i;

/** Which columns are swept parameters and which are metrics. */
export function classify(d: SweepDetails): { params: string[]; metrics: string[] } {
  const cols = d.columns;
  const spec = d.spec ?? {};
  const fromSpec = new Set<string>();
  const grid = spec.grid ?? spec.spec?.grid;
  if (grid && typeof grid === 'object') {
    if (Array.isArray(grid)) {
      for (const g of grid) {
        if (typeof g === 'string') fromSpec.add(g.split('=')[0]);
        else if (g && typeof g === 'object')
          for (const k of Array.isArray(g.keys) ? g.keys : [g.key]) if (k) fromSpec.add(String(k));
      }
    } else for (const k of Object.keys(grid)) fromSpec.add(k);
  }
  const varies = (c: string) => new Set(d.rows.map((r) => String(r[c]))).size > 1;
  let params = cols.filter((c) => fromSpec.has(c));
  if (!params.length) params = cols.filter((c) => c.includes('.') && !META.test(c));
  if (!params.length) {
    const seedAt = cols.indexOf('seed');
    params = cols.slice(0, seedAt > 0 ? seedAt : 0).filter((c) => !META.test(c));
  }
  params = params.filter(varies).concat(params.filter((c) => !varies(c)));
  const metrics = cols.filter(
    (c) => !params.includes(c) && !META.test(c) && d.rows.some((r) => typeof r[c] === 'number'),
  );
  return { params, metrics };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const p = (s.length - 1) * q;
  const lo = Math.floor(p);
  return s[lo] + (s[Math.min(s.length - 1, lo + 1)] - s[lo]) * (p - lo);
}

export function mount(el: HTMLElement, ctx: ViewContext): () => void {
  const panel = h('aside.panel');
  const main = h('div.stack');
  el.append(panel, main);
  const list = h('div.list', { id: 'sweeps-list' });
  panel.append(h('h2', {}, 'Sweeps'), list);
  let current = ctx.params.get('id') ?? '';
  let sweeps: SweepSummary[] = [];
  let stopped = false;
  const ui = {
    x: ctx.params.get('x') ?? '',
    y: ctx.params.get('y') ?? '',
    group: ctx.params.get('group') ?? '',
    logX: ctx.params.get('logx'),
    logY: ctx.params.get('logy') === '1',
    excluded: new Set<string>((ctx.params.get('exclude') ?? '').split('|').filter(Boolean)),
  };

  async function loadList() {
    try {
      sweeps = (await api.index()).sweeps;
    } catch (e) {
      clear(main, message('error', (e as Error).message));
      return;
    }
    if (!current && sweeps.length) current = sweeps[0].id;
    clear(
      list,
      ...sweeps.map((s) =>
        h(
          'div.item',
          { className: `item${s.id === current ? ' selected' : ''}`, 'data-id': s.id, onclick: () => select(s.id) },
          h(
            'div',
            {},
            h('div.name', {}, s.id.split('/').slice(1).join('/') || s.id),
            h(
              'div.sub',
              {},
              `${s.runs} runs · ${s.hasResults ? 'results.csv' : 'in progress'} · ${relativeTime(s.updated)}`,
            ),
          ),
        ),
      ),
    );
    if (!sweeps.length) {
      list.append(h('div.hint', {}, 'none'));
      clear(
        main,
        h(
          'div.card.empty',
          {},
          h('h2', {}, 'No sweeps yet'),
          'A sweep folder holds sweep.json, runs/<name>/ and results.csv. ',
          h('code', {}, 'disentangle sweep … --out out/my-sweep'),
          ' makes one.',
        ),
      );
    }
  }

  let data: SweepDetails | null = null;
  /** The first drawing groups by the second swept parameter, unless the URL says otherwise. */
  let grouped = false;
  async function select(id: string) {
    current = id;
    for (const it of list.querySelectorAll<HTMLElement>('.item')) it.classList.toggle('selected', it.dataset.id === id);
    try {
      data = await api.sweep(id);
    } catch (e) {
      clear(main, message('error', (e as Error).message));
      return;
    }
    draw();
    ctx.drawn();
  }

  function save() {
    ctx.setParams({
      id: current,
      x: ui.x,
      y: ui.y,
      group: ui.group || undefined,
      logx: ui.logX ?? undefined,
      logy: ui.logY ? '1' : undefined,
      exclude: [...ui.excluded].join('|') || undefined,
    });
  }

  function draw() {
    if (!data || stopped) return;
    const d = data;
    const { params, metrics } = classify(d);
    if (!params.includes(ui.x)) ui.x = params[0] ?? d.columns[0];
    if (!metrics.includes(ui.y)) ui.y = metrics.find((m) => /mig/i.test(m)) ?? metrics[0] ?? '';
    if (ui.group === '' && !ctx.params.has('group') && !grouped) ui.group = params.find((p) => p !== ui.x) ?? '';
    grouped = true;
    if (ui.group && !params.includes(ui.group)) ui.group = '';
    if (ui.group === ui.x) ui.group = '';
    const select = (id: string, options: string[], value: string, on: (v: string) => void, none?: string) => {
      const s = h(
        'select',
        { id },
        ...(none ? [h('option', { value: '' }, none)] : []),
        ...options.map((o) => h('option', { value: o }, o)),
      );
      s.value = value;
      s.addEventListener('change', () => {
        on(s.value);
        save();
        draw();
      });
      return s;
    };
    const key = (c: string, v: unknown) => `${c}=${String(v)}`;
    const rows = d.rows.map((r, i) => ({ r, i })).filter(({ r }) => !params.some((c) => ui.excluded.has(key(c, r[c]))));
    const xs = rows.map(({ r }) => r[ui.x]);
    const numericX = xs.every((v) => typeof v === 'number');
    const cats = numericX ? undefined : [...new Set(xs.map(String))].sort();
    const positive = numericX && xs.every((v) => (v as number) > 0);
    const spread = positive ? Math.max(...(xs as number[])) / Math.min(...(xs as number[])) : 1;
    const logX = positive && (ui.logX === null ? spread >= 20 : ui.logX === '1');
    const groups = new Map<string, typeof rows>();
    for (const row of rows) {
      const g = ui.group ? String(row.r[ui.group]) : 'all runs';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(row);
    }
    const gnames = [...groups.keys()].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
    const series: Series[] = [];
    const stats: Array<{ g: string; x: string | number; n: number; med: number; q1: number; q3: number }> = [];
    gnames.forEach((g, k) => {
      const color = PALETTE[k % PALETTE.length];
      const rs = groups.get(g)!.filter(({ r }) => typeof r[ui.y] === 'number');
      const xval = (r: Row) => (cats ? cats.indexOf(String(r[ui.x])) : (r[ui.x] as number));
      // Groups side by side at each x (a small offset, in the axis's own scale), so their seeds do not hide each other.
      const shift = gnames.length > 1 ? (k - (gnames.length - 1) / 2) * 0.012 : 0;
      const xs = rs.map(({ r }) => xval(r));
      const span = cats ? cats.length : Math.max(...xs) - Math.min(...xs) || 1;
      const jitter = (x: number) => (logX ? x * 10 ** (shift * 0.5) : x + shift * span);
      series.push({
        name: ui.group ? `${ui.group} = ${g}` : g,
        color,
        kind: 'points',
        points: rs.map(({ r }) => [jitter(xval(r)), r[ui.y] as number]),
        payload: rs.map(({ r, i }) => ({ row: r, runId: d.runIds[i] })),
      });
      const byX = new Map<number, number[]>();
      for (const { r } of rs) {
        const x = xval(r);
        if (!byX.has(x)) byX.set(x, []);
        byX.get(x)!.push(r[ui.y] as number);
      }
      const med = [...byX.entries()].sort((a, b) => a[0] - b[0]);
      series.push({ name: `median ${g}`, color, faint: true, points: med.map(([x, v]) => [x, median(v)]) });
      for (const [x, v] of med)
        stats.push({
          g,
          x: cats ? cats[x] : x,
          n: v.length,
          med: median(v),
          q1: quantile(v, 0.25),
          q3: quantile(v, 0.75),
        });
    });
    const chart = drawChart(series, {
      xLabel: ui.x,
      yLabel: ui.y,
      logX,
      logY: ui.logY,
      xCategories: cats,
      height: 380,
      width: 900,
      onPointClick: (p) => {
        const runId = (p as { runId: string | null }).runId;
        if (runId) ctx.navigate('runs', { id: runId });
      },
      describe: (p, _x, y) => {
        const { row, runId } = p as { row: Row; runId: string | null };
        const ps = params.map((c) => `${c}=${row[c]}`).join(', ');
        return `${ps}, seed ${row.seed ?? '?'}: ${ui.y} ${fmt(y)}${runId ? ' — click to open the run' : ''}`;
      },
    });
    chart.id = 'sweep-chart';
    const logXcb = h('input', { type: 'checkbox', checked: logX, disabled: !positive });
    logXcb.addEventListener('change', () => {
      ui.logX = logXcb.checked ? '1' : '0';
      save();
      draw();
    });
    const logYcb = h('input', { type: 'checkbox', checked: ui.logY });
    logYcb.addEventListener('change', () => {
      ui.logY = logYcb.checked;
      save();
      draw();
    });
    const filters = h(
      'div',
      {},
      ...params
        .filter((c) => new Set(d.rows.map((r) => String(r[c]))).size > 1)
        .map((c) => {
          const vals = [...new Set(d.rows.map((r) => String(r[c])))].sort(
            (a, b) => Number(a) - Number(b) || a.localeCompare(b),
          );
          return h(
            'div.field',
            {},
            h('span.label-row', {}, c),
            h(
              'div.checks',
              {},
              ...vals.map((v) => {
                const cb = h('input', {
                  type: 'checkbox',
                  checked: !ui.excluded.has(key(c, v)),
                  'data-filter': key(c, v),
                });
                cb.addEventListener('change', () => {
                  if (cb.checked) ui.excluded.delete(key(c, v));
                  else ui.excluded.add(key(c, v));
                  save();
                  draw();
                });
                return h('label', {}, cb, v);
              }),
            ),
          );
        }),
    );
    const statuses = new Map<string, number>();
    for (const r of d.rows)
      statuses.set(String(r.status ?? 'unknown'), (statuses.get(String(r.status ?? 'unknown')) ?? 0) + 1);
    const missing = rows.length - rows.filter(({ r }) => typeof r[ui.y] === 'number').length;
    clear(
      main,
      h(
        'div.card',
        {},
        h(
          'div.toolbar',
          {},
          h('h2', { style: 'margin:0' }, d.id),
          h(
            'span.hint',
            {},
            `${d.rows.length} runs from ${d.source} · ${[...statuses].map(([s, n]) => `${n} ${s}`).join(', ')}`,
          ),
        ),
        ...d.errors.map((e) => message('note', e)),
        d.specError ? message('note', d.specError) : null,
        h(
          'div.toolbar',
          {},
          h(
            'label',
            {},
            'metric ',
            select('sweep-y', metrics, ui.y, (v) => (ui.y = v)),
          ),
          h(
            'label',
            {},
            'against ',
            select('sweep-x', params.length ? params : d.columns, ui.x, (v) => (ui.x = v)),
          ),
          h(
            'label',
            {},
            'group by ',
            select(
              'sweep-group',
              params.filter((p) => p !== ui.x),
              ui.group,
              (v) => (ui.group = v),
              'nothing',
            ),
          ),
          h('label', {}, logXcb, 'log x'),
          h('label', {}, logYcb, 'log y'),
        ),
        metrics.length
          ? chart
          : message('note', 'no metric columns yet: evaluate the runs (or wait for the sweep to finish)'),
        h(
          'div.hint',
          {},
          `every seed is a point; the line joins the medians${missing ? ` · ${missing} runs without ${ui.y}` : ''} · click a point to open its run`,
        ),
      ),
      h(
        'div.two',
        {},
        h(
          'div.card',
          {},
          h('h2', {}, 'Filter'),
          filters.childElementCount ? filters : h('div.hint', {}, 'no swept parameter varies'),
        ),
        h(
          'div.card',
          {},
          h('h2', {}, `${ui.y}: median and interquartile range`),
          h(
            'table',
            { id: 'sweep-table' },
            h(
              'thead',
              {},
              h('tr', {}, ...[ui.group || 'group', ui.x, 'n', 'median', 'IQR'].map((t) => h('th', {}, t))),
            ),
            h(
              'tbody',
              {},
              ...stats.map((s) =>
                h(
                  'tr',
                  {},
                  h('td', {}, s.g),
                  h('td', {}, String(s.x)),
                  h('td.num', {}, s.n),
                  h('td.num', {}, fmt(s.med)),
                  h('td.num', {}, `${fmt(s.q1)} – ${fmt(s.q3)}`),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  void (async () => {
    await loadList();
    if (current && sweeps.some((s) => s.id === current)) await select(current);
    else ctx.drawn();
  })();
  return () => {
    stopped = true;
  };
}
