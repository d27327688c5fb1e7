/**
 * A small SVG chart: lines (loss curves) and points (sweep results), linear or log axes, nice ticks, a
 * legend, a hover read-out of the nearest point, and clickable points. Redrawn whole on each update (the page
 * keeps at most a few thousand points per series on screen).
 */
import { h } from './dom.js';

export interface Series {
  name: string;
  color?: string;
  kind?: 'line' | 'points';
  points: Array<[number, number]>;
  /** Per point, handed to onPointClick and shown in the read-out. */
  payload?: unknown[];
  dashed?: boolean;
  /** Drawn thinner/fainter (e.g. individual seeds under a median). */
  faint?: boolean;
  /** Per point: a ± error bar (points only). */
  errors?: number[];
}

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  logY?: boolean;
  logX?: boolean;
  width?: number;
  height?: number;
  /** Category names for an x axis of indices 0 … n−1. */
  xCategories?: string[];
  onPointClick?: (payload: unknown, series: Series) => void;
  describe?: (payload: unknown, x: number, y: number, series: Series) => string;
}

export const PALETTE = ['#2f6fdf', '#e4572e', '#17a673', '#9b5de5', '#f2a541', '#00a6c8', '#d1495b', '#6c757d'];
const SVG = 'http://www.w3.org/2000/svg';
const MAX_POINTS = 2000;

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => st >= step0) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(0);
  return String(Number(v.toPrecision(6)));
}

/** Keep every k-th point (and the last) so that a long log stays light to draw. */
function thin(points: Array<[number, number]>): number[] {
  const k = Math.ceil(points.length / MAX_POINTS);
  const idx: number[] = [];
  for (let i = 0; i < points.length; i += k) idx.push(i);
  if (points.length && idx[idx.length - 1] !== points.length - 1) idx.push(points.length - 1);
  return idx;
}

