/**
 * Train in the browser: a framework and dataset from the registries (β-VAE on XYSquares by default) on the wasm
 * backend (webgl / webgpu / cpu selectable), in a worker running the CLI trainer's own step. Live loss,
 * reconstructions and latent traversals; pause and continue; download the run folder as a .zip that
 * `disentangle evaluate` (and, if paused early, `train --resume`) accepts.
 * (Longer than 300 lines: one view = its controls, state, worker or polling and drawing, which read best together.)
 */
import { zipSync } from 'fflate';
import type { ViewContext } from '../types.js';
import { clear, fmt, h, message } from '../ui/dom.js';
import { schemaForm, type SchemaForm } from '../ui/form.js';
import { drawChart, PALETTE } from '../ui/chart.js';
import { imageCanvas, type PlainImage } from '../ui/images.js';
import { architectures, datasets, datasetSchema, frameworks, frameworkSchema } from '../lib/registry.js';
import { pageBackends } from '../lib/engine.js';
import { validateConfig } from '../../../src/config/index.js';
import type { TrainIn } from '../workers/train.worker.js';

/** Page defaults: short enough to watch (a few minutes on wasm), lr high enough to see progress early. */
const DEFAULTS = { steps: 300, batchSize: 32, lr: 1e-3, z: 10, seed: 0, loss: 'bce', pictureEvery: 25 };

