/**
 * Runs: the run folders under the served directories. Tick several to overlay their curves; the focused run
 * shows its settings, progress, pictures, metrics during training (metrics.jsonl) and at the end (eval.json),
 * and its MI / DCI-importance matrices. Logs are polled once a second from the byte offset already read, so a
 * run that is training updates live; a half-written last line waits for its newline.
 * (Longer than 300 lines: one view = its controls, state, worker or polling and drawing, which read best together.)
 */
import type { ViewContext } from '../types.js';
import { api, type LogChunk, type RunDetails, type RunSummary } from '../lib/api.js';
import { clear, fmt, h, message, relativeTime } from '../ui/dom.js';
import { drawChart, PALETTE, type Series } from '../ui/chart.js';
import { heatmap } from '../ui/heatmap.js';

const POLL_MS = 1000;
const INDEX_MS = 5000;

interface Log {
  records: Array<Record<string, number>>;
  next: number;
  errors: string[];
}

interface RunState {
  train: Log;
  metrics: Log;
}

export function mount(el: HTMLElement, ctx: ViewContext): () => void {
  const panel = h('aside.panel');
  const main = h('div.stack');
  el.append(panel, main);
  const state = new Map<string, RunState>();
  let runs: RunSummary[] = [];
  let focused = ctx.params.get('id') ?? '';
  const overlay = new Set((ctx.params.get('overlay') ?? '').split(',').filter(Boolean));
  if (focused) overlay.add(focused);
  let metric = ctx.params.get('metric') ?? 'loss';
  let logY = ctx.params.get('log') !== '0';
  let details: RunDetails | null = null;
  let detailsError = '';
  let stopped = false;
  const timers: Array<ReturnType<typeof setInterval>> = [];

  const filter = h('input', { type: 'text', placeholder: 'filter runs', id: 'runs-filter' });
  const list = h('div.list', { id: 'runs-list' });
  const indexMsg = h('div');
  panel.append(h('h2', {}, 'Runs'), filter, h('div', { style: 'height:8px' }), list, indexMsg);
  filter.addEventListener('input', () => drawList());

  const curvesCard = h('div.card', { id: 'curves' });
  const runCard = h('div.stack', { id: 'run' });
  main.append(curvesCard, runCard);

  const save = () =>
    ctx.setParams({
      id: focused || undefined,
      overlay: [...overlay].filter((x) => x !== focused).join(',') || undefined,
      metric: metric === 'loss' ? undefined : metric,
      log: logY ? undefined : '0',
    });

  async function loadIndex() {
    try {
      const idx = await api.index();
      runs = idx.runs;
      clear(indexMsg, ...idx.warnings.map((w) => message('note', w)));
      if (!runs.length)
        clear(
          main,
          h(
            'div.card.empty',
            {},
            h('h2', {}, 'No runs yet'),
            `Nothing under ${idx.roots.map((r) => r.path).join(', ')} holds a run folder (config.json and train.jsonl). `,
            h('br'),
            'Train one with ',
            h('code', {}, 'disentangle train --out out/my-run'),
            ' (the page shows it live), or ',
            h('a', { href: '#/train' }, 'train in the browser'),
            '.',
          ),
        );
      else if (!main.contains(curvesCard)) clear(main, curvesCard, runCard);
      if (!focused && runs.length) {
        // The newest run that is not part of a sweep, else the newest of all.
        const newest = [...runs].sort((a, b) => Number(!!a.sweep) - Number(!!b.sweep) || b.updated - a.updated);
        focused = newest[0].id;
        overlay.add(focused);
      }
      drawList();
    } catch (e) {
      clear(indexMsg, message('error', (e as Error).message));
    }
  }

  function drawList() {
    const q = filter.value.trim().toLowerCase();
    const shown = runs.filter((r) => !q || `${r.id} ${r.dataset} ${r.framework}`.toLowerCase().includes(q));
    const item = (r: RunSummary) => {
      const cb = h('input', { type: 'checkbox', checked: overlay.has(r.id), title: 'overlay its curves' });
      cb.addEventListener('click', (ev) => {
        ev.stopPropagation();
        if (cb.checked) overlay.add(r.id);
        else overlay.delete(r.id);
        save();
        void poll();
      });
      const progress = r.steps && r.step !== undefined ? `${r.step}/${r.steps}` : (r.step ?? '');
      return h(
        'div.item',
        {
          className: `item${r.id === focused ? ' selected' : ''}`,
          'data-id': r.id,
          onclick: () => {
            focused = r.id;
            overlay.add(r.id);
            details = null;
            save();
            drawList();
            void poll().then(loadDetails);
          },
        },
        cb,
        h(
          'div',
          { style: 'min-width:0; flex:1' },
          h('div.name', { title: r.id }, r.sweep ? r.name : r.id.split('/').slice(1).join('/') || r.id),
          h(
            'div.sub',
            {},
            [r.dataset, r.framework].filter(Boolean).join(' · ') || r.error || '',
            progress !== '' ? ` · step ${progress}` : '',
          ),
        ),
        h(`span.badge.${r.status}` as 'span', {}, r.status),
      );
    };
    // Runs of a sweep are folded under it; the others are listed newest first.
    const loose = shown.filter((r) => !r.sweep).sort((a, b) => b.updated - a.updated);
    const bySweep = new Map<string, RunSummary[]>();
    for (const r of shown) if (r.sweep) bySweep.set(r.sweep, [...(bySweep.get(r.sweep) ?? []), r]);
    clear(
      list,
      ...loose.map(item),
      ...[...bySweep].map(([sweep, rs]) => {
        const box = h(
          'details',
          { open: rs.some((r) => r.id === focused || overlay.has(r.id)) || !!q },
          h(
            'summary',
            {},
            h('b', {}, sweep.split('/').slice(1).join('/')),
            h('span.hint', {}, ` sweep · ${rs.length} runs`),
          ),
          ...rs.map(item),
        );
        return box;
      }),
    );
    if (!shown.length && runs.length) list.append(h('div.hint', {}, 'no run matches the filter'));
  }

  async function readLog(id: string, file: 'train' | 'metrics', log: Log) {
    let chunk: LogChunk;
    do {
      chunk = await api.log(id, file, log.next);
      if (chunk.reset) {
        log.records = [];
        log.errors = [];
      }
      log.records.push(...chunk.records);
      log.errors.push(...chunk.errors);
      log.next = chunk.next;
    } while (chunk.next < chunk.size && chunk.records.length > 0 && !chunk.partial);
  }

  let polling = false;
  async function poll() {
    // One poll at a time: two reading from the same offset would add the same lines twice.
    if (polling) return;
    polling = true;
    try {
      await pollOnce();
    } finally {
      polling = false;
    }
  }

  async function pollOnce() {
    const ids = [...overlay].filter((id) => runs.some((r) => r.id === id) || id === focused);
    let grew = false;
    await Promise.all(
      ids.map(async (id) => {
        const st = state.get(id) ?? {
          train: { records: [], next: 0, errors: [] },
          metrics: { records: [], next: 0, errors: [] },
        };
        state.set(id, st);
        const before = st.train.records.length + st.metrics.records.length;
        try {
          await readLog(id, 'train', st.train);
          await readLog(id, 'metrics', st.metrics);
        } catch (e) {
          st.train.errors = [(e as Error).message];
        }
        if (st.train.records.length + st.metrics.records.length !== before) grew = true;
      }),
    );
    if (stopped) return;
    drawCurves();
    if (grew && focused) void loadDetails();
  }

  function drawCurves() {
    const ids = [...overlay].filter((id) => state.has(id));
    const keys = new Set<string>();
    for (const id of ids)
      for (const r of state.get(id)!.train.records.slice(-50))
        for (const k of Object.keys(r)) if (k !== 'step') keys.add(k);
    if (!keys.has(metric) && keys.size) metric = keys.has('loss') ? 'loss' : [...keys][0];
    const sel = h('select', { id: 'curve-metric' }, ...[...keys].map((k) => h('option', { value: k }, k)));
    sel.value = metric;
    sel.addEventListener('change', () => {
      metric = sel.value;
      save();
      drawCurves();
    });
    const logCb = h('input', { type: 'checkbox', checked: logY, id: 'curve-log' });
    logCb.addEventListener('change', () => {
      logY = logCb.checked;
      save();
      drawCurves();
    });
    const series: Series[] = ids.map((id, k) => ({
      name: id.split('/').slice(1).join('/') || id,
      color: PALETTE[k % PALETTE.length],
      points: state
        .get(id)!
        .train.records.filter((r) => typeof r[metric] === 'number')
        .map((r) => [r.step, r[metric]] as [number, number]),
    }));
    const errors = ids.flatMap((id) =>
      state
        .get(id)!
        .train.errors.slice(-3)
        .map((e) => `${id}: ${e}`),
    );
    clear(
      curvesCard,
      h(
        'div.toolbar',
        {},
        h('h2', { style: 'margin:0' }, 'Training curves'),
        h('label', {}, 'value ', sel),
        h('label', {}, logCb, 'log scale'),
        h('span.hint', {}, ids.length > 1 ? `${ids.length} runs overlaid` : 'tick runs on the left to overlay them'),
      ),
      drawChart(series, { xLabel: 'step', yLabel: metric, logY, height: 320, width: 900 }),
      ...errors.map((e) => message('note', `skipped a line of train.jsonl — ${e}`)),
    );
  }

  async function loadDetails() {
    if (!focused) return;
    const id = focused;
    try {
      const d = await api.run(id);
      if (id !== focused) return;
      details = d;
      detailsError = '';
    } catch (e) {
      details = null;
      detailsError = (e as Error).message;
    }
    drawRun();
  }

  function drawRun() {
    if (detailsError) return void clear(runCard, message('error', detailsError));
    const d = details;
    if (!d) return;
    const st = state.get(d.id);
    const c = d.config ?? {};
    const last = st?.train.records[st.train.records.length - 1];
    const step = last?.step ?? d.step ?? 0;
    const total = c.train?.steps ?? d.steps ?? 0;
    const pct = total ? Math.min(100, (100 * step) / total) : 0;
    const bar = h('div.progress', {}, h('div'));
    (bar.firstChild as HTMLElement).style.width = `${pct}%`;
    const { name: dsName, ...dsParams } = c.dataset ?? {};
    const { name: fwName, ...fwParams } = c.framework ?? {};
    const header = h(
      'div.card',
      { id: 'run-header' },
      h(
        'div.toolbar',
        {},
        h('h2', { style: 'margin:0' }, d.id),
        h(`span.badge.${d.status}` as 'span', {}, d.status),
        h('span.hint', {}, `updated ${relativeTime(d.updated)}`),
      ),
      h(
        'div.stats',
        {},
        stat('step', total ? `${step} / ${total}` : String(step)),
        stat('loss', fmt(last?.loss ?? d.lastLoss)),
        stat('dataset', `${dsName ?? '?'}`),
        stat('framework', `${fwName ?? '?'}`),
        stat('loss spec', String(c.loss ?? '?')),
        stat('z', String(c.model?.z ?? '?')),
      ),
      h('div', { style: 'margin:10px 0' }, bar),
      h(
        'div.hint',
        {},
        `dataset ${JSON.stringify(dsParams)} · framework ${JSON.stringify(fwParams)} · model ${c.model?.architecture ?? ''} · lr ${c.optimizer?.lr ?? ''} · batch ${c.train?.batchSize ?? ''} · seed ${c.train?.seed ?? ''}`,
      ),
      ...d.errors.map((e) => message('error', e)),
      d.error ? message('error', d.error) : null,
    );
    const pics = h('div.pictures');
    for (const p of d.pictures) {
      if (!['reconstructions.png', 'traversals.png'].includes(p.file)) continue;
      pics.append(
        h(
          'figure',
          {},
          h(
            'figcaption',
            {},
            p.file === 'reconstructions.png'
              ? 'reconstructions (originals above)'
              : 'latent traversals (rows by KL, most active first)',
          ),
          h('img', { src: api.fileUrl(d.id, p.file, p.updated), alt: p.file, style: 'width:min(100%, 560px)' }),
        ),
      );
    }
    const parts: HTMLElement[] = [header];
    parts.push(
      h(
        'div.card',
        {},
        h('h2', {}, 'Pictures'),
        pics.childElementCount
          ? pics
          : h('div.hint', {}, 'written at the end of training (reconstructions.png, traversals.png)'),
      ),
    );
    // Metrics during training (metrics.jsonl) and at the end (eval.json).
    const mrec = st?.metrics.records ?? [];
    const mkeys = [...new Set(mrec.flatMap((r) => Object.keys(r)))].filter(
      (k) => k !== 'step' && typeof mrec.find((r) => k in r)?.[k] === 'number',
    );
    const metricsCard = h('div.card', { id: 'run-metrics' }, h('h2', {}, 'Metrics'));
    if (mkeys.length)
      metricsCard.append(
        drawChart(
          mkeys.map((k, i) => ({
            name: k,
            color: PALETTE[i % 8],
            points: mrec.filter((r) => typeof r[k] === 'number').map((r) => [r.step, r[k]] as [number, number]),
          })),
          { title: 'during training (metrics.jsonl)', xLabel: 'step', yLabel: 'score', height: 260, width: 760 },
        ),
      );
    const ev = d.eval?.metrics;
    if (ev) {
      metricsCard.append(
        h('h3', {}, `at the end (eval.json${d.eval?.step !== undefined ? `, step ${d.eval.step}` : ''})`),
        h(
          'table',
          { id: 'eval-table', style: 'width:auto' },
          h('tbody', {}, ...Object.entries(ev).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td.num', {}, fmt(v))))),
        ),
      );
    }
    if (!mkeys.length && !ev)
      metricsCard.append(
        h(
          'div.hint',
          {},
          'none yet: ',
          h('code', {}, `disentangle evaluate ${d.id}`),
          ' writes eval.json; runs that score during training write metrics.jsonl',
        ),
      );
    parts.push(metricsCard);
    const mats = d.eval?.matrices;
    if (mats && Object.keys(mats).length) {
      const box = h('div.matrices');
      for (const [k, m] of Object.entries(mats))
        box.append(
          heatmap(m.values, m.rows.length, m.cols.length, {
            title: k === 'mi' ? 'mutual information (nats)' : k === 'importance' ? 'DCI importance' : k,
            rowLabels: m.rows,
            colLabels: m.cols,
            min: 0,
            size: 260,
          }),
        );
      parts.push(h('div.card', {}, h('h2', {}, 'Latents × factors'), box));
    } else if (d.hasEvalHtml) {
      parts.push(
        h(
          'div.card',
          {},
          h('h2', {}, 'Latents × factors'),
          h('a', { href: api.fileUrl(d.id, 'eval.html'), target: '_blank' }, 'MI and importance matrices (eval.html)'),
        ),
      );
    }
    clear(runCard, ...parts);
  }

  function stat(k: string, v: string): HTMLElement {
    return h('div.stat', {}, h('div.v', {}, v), h('div.k', {}, k));
  }

  void (async () => {
    await loadIndex();
    await poll();
    await loadDetails();
    ctx.drawn();
    timers.push(setInterval(() => void poll(), POLL_MS));
    timers.push(setInterval(() => void loadIndex(), INDEX_MS));
  })();
  return () => {
    stopped = true;
    for (const t of timers) clearInterval(t);
  };
}
