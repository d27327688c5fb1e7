/**
 * The page: five views behind tabs, each loaded when first opened (the datasets, distances and training views
 * carry tfjs; the runs and sweeps views do not), state kept in the URL hash so that a view can be linked.
 */
import './style.css';
import { clear, h } from './ui/dom.js';
import type { Mount } from './types.js';

const views: Array<{ id: string; title: string; load: () => Promise<{ mount: Mount }> }> = [
  { id: 'runs', title: 'Runs', load: () => import('./views/runs.js') },
  { id: 'sweeps', title: 'Sweeps', load: () => import('./views/sweeps.js') },
  { id: 'datasets', title: 'Datasets', load: () => import('./views/datasets.js') },
  { id: 'distances', title: 'Perceived distances', load: () => import('./views/distances.js') },
  { id: 'train', title: 'Train in the browser', load: () => import('./views/train.js') },
];

const app = document.getElementById('app')!;
const nav = h('nav.tabs');
const main = h('main');
app.append(h('header', {}, h('a.brand', { href: '#/runs' }, 'disentangle'), nav), main);
for (const v of views) nav.append(h('a', { href: `#/${v.id}`, 'data-view': v.id }, v.title));

/** For `disentangle bench web`: when the first view was drawn, and the CLI's step benchmark in a worker of this page. */
const bench = {
  firstView: undefined as number | undefined,
  step: (o: unknown) =>
    new Promise((resolve) => {
      const w = new Worker(new URL('./workers/bench.worker.ts', import.meta.url), { type: 'module' });
      w.onmessage = (ev) => {
        w.terminate();
        resolve(ev.data);
      };
      w.onerror = (ev) => resolve({ error: ev.message });
      w.postMessage(o);
    }),
};
(window as unknown as { __bench: typeof bench }).__bench = bench;

let unmount: (() => void) | void;
let firstDrawn = false;
let current = '';

function parseHash(): { view: string; params: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [view, query = ''] = raw.split('?');
  return { view: views.some((v) => v.id === view) ? view : 'runs', params: new URLSearchParams(query) };
}

async function route(): Promise<void> {
  const { view, params } = parseHash();
  if (view === current) return;
  current = view;
  unmount?.();
  unmount = undefined;
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.view === view);
  const entry = views.find((v) => v.id === view)!;
  document.title = `${entry.title} · disentangle`;
  const el = h('section.view', { 'data-view': view });
  clear(main, el);
  let mod: { mount: Mount };
  try {
    mod = await entry.load();
  } catch (e) {
    el.append(h('div.msg.error', {}, `this view failed to load: ${(e as Error).message}`));
    return;
  }
  if (current !== view) return;
  unmount = mod.mount(el, {
    params,
    setParams(p) {
      const next = new URLSearchParams();
      for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '') next.set(k, v);
      const hash = `#/${view}${next.size ? `?${next}` : ''}`;
      if (location.hash !== hash) history.replaceState(null, '', hash);
    },
    drawn() {
      if (firstDrawn) return;
      firstDrawn = true;
      performance.mark('first-view');
      bench.firstView = performance.now();
    },
    navigate(v, p = {}) {
      current = '';
      location.hash = `#/${v}${Object.keys(p).length ? `?${new URLSearchParams(p)}` : ''}`;
    },
  });
}

window.addEventListener('hashchange', () => {
  // A hash change within the same view (e.g. setParams from a link) re-mounts only when the view differs.
  const { view } = parseHash();
  if (view !== current) void route();
});
void route();