export function mount(el: HTMLElement, ctx: ViewContext): () => void {
  const panel = h('aside.panel');
  const main = h('div.stack');
  el.append(panel, main);
  let worker: Worker | null = null;
  const records: Array<Record<string, number>> = [];
  let term = 'loss';
  let logY = true;
  let state: 'idle' | 'starting' | 'running' | 'paused' | 'done' | 'failed' = 'idle';
  let startedConfig: Record<string, any> | null = null;
  let backendName = '';
  let msPerStep: number[] = [];
  let elapsed = 0;

  const stats = h('div.card', { id: 'train-stats' });
  const curve = h('div.card', { id: 'train-curve' });
  const pics = h(
    'div.card',
    { id: 'train-pictures' },
    h('h2', {}, 'Pictures'),
    h('div.hint', {}, 'reconstructions and latent traversals appear when training starts'),
  );
  main.append(stats, curve, pics);

  void (async () => {
    const p = ctx.params;
    const cat = (await datasets()).filter((d) => d.kind === 'procedural' && d.shape?.[0] === 64 && d.shape[1] === 64);
    const fws = await frameworks();
    const sel = (id: string, options: string[], value: string) => {
      const s = h('select', { id }, ...options.map((o) => h('option', { value: o }, o)));
      s.value = options.includes(value) ? value : options[0];
      return s;
    };
    const text = (id: string, value: string | number) => h('input', { type: 'text', id, value: String(value) });
    const field = (label: string, input: HTMLElement, hint = '') =>
      h('div.field', {}, h('label', { for: input.id }, label), input, hint ? h('div.hint', {}, hint) : null);
    const dsSel = sel(
      'tr-dataset',
      cat.map((d) => d.name),
      p.get('dataset') ?? 'xysquares',
    );
    const fwSel = sel(
      'tr-framework',
      fws.map((f) => f.name),
      p.get('framework') ?? 'betavae',
    );
    const archSel = sel('tr-arch', [...architectures], 'conv64');
    const backendSel = sel('tr-backend', [...pageBackends], p.get('backend') ?? 'wasm');
    const zIn = text('tr-z', p.get('z') ?? DEFAULTS.z);
    const lossIn = text('tr-loss', p.get('loss') ?? DEFAULTS.loss);
    const lrIn = text('tr-lr', p.get('lr') ?? DEFAULTS.lr);
    const batchIn = text('tr-batch', p.get('batch') ?? DEFAULTS.batchSize);
    const stepsIn = text('tr-steps', p.get('steps') ?? DEFAULTS.steps);
    const seedIn = text('tr-seed', p.get('seed') ?? DEFAULTS.seed);
    const dsBox = h('div');
    const fwBox = h('div');
    const fwHint = h('div.hint');
    let dsForm: SchemaForm;
    let fwForm: SchemaForm;
    const setDs = async () => {
      dsForm = schemaForm(await datasetSchema(dsSel.value), () => dsForm.validate());
      clear(dsBox, dsForm.element);
    };
    const setFw = async () => {
      fwForm = schemaForm(await frameworkSchema(fwSel.value), () => fwForm.validate());
      clear(fwBox, fwForm.element);
      fwHint.textContent = fws.find((f) => f.name === fwSel.value)?.description ?? '';
    };
    dsSel.addEventListener('change', () => void setDs());
    fwSel.addEventListener('change', () => void setFw());
    await Promise.all([setDs(), setFw()]);

    const startBtn = h('button.primary', { id: 'tr-start' }, 'Start');
    const pauseBtn = h('button', { id: 'tr-pause', disabled: true }, 'Pause');
    const downloadBtn = h('button', { id: 'tr-download', disabled: true }, 'Download run (.zip)');
    const status = h('div', { id: 'tr-status' });
    const settings = h(
      'div',
      { id: 'tr-settings' },
      field('dataset', dsSel),
      h('details', {}, h('summary', {}, 'dataset parameters'), dsBox),
      field('framework', fwSel),
      fwHint,
      fwBox,
      h('div.row', {}, field('latents z', zIn), field('model', archSel)),
      h('div.row', {}, field('loss', lossIn), field('learning rate', lrIn)),
      h('div.row', {}, field('batch size', batchIn), field('steps', stepsIn)),
      h('div.row', {}, field('seed', seedIn), field('backend', backendSel)),
    );
    panel.append(
      h('h2', {}, 'Train in the browser'),
      settings,
      h('div.row', { style: 'margin-top:6px' }, startBtn, pauseBtn),
      h('div', { style: 'margin-top:8px' }, downloadBtn),
      status,
      h(
        'div.hint',
        { style: 'margin-top:10px' },
        'the .zip holds a run folder: unzip it, then ',
        h('code', {}, 'disentangle evaluate FOLDER'),
        ' scores it (or ',
        h('code', {}, 'train --resume FOLDER'),
        ' continues a paused run)',
      ),
    );

    const config = () => {
      const num = (el: HTMLInputElement) => (el.value.trim() === '' ? undefined : Number(el.value));
      const dv = dsForm.validate();
      const fv = fwForm.validate();
      const bad = [!dv.ok ? `dataset: ${dv.message}` : '', !fv.ok ? `framework: ${fv.message}` : ''].filter(Boolean);
      if (bad.length) throw new Error(bad.join('; '));
      return {
        dataset: { name: dsSel.value, ...dsForm.values() },
        framework: { name: fwSel.value, ...fwForm.values() },
        model: { architecture: archSel.value, z: num(zIn) },
        loss: lossIn.value.trim(),
        optimizer: { lr: num(lrIn) },
        // Every step logged: the page's run is short, and its curve is the point.
        train: {
          steps: num(stepsIn),
          batchSize: num(batchIn),
          seed: num(seedIn),
          logEvery: 1,
          checkpointEvery: 1000000,
        },
      };
    };

    const setState = (s: typeof state) => {
      state = s;
      startBtn.textContent = s === 'running' || s === 'starting' ? 'Training…' : s === 'idle' ? 'Start' : 'Start again';
      startBtn.disabled = s === 'running' || s === 'starting';
      pauseBtn.disabled = !(s === 'running' || s === 'paused');
      pauseBtn.textContent = s === 'paused' ? 'Continue' : 'Pause';
      downloadBtn.disabled = !(s === 'paused' || s === 'done' || (s === 'running' && records.length > 0));
      for (const i of settings.querySelectorAll('input, select'))
        (i as HTMLInputElement).disabled = s === 'running' || s === 'starting';
      drawStats();
    };

    startBtn.addEventListener('click', () => {
      clear(status);
      let raw: ReturnType<typeof config>;
      try {
        raw = config();
        // The CLI's own validation: the same messages as `disentangle train`.
        validateConfig(raw);
      } catch (e) {
        status.append(message('error', (e as Error).message));
        return;
      }
      worker?.terminate();
      records.length = 0;
      msPerStep = [];
      startedConfig = null;
      worker = new Worker(new URL('../workers/train.worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (ev) => onMessage(ev.data);
      worker.onerror = (e) => {
        status.append(message('error', `the training worker failed: ${e.message}`));
        setState('failed');
      };
      ctx.setParams({
        dataset: dsSel.value,
        framework: fwSel.value,
        steps: stepsIn.value,
        batch: batchIn.value,
        lr: lrIn.value,
        z: zIn.value,
        loss: lossIn.value,
        seed: seedIn.value,
        backend: backendSel.value,
      });
      const msg: TrainIn = {
        type: 'start',
        config: raw,
        backend: backendSel.value as (typeof pageBackends)[number],
        pictureEvery: DEFAULTS.pictureEvery,
      };
      worker.postMessage(msg);
      setState('starting');
      drawCurve();
    });
    pauseBtn.addEventListener('click', () => {
      if (!worker) return;
      worker.postMessage({ type: state === 'paused' ? 'resume' : 'pause' } satisfies TrainIn);
    });
    downloadBtn.addEventListener('click', () => worker?.postMessage({ type: 'files' } satisfies TrainIn));

    function onMessage(m: any) {
      if (m.type === 'started') {
        backendName = m.backend;
        startedConfig = m.config;
        setState('running');
      } else if (m.type === 'step') {
        records.push(m.record);
        msPerStep.push(m.ms);
        elapsed = m.elapsed;
        if (records.length === 1) setState(state);
        scheduleDraw();
      } else if (m.type === 'pictures') drawPictures(m.step, m.reconstructions, m.traversals);
      else if (m.type === 'paused') setState('paused');
      else if (m.type === 'resumed') setState('running');
      else if (m.type === 'done') {
        setState('done');
        status.append(
          message(
            'ok',
            `done: ${m.step} steps, final loss ${fmt(m.loss)}. Download the run to evaluate it with the CLI.`,
          ),
        );
      } else if (m.type === 'files') download(m.step, m.files);
      else if (m.type === 'error') {
        status.append(message('error', m.message));
        setState(records.length ? 'paused' : 'failed');
      }
    }

    function download(step: number, files: Record<string, Uint8Array>) {
      const c = startedConfig ?? {};
      const folder = `browser-${c.dataset?.name}-${c.framework?.name}-seed${c.train?.seed}-step${step}`;
      const zip = zipSync({ [folder]: files }, { level: 6 });
      const url = URL.createObjectURL(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
      const a = h('a', { href: url, download: `${folder}.zip` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      status.append(
        message(
          'ok',
          `downloaded ${folder}.zip (${(zip.length / 1024).toFixed(0)} kB): unzip, then disentangle evaluate ${folder}`,
        ),
      );
    }
    setState('idle');
    ctx.drawn();
  })();

  let pending = false;
  function scheduleDraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      drawStats();
      drawCurve();
    });
  }

  function drawStats() {
    const last = records[records.length - 1];
    const total = startedConfig?.train?.steps ?? 0;
    const recent = msPerStep.slice(-20).sort((a, b) => a - b);
    const ms = recent.length ? recent[recent.length >> 1] : NaN;
    const eta = total && last ? ((total - last.step) * ms) / 1000 : NaN;
    const bar = h('div.progress', {}, h('div'));
    (bar.firstChild as HTMLElement).style.width = `${total && last ? (100 * last.step) / total : 0}%`;
    const stat = (k: string, v: string, id = '') => h('div.stat', { id }, h('div.v', {}, v), h('div.k', {}, k));
    clear(
      stats,
      h(
        'div.toolbar',
        {},
        h('h2', { style: 'margin:0' }, 'Training'),
        h(
          `span.badge.${state === 'done' ? 'done' : state === 'running' ? 'running' : state === 'failed' ? 'failed' : 'x'}` as 'span',
          { id: 'tr-state' },
          state,
        ),
        backendName ? h('span.hint', {}, `backend ${backendName}`) : null,
      ),
      h(
        'div.stats',
        {},
        stat('step', last ? `${last.step} / ${total}` : '—', 'tr-step'),
        stat('loss', fmt(last?.loss), 'tr-loss'),
        stat('ms / step', Number.isFinite(ms) ? ms.toFixed(0) : '—'),
        stat('steps / s', Number.isFinite(ms) ? (1000 / ms).toFixed(1) : '—'),
        stat('elapsed', last ? `${elapsed.toFixed(0)} s` : '—'),
        stat('ETA', Number.isFinite(eta) && state === 'running' ? `${eta.toFixed(0)} s` : '—'),
      ),
      h('div', { style: 'margin-top:10px' }, bar),
    );
  }

  function drawCurve() {
    const keys = [...new Set(records.slice(-5).flatMap((r) => Object.keys(r)))].filter((k) => k !== 'step');
    if (keys.length && !keys.includes(term)) term = 'loss';
    const sel = h(
      'select',
      { id: 'tr-term' },
      ...(keys.length ? keys : ['loss']).map((k) => h('option', { value: k }, k)),
    );
    sel.value = term;
    sel.addEventListener('change', () => {
      term = sel.value;
      drawCurve();
    });
    const logCb = h('input', { type: 'checkbox', checked: logY });
    logCb.addEventListener('change', () => {
      logY = logCb.checked;
      drawCurve();
    });
    clear(
      curve,
      h(
        'div.toolbar',
        {},
        h('h2', { style: 'margin:0' }, 'Loss'),
        h('label', {}, 'value ', sel),
        h('label', {}, logCb, 'log scale'),
      ),
      drawChart(
        [
          {
            name: term,
            color: PALETTE[0],
            points: records
              .filter((r) => typeof r[term] === 'number')
              .map((r) => [r.step, r[term]] as [number, number]),
          },
        ],
        {
          xLabel: 'step',
          yLabel: term,
          logY,
          height: 280,
          width: 900,
        },
      ),
    );
  }

  function drawPictures(step: number, rec: PlainImage, trav: PlainImage) {
    clear(
      pics,
      h('h2', {}, `Pictures at step ${step}`),
      h(
        'div.pictures',
        {},
        h(
          'figure',
          {},
          h('figcaption', {}, 'reconstructions (originals above)'),
          imageCanvas(rec, 1.5, 'reconstructions'),
        ),
        h(
          'figure',
          {},
          h('figcaption', {}, 'latent traversals (−2 … 2; rows by KL, most active first)'),
          imageCanvas(trav, Math.min(1, 520 / trav.width), 'traversals'),
        ),
      ),
    );
  }

  return () => worker?.terminate();
}