export function drawChart(series: Series[], o: ChartOptions = {}): HTMLElement {
  const W = o.width ?? 640;
  const H = o.height ?? 300;
  const m = { l: 64, r: 16, t: o.title ? 28 : 12, b: 44 };
  const fx = o.logX ? (v: number) => Math.log10(v) : (v: number) => v;
  const fy = o.logY ? (v: number) => Math.log10(v) : (v: number) => v;
  const ok = (p: [number, number]) =>
    Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!o.logY || p[1] > 0) && (!o.logX || p[0] > 0);
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const se of series)
    for (const p of se.points)
      if (ok(p)) {
        x0 = Math.min(x0, fx(p[0]));
        x1 = Math.max(x1, fx(p[0]));
        y0 = Math.min(y0, fy(p[1]));
        y1 = Math.max(y1, fy(p[1]));
      }
  for (const se of series)
    se.errors?.forEach((e, i) => {
      const p = se.points[i];
      if (!ok(p) || !Number.isFinite(e)) return;
      y1 = Math.max(y1, fy(p[1] + e));
      if (!o.logY || p[1] - e > 0) y0 = Math.min(y0, fy(p[1] - e));
    });
  const wrap = h('div.chart');
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img' });
  svg.style.maxWidth = `${W}px`;
  wrap.append(svg);
  if (o.title) {
    const t = s('text', { x: m.l, y: 18, class: 'chart-title' });
    t.textContent = o.title;
    svg.append(t);
  }
  if (!Number.isFinite(x0)) {
    const t = s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'chart-empty' });
    t.textContent = 'no data yet';
    svg.append(t);
    return wrap;
  }
  if (o.xCategories) {
    x0 = -0.5;
    x1 = o.xCategories.length - 0.5;
  }
  if (x1 === x0) {
    x0 -= 0.5;
    x1 += 0.5;
  } else if (!o.xCategories && series.some((se) => se.kind === 'points')) {
    // Points at the ends of the range stay clear of the frame.
    const pad = (x1 - x0) * 0.04;
    x0 -= pad;
    x1 += pad;
  }
  if (y1 === y0) {
    const d = Math.abs(y0) * 0.1 || 0.5;
    y0 -= d;
    y1 += d;
  } else {
    const pad = (y1 - y0) * 0.05;
    y0 -= pad;
    y1 += pad;
  }
  const px = (v: number) => m.l + ((fx(v) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (v: number) => H - m.b - ((fy(v) - y0) / (y1 - y0)) * (H - m.t - m.b);
  // Axes and grid.
  const axes = s('g', { class: 'axes' });
  const yt = o.logY ? logTicks(y0, y1) : niceTicks(y0, y1).map((v) => v);
  for (const v of yt) {
    const y = o.logY ? H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b) : py(v);
    if (y < m.t - 1 || y > H - m.b + 1) continue;
    axes.append(s('line', { x1: m.l, x2: W - m.r, y1: y, y2: y, class: 'grid' }));
    const t = s('text', { x: m.l - 6, y: y + 4, 'text-anchor': 'end' });
    t.textContent = tickLabel(o.logY ? 10 ** v : v);
    axes.append(t);
  }
  const xt = o.xCategories
    ? o.xCategories.map((_, i) => i)
    : o.logX
      ? logTicks(x0, x1).map((v) => 10 ** v)
      : niceTicks(x0, x1, 6);
  for (const v of xt) {
    const x = px(v);
    if (x < m.l - 1 || x > W - m.r + 1) continue;
    axes.append(s('line', { x1: x, x2: x, y1: m.t, y2: H - m.b, class: 'grid' }));
    const t = s('text', { x, y: H - m.b + 16, 'text-anchor': 'middle' });
    t.textContent = o.xCategories ? o.xCategories[v] : tickLabel(v);
    axes.append(t);
  }
  axes.append(s('rect', { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b, class: 'frame' }));
  if (o.xLabel) {
    const t = s('text', { x: (m.l + W - m.r) / 2, y: H - 6, 'text-anchor': 'middle', class: 'label' });
    t.textContent = o.xLabel;
    axes.append(t);
  }
  if (o.yLabel) {
    const t = s('text', {
      x: 14,
      y: (m.t + H - m.b) / 2,
      'text-anchor': 'middle',
      class: 'label',
      transform: `rotate(-90 14 ${(m.t + H - m.b) / 2})`,
    });
    t.textContent = o.yLabel + (o.logY ? ' (log)' : '');
    axes.append(t);
  }
  svg.append(axes);
  // Data.
  const hits: Array<{ x: number; y: number; se: Series; i: number }> = [];
  series.forEach((se, k) => {
    const color = se.color ?? PALETTE[k % PALETTE.length];
    const idx = thin(se.points).filter((i) => ok(se.points[i]));
    if (se.kind !== 'points' && idx.length) {
      const d = idx.map(
        (i, j) => `${j ? 'L' : 'M'}${px(se.points[i][0]).toFixed(1)},${py(se.points[i][1]).toFixed(1)}`,
      );
      const path = s('path', { d: d.join(''), fill: 'none', stroke: color, 'stroke-width': se.faint ? 1 : 1.8 });
      if (se.dashed) path.setAttribute('stroke-dasharray', '5 4');
      if (se.faint) path.setAttribute('stroke-opacity', '0.45');
      svg.append(path);
    }
    for (const i of idx) {
      const x = px(se.points[i][0]);
      const y = py(se.points[i][1]);
      hits.push({ x, y, se, i });
      const e = se.errors?.[i];
      if (e !== undefined && Number.isFinite(e) && e > 0) {
        const lo = o.logY && se.points[i][1] - e <= 0 ? H - m.b : py(se.points[i][1] - e);
        svg.append(
          s('line', { x1: x, x2: x, y1: lo, y2: py(se.points[i][1] + e), stroke: color, 'stroke-width': 1.5 }),
        );
      }
      if (se.kind === 'points') {
        const c = s('circle', { cx: x, cy: y, r: 4.5, fill: color, 'fill-opacity': 0.75, class: 'pt' });
        if (o.onPointClick) {
          c.classList.add('clickable');
          c.addEventListener('click', () => o.onPointClick!(se.payload?.[i], se));
        }
        svg.append(c);
      }
    }
  });
  // Hover read-out of the nearest point.
  const tip = h('div.tip');
  tip.hidden = true;
  wrap.append(tip);
  const dot = s('circle', { r: 5, class: 'hover-dot' });
  dot.style.display = 'none';
  svg.append(dot);
  svg.addEventListener('mousemove', (ev) => {
    const r = svg.getBoundingClientRect();
    const mx = ((ev.clientX - r.left) / r.width) * W;
    const my = ((ev.clientY - r.top) / r.height) * H;
    let best: (typeof hits)[number] | undefined;
    let bd = Infinity;
    for (const p of hits) {
      const d = (p.x - mx) ** 2 + (p.se.kind === 'points' ? (p.y - my) ** 2 : 0.02 * (p.y - my) ** 2);
      if (d < bd) {
        bd = d;
        best = p;
      }
    }
    if (!best || bd > 40 ** 2) {
      tip.hidden = true;
      dot.style.display = 'none';
      return;
    }
    const [xv, yv] = best.se.points[best.i];
    dot.setAttribute('cx', String(best.x));
    dot.setAttribute('cy', String(best.y));
    dot.style.display = '';
    tip.hidden = false;
    tip.textContent = o.describe
      ? o.describe(best.se.payload?.[best.i], xv, yv, best.se)
      : `${best.se.name}: ${o.xLabel ?? 'x'} ${o.xCategories ? o.xCategories[xv] : tickLabel(xv)}, ${o.yLabel ?? 'y'} ${Number(yv.toPrecision(5))}`;
    tip.style.left = `${(best.x / W) * 100}%`;
    tip.style.top = `${(best.y / H) * 100}%`;
  });
  svg.addEventListener('mouseleave', () => {
    tip.hidden = true;
    dot.style.display = 'none';
  });
  if (series.length > 1 || series[0]?.name) {
    const legend = h('div.legend');
    series.forEach((se, k) => {
      if (se.faint) return;
      const sw = h('span.swatch');
      sw.style.background = se.color ?? PALETTE[k % PALETTE.length];
      legend.append(h('span.item', {}, sw, se.name));
    });
    wrap.append(legend);
  }
  return wrap;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of hi - lo < 1.5 ? [1, 2, 5] : [1]) {
      const v = e + Math.log10(m);
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out.length >= 2 ? out : niceTicks(lo, hi);
}
