/** Matrices as heatmaps on a canvas (viridis-like ramp of the reports), with a hover read-out and a colour bar. */
import { colourRamp } from '../../../src/viz/svg.js';
import { fmt, h } from './dom.js';

export interface HeatmapOptions {
  title: string;
  rowLabels?: string[];
  colLabels?: string[];
  min?: number;
  max?: number;
  /** Displayed size of the matrix (px). */
  size?: number;
}

export function heatmap(values: ArrayLike<number>, rows: number, cols: number, o: HeatmapOptions): HTMLElement {
  let lo = o.min ?? Infinity;
  let hi = o.max ?? -Infinity;
  for (let i = 0; i < rows * cols; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (o.min === undefined) lo = Math.min(lo, v);
    if (o.max === undefined) hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) lo = 0;
  if (!(hi > lo)) hi = lo + 1;
  const cell = Math.max(2, Math.floor((o.size ?? 200) / Math.max(rows, cols)));
  const canvas = h('canvas.heat', { width: cols * cell, height: rows * cell });
  const ctx = canvas.getContext('2d')!;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      ctx.fillStyle = colourRamp((values[r * cols + c] - lo) / (hi - lo));
      ctx.fillRect(c * cell, r * cell, cell, cell);
    }
  const readout = h('div.heat-readout', {}, '\u00a0');
  canvas.addEventListener('mousemove', (ev) => {
    const b = canvas.getBoundingClientRect();
    const c = Math.floor(((ev.clientX - b.left) / b.width) * cols);
    const r = Math.floor(((ev.clientY - b.top) / b.height) * rows);
    if (r < 0 || c < 0 || r >= rows || c >= cols) return;
    const rl = o.rowLabels?.[r] ?? r;
    const cl = o.colLabels?.[c] ?? c;
    readout.textContent = `[${rl}, ${cl}] = ${fmt(values[r * cols + c])}`;
  });
  canvas.addEventListener('mouseleave', () => (readout.textContent = '\u00a0'));
  const bar = h('div.colourbar');
  bar.style.background = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map(colourRamp).join(',')})`;
  const grid = h('div.heat-grid');
  if (o.colLabels && cols <= 16) {
    const top = h('div.heat-cols');
    top.style.gridTemplateColumns = `repeat(${cols}, ${cell}px)`;
    for (const l of o.colLabels) top.append(h('span', { title: l }, l));
    grid.append(h('span'), top);
  }
  if (o.rowLabels && rows <= 32) {
    const left = h('div.heat-rows');
    left.style.gridTemplateRows = `repeat(${rows}, ${cell}px)`;
    for (const l of o.rowLabels) left.append(h('span', {}, l));
    grid.append(left, canvas);
  } else grid.append(h('span'), canvas);
  return h(
    'figure.heatmap',
    {},
    h('figcaption', {}, o.title),
    grid,
    h('div.scale', {}, h('span', {}, fmt(lo)), bar, h('span', {}, fmt(hi))),
    readout,
  );
}
