/**
 * The sweep report's two charts, as SVG strings (same conventions as src/viz/svg.ts):
 *  - a strip plot: a metric against one swept parameter, every seed a point, one colour per group of the
 *    other parameters, each group's median drawn as a tick and joined across the parameter's values;
 *  - overlaid curves: per group, every run a thin line and the group's median a thick one.
 */
import { escapeHtml as esc } from '../viz/index.js';

/** A number in at most 3 significant digits, without trailing zeros: 0.04, 150, 7.5e-4 → 0.00075. */
export function fmt3(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6)) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(3)));
}

/** Tableau 10: distinct on white, in print and for the colour-blind-ish. */
export const groupColours = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
export const colourOf = (g: number) => groupColours[g % groupColours.length];

export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

/** Linear interpolation between order statistics (numpy's default). */
export function quantile(xs: number[], q: number): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const i = Math.floor(pos);
  return i + 1 < s.length ? s[i] + (pos - i) * (s[i + 1] - s[i]) : s[i];
}

/** About n round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function yScale(values: number[], top: number, h: number, log = false) {
  const tr = (v: number) => (log ? Math.log10(v) : v);
  const vs = values.filter((v) => Number.isFinite(v) && (!log || v > 0)).map(tr);
  let lo = vs.length ? Math.min(...vs) : 0;
  let hi = vs.length ? Math.max(...vs) : 1;
  if (hi - lo < 1e-12) [lo, hi] = [lo - (Math.abs(lo) * 0.1 || 0.5), hi + (Math.abs(hi) * 0.1 || 0.5)];
  const pad = (hi - lo) * 0.06;
  [lo, hi] = [lo - pad, hi + pad];
  const ticks = log
    ? niceTicks(lo, hi, 4).filter((t) => Number.isInteger(Math.round(t * 1e6) / 1e6))
    : niceTicks(lo, hi, 5);
  const y = (v: number) => top + h - ((tr(v) - lo) / (hi - lo)) * h;
  return { y, ticks: log ? ticks.map((t) => 10 ** t) : ticks, lo, hi };
}

/** Legend items in rows under a plot, wrapped at `width`; returns the SVG and its height. */
function legendBelow(x: number, y: number, width: number, groups: string[]): { svg: string; height: number } {
  if (groups.length < 2) return { svg: '', height: 0 };
  let cx = x,
    cy = y;
  const parts: string[] = [];
  groups.forEach((g, i) => {
    const w = 22 + 6.3 * g.length;
    if (cx > x && cx + w > x + width) [cx, cy] = [x, cy + 16];
    parts.push(
      `<rect x="${cx}" y="${cy}" width="10" height="10" rx="2" fill="${colourOf(i)}"/>` +
        `<text x="${cx + 14}" y="${cy + 9}">${esc(g)}</text>`,
    );
    cx += w;
  });
  return { svg: parts.join(''), height: cy - y + 20 };
}

const frame = (w: number, h: number, inner: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="system-ui,sans-serif" font-size="11">${inner}</svg>`;

export interface StripPoint {
  /** Index into the categories. */
  cat: number;
  group: number;
  value: number;
  label: string;
}

/** One metric against the categories of a parameter; points dodged by group, jittered by seed. */
export function stripPlotSvg(
  categories: string[],
  groups: string[],
  points: StripPoint[],
  o: { title: string; xLabel: string; yLabel: string },
): string {
  const left = 62,
    top = 28,
    plotH = 200,
    catW = Math.max(56, Math.min(120, 520 / Math.max(1, categories.length)));
  const plotW = catW * categories.length;
  const w = Math.max(left + plotW + 16, left + 8 * o.title.length, 300);
  const leg = legendBelow(left, top + plotH + 46, w - left - 8, groups);
  const h = top + plotH + 44 + leg.height;
  const { y, ticks } = yScale(
    points.map((p) => p.value),
    top,
    plotH,
  );
  const slot = (catW * 0.8) / Math.max(1, groups.length);
  const cx = (cat: number, g: number) => left + cat * catW + catW * 0.1 + slot * (g + 0.5);
  const parts: string[] = [`<text x="${left}" y="16" font-size="13" font-weight="600">${esc(o.title)}</text>`];
  for (const t of ticks) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${left - 5}" y="${y(t) + 4}" text-anchor="end" fill="#555">${esc(fmt3(t))}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  categories.forEach((c, i) =>
    parts.push(`<text x="${left + (i + 0.5) * catW}" y="${top + plotH + 15}" text-anchor="middle">${esc(c)}</text>`),
  );
  parts.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle" fill="#333">${esc(o.xLabel)}</text>`,
    `<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle" fill="#333">${esc(o.yLabel)}</text>`,
  );
  groups.forEach((_, g) => {
    const meds: Array<[number, number]> = [];
    categories.forEach((_, c) => {
      const cell = points.filter((p) => p.group === g && p.cat === c);
      const m = median(cell.map((p) => p.value));
      if (Number.isFinite(m)) meds.push([cx(c, g), y(m)]);
    });
    if (meds.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${colourOf(g)}" stroke-width="1.5" stroke-opacity="0.6" points="${meds.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`,
      );
    for (const [a, b] of meds)
      parts.push(
        `<line x1="${(a - slot * 0.42).toFixed(1)}" x2="${(a + slot * 0.42).toFixed(1)}" y1="${b.toFixed(1)}" y2="${b.toFixed(1)}" stroke="${colourOf(g)}" stroke-width="3"/>`,
      );
  });
  const seen = new Map<string, number>();
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    const key = `${p.cat}:${p.group}`;
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    const n = points.filter((q) => q.cat === p.cat && q.group === p.group).length;
    const jitter = n > 1 ? (k / (n - 1) - 0.5) * slot * 0.6 : 0;
    parts.push(
      `<circle cx="${(cx(p.cat, p.group) + jitter).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3.6" fill="${colourOf(p.group)}" fill-opacity="0.75" stroke="#fff" stroke-width="0.6"><title>${esc(`${p.label}: ${fmt3(p.value)}`)}</title></circle>`,
    );
  }
  parts.push(leg.svg);
  return frame(w, h, parts.join(''));
}

export interface Curve {
  group: number;
  label: string;
  points: Array<[number, number]>;
}

/** Curves over steps: every run thin, each group's median (over runs, per step) thick. */
export function curvesSvg(
  curves: Curve[],
  groups: string[],
  o: { title: string; yLabel: string; xLabel?: string },
): string {
  const left = 62,
    top = 28,
    plotW = 380,
    plotH = 200;
  const w = Math.max(left + plotW + 16, left + 8 * o.title.length);
  const leg = legendBelow(left, top + plotH + 42, w - left - 8, groups);
  const h = top + plotH + 40 + leg.height;
  const all = curves.flatMap((c) => c.points);
  const ys = all.map((p) => p[1]).filter(Number.isFinite);
  const pos = ys.filter((v) => v > 0);
  const log = pos.length === ys.length && pos.length > 0 && Math.max(...pos) / Math.min(...pos) > 30;
  const { y, ticks } = yScale(ys, top, plotH, log);
  const xs = all.map((p) => p[0]);
  const xlo = xs.length ? Math.min(...xs) : 0;
  const xhi = xs.length && Math.max(...xs) > xlo ? Math.max(...xs) : xlo + 1;
  const x = (v: number) => left + ((v - xlo) / (xhi - xlo)) * plotW;
  const parts: string[] = [`<text x="${left}" y="16" font-size="13" font-weight="600">${esc(o.title)}</text>`];
  for (const t of ticks) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${left - 5}" y="${y(t) + 4}" text-anchor="end" fill="#555">${esc(fmt3(t))}</text>`);
  }
  for (const t of niceTicks(xlo, xhi, 5))
    parts.push(`<text x="${x(t)}" y="${top + plotH + 15}" text-anchor="middle" fill="#555">${esc(fmt3(t))}</text>`);
  parts.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${left + plotW / 2}" y="${top + plotH + 32}" text-anchor="middle" fill="#333">${esc(o.xLabel ?? 'step')}${log ? ' (log scale)' : ''}</text>`,
    `<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle" fill="#333">${esc(o.yLabel)}</text>`,
  );
  const line = (pts: Array<[number, number]>, col: string, width: number, opacity: number, title: string) =>
    pts.length
      ? `<polyline fill="none" stroke="${col}" stroke-width="${width}" stroke-opacity="${opacity}" points="${pts
          .filter((p) => Number.isFinite(p[1]) && (!log || p[1] > 0))
          .map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`)
          .join(' ')}"><title>${esc(title)}</title></polyline>`
      : '';
  for (const c of curves) parts.push(line(c.points, colourOf(c.group), 1, 0.35, c.label));
  groups.forEach((g, gi) => {
    const mine = curves.filter((c) => c.group === gi);
    if (mine.length < 2) return;
    const steps = [...new Set(mine.flatMap((c) => c.points.map((p) => p[0])))].sort((a, b) => a - b);
    const byRun = mine.map((c) => new Map(c.points));
    const med = steps.map((s): [number, number] => [s, median(byRun.map((m) => m.get(s) ?? NaN))]);
    parts.push(line(med, colourOf(gi), 2.4, 1, `${g}: median of ${mine.length} runs`));
  });
  parts.push(leg.svg);
  return frame(w, h, parts.join(''));
}
