/**
 * Small SVG charts for reports: heatmaps (distance / MI / importance matrices), bar charts and line charts.
 * Plain strings so they embed in HTML or stand alone as .svg files.
 */

export interface HeatmapOptions {
  title?: string;
  rowLabels?: string[];
  colLabels?: string[];
  /** Pixel size of one cell. */
  cell?: number;
  /** Value range for the colour scale (default: min/max of the data). */
  min?: number;
  max?: number;
  /** Print values in cells (for small matrices). */
  annotate?: boolean;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Viridis-like colour ramp (5 anchors, linearly interpolated) for t in [0, 1]. */
export function colourRamp(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
  return v.toFixed(a < 0.1 ? 4 : a < 10 ? 3 : 1);
}

/** A rows×cols matrix (row-major) as an SVG heatmap with a colour bar. */
export function heatmapSvg(values: ArrayLike<number>, rows: number, cols: number, o: HeatmapOptions = {}): string {
  const cell = o.cell ?? Math.max(6, Math.min(36, Math.floor(320 / Math.max(rows, cols))));
  let lo = o.min ?? Infinity;
  let hi = o.max ?? -Infinity;
  if (o.min === undefined || o.max === undefined) {
    for (let i = 0; i < rows * cols; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      if (o.min === undefined) lo = Math.min(lo, v);
      if (o.max === undefined) hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo)) lo = 0;
  if (!Number.isFinite(hi)) hi = 1;
  const span = hi - lo || 1;
  const left = o.rowLabels ? 70 : 10;
  const top = (o.title ? 22 : 6) + (o.colLabels ? 50 : 0);
  const w = left + cols * cell + 70;
  const h = top + rows * cell + 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="10">`,
  ];
  if (o.title) parts.push(`<text x="${left}" y="14" font-size="12" font-weight="bold">${esc(o.title)}</text>`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      const t = (v - lo) / span;
      parts.push(
        `<rect x="${left + c * cell}" y="${top + r * cell}" width="${cell}" height="${cell}" fill="${colourRamp(t)}"><title>${esc(`${o.rowLabels?.[r] ?? r}, ${o.colLabels?.[c] ?? c}: ${fmtNum(v)}`)}</title></rect>`,
      );
      if (o.annotate && cell >= 24) {
        parts.push(
          `<text x="${left + c * cell + cell / 2}" y="${top + r * cell + cell / 2 + 3}" text-anchor="middle" fill="${t > 0.6 ? '#000' : '#fff'}" font-size="8">${esc(fmtNum(v))}</text>`,
        );
      }
    }
  }
  o.rowLabels?.forEach((l, r) =>
    parts.push(`<text x="${left - 4}" y="${top + r * cell + cell / 2 + 3}" text-anchor="end">${esc(l)}</text>`),
  );
  o.colLabels?.forEach((l, c) => {
    const x = left + c * cell + cell / 2;
    parts.push(`<text x="${x}" y="${top - 4}" transform="rotate(-45 ${x} ${top - 4})">${esc(l)}</text>`);
  });
  // colour bar
  const bx = left + cols * cell + 12;
  const bh = rows * cell;
  for (let i = 0; i < 20; i++) {
    parts.push(
      `<rect x="${bx}" y="${top + (bh * i) / 20}" width="10" height="${bh / 20 + 0.5}" fill="${colourRamp(1 - i / 19)}"/>`,
    );
  }
  parts.push(`<text x="${bx + 13}" y="${top + 8}">${esc(fmtNum(hi))}</text>`);
  parts.push(`<text x="${bx + 13}" y="${top + bh}">${esc(fmtNum(lo))}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

export interface BarSeries {
  name: string;
  values: number[];
  colour?: string;
}

const palette = ['#4c72b0', '#dd8452', '#55a868', '#c44e52', '#8172b3', '#937860', '#da8bc3', '#8c8c8c'];

/** Grouped bar chart: one group per label, one bar per series; optional error bars. */
export function barChartSvg(
  labels: string[],
  series: BarSeries[],
  o: { title?: string; yLabel?: string; errors?: number[][]; min?: number; max?: number } = {},
): string {
  const groupW = Math.max(30, 14 * series.length + 12);
  const left = 56,
    top = o.title ? 26 : 10,
    plotH = 180,
    bottom = 60;
  const w = Math.max(left + labels.length * groupW + 20 + 120, o.title ? left + 7 * o.title.length : 0);
  const h = top + plotH + bottom;
  let hi = o.max ?? -Infinity,
    lo = o.min ?? 0;
  for (const s of series)
    s.values.forEach((v, i) => {
      const e = o.errors?.[series.indexOf(s)]?.[i] ?? 0;
      if (Number.isFinite(v)) {
        if (o.max === undefined) hi = Math.max(hi, v + e);
        if (o.min === undefined) lo = Math.min(lo, v - e);
      }
    });
  if (!Number.isFinite(hi) || hi <= lo) hi = lo + 1;
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="10">`,
  ];
  if (o.title) parts.push(`<text x="${left}" y="16" font-size="12" font-weight="bold">${esc(o.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(`<line x1="${left}" x2="${left + labels.length * groupW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 4}" y="${y(v) + 3}" text-anchor="end">${esc(fmtNum(v))}</text>`);
  }
  if (o.yLabel)
    parts.push(
      `<text x="12" y="${top + plotH / 2}" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle">${esc(o.yLabel)}</text>`,
    );
  labels.forEach((l, g) => {
    series.forEach((s, k) => {
      const v = s.values[g];
      if (!Number.isFinite(v)) return;
      const x = left + g * groupW + 6 + k * 14;
      const y0 = y(Math.max(lo, 0)),
        y1 = y(v);
      parts.push(
        `<rect x="${x}" y="${Math.min(y0, y1)}" width="12" height="${Math.max(0.5, Math.abs(y0 - y1))}" fill="${s.colour ?? palette[k % palette.length]}"><title>${esc(`${s.name} ${l}: ${fmtNum(v)}`)}</title></rect>`,
      );
      const e = o.errors?.[k]?.[g];
      if (e && Number.isFinite(e))
        parts.push(`<line x1="${x + 6}" x2="${x + 6}" y1="${y(v - e)}" y2="${y(v + e)}" stroke="#000"/>`);
    });
    const x = left + g * groupW + groupW / 2;
    parts.push(
      `<text x="${x}" y="${top + plotH + 12}" transform="rotate(30 ${x} ${top + plotH + 12})">${esc(l)}</text>`,
    );
  });
  series.forEach((s, k) => {
    const lx = left + labels.length * groupW + 16;
    parts.push(
      `<rect x="${lx}" y="${top + k * 14}" width="10" height="10" fill="${s.colour ?? palette[k % palette.length]}"/><text x="${lx + 14}" y="${top + k * 14 + 9}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Line chart of several series over a shared x axis (e.g. loss curves, metric vs spacing). */
export function lineChartSvg(
  x: number[],
  series: BarSeries[],
  o: { title?: string; xLabel?: string; yLabel?: string; logY?: boolean } = {},
): string {
  const left = 60,
    top = o.title ? 26 : 10,
    plotW = 360,
    plotH = 180,
    bottom = 36;
  const w = left + plotW + 140,
    h = top + plotH + bottom;
  const tr = (v: number) => (o.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  let lo = Infinity,
    hi = -Infinity;
  for (const s of series)
    for (const v of s.values)
      if (Number.isFinite(v)) {
        lo = Math.min(lo, tr(v));
        hi = Math.max(hi, tr(v));
      }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi <= lo) hi = lo + 1;
  const xlo = Math.min(...x),
    xhi = Math.max(...x) === xlo ? xlo + 1 : Math.max(...x);
  const px = (v: number) => left + ((v - xlo) / (xhi - xlo)) * plotW;
  const py = (v: number) => top + plotH - ((tr(v) - lo) / (hi - lo)) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="10">`,
  ];
  if (o.title) parts.push(`<text x="${left}" y="16" font-size="12" font-weight="bold">${esc(o.title)}</text>`);
  parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (let i = 0; i <= 4; i++) {
    const t = lo + ((hi - lo) * i) / 4;
    const yy = top + plotH - (plotH * i) / 4;
    parts.push(`<text x="${left - 4}" y="${yy + 3}" text-anchor="end">${esc(fmtNum(o.logY ? 10 ** t : t))}</text>`);
  }
  parts.push(
    `<text x="${left}" y="${top + plotH + 12}">${esc(fmtNum(xlo))}</text><text x="${left + plotW}" y="${top + plotH + 12}" text-anchor="end">${esc(fmtNum(xhi))}</text>`,
  );
  if (o.xLabel)
    parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 28}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (o.yLabel)
    parts.push(
      `<text x="12" y="${top + plotH / 2}" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle">${esc(o.yLabel)}</text>`,
    );
  series.forEach((s, k) => {
    const pts = s.values
      .map((v, i) => (Number.isFinite(v) ? `${px(x[i]).toFixed(1)},${py(v).toFixed(1)}` : null))
      .filter(Boolean);
    const col = s.colour ?? palette[k % palette.length];
    parts.push(`<polyline fill="none" stroke="${col}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    parts.push(
      `<rect x="${left + plotW + 12}" y="${top + k * 14}" width="10" height="10" fill="${col}"/><text x="${left + plotW + 26}" y="${top + k * 14 + 9}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A scatter plot of (x, y) points coloured by a small integer class (e.g. latent codes coloured by a factor). */
export function scatterSvg(
  x: number[],
  y: number[],
  cls: number[],
  o: {
    title?: string;
    xLabel?: string;
    yLabel?: string;
    size?: number;
    /** Legend text of each class value (the value itself when absent). */
    classNames?: Record<number, string>;
    /** A tooltip per point (e.g. which run group it is). */
    pointTitles?: string[];
  } = {},
): string {
  const S = o.size ?? 320,
    left = 50,
    top = o.title ? 26 : 10,
    bottom = 34;
  const finite = (v: number[]) => v.filter(Number.isFinite);
  const range = (v: number[]) => {
    const f = finite(v);
    const lo = f.length ? Math.min(...f) : 0,
      hi = f.length ? Math.max(...f) : 1;
    return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
  };
  const [xlo, xhi] = range(x),
    [ylo, yhi] = range(y);
  const px = (v: number) => left + ((v - xlo) / (xhi - xlo)) * S;
  const py = (v: number) => top + S - ((v - ylo) / (yhi - ylo)) * S;
  const classes = [...new Set(cls)].sort((a, b) => a - b);
  const legend = Math.max(90, 30 + 6 * Math.max(0, ...classes.map((c) => (o.classNames?.[c] ?? String(c)).length))),
    // wide enough for the title too (≈ 7 px a character at 12 px bold)
    w = Math.max(left + S + legend, o.title ? left + 7 * o.title.length : 0),
    h = top + S + bottom;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="10">`,
  ];
  if (o.title) parts.push(`<text x="${left}" y="16" font-size="12" font-weight="bold">${esc(o.title)}</text>`);
  parts.push(`<rect x="${left}" y="${top}" width="${S}" height="${S}" fill="none" stroke="#999"/>`);
  parts.push(
    `<text x="${left}" y="${top + S + 12}">${esc(fmtNum(xlo))}</text><text x="${left + S}" y="${top + S + 12}" text-anchor="end">${esc(fmtNum(xhi))}</text>`,
    `<text x="${left - 4}" y="${top + S}" text-anchor="end">${esc(fmtNum(ylo))}</text><text x="${left - 4}" y="${top + 8}" text-anchor="end">${esc(fmtNum(yhi))}</text>`,
  );
  if (o.xLabel)
    parts.push(`<text x="${left + S / 2}" y="${top + S + 26}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (o.yLabel)
    parts.push(
      `<text x="14" y="${top + S / 2}" transform="rotate(-90 14 ${top + S / 2})" text-anchor="middle">${esc(o.yLabel)}</text>`,
    );
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    const col = palette[classes.indexOf(cls[i]) % palette.length];
    const tip = o.pointTitles?.[i];
    parts.push(
      `<circle cx="${px(x[i]).toFixed(1)}" cy="${py(y[i]).toFixed(1)}" r="${tip ? 3.5 : 2.2}" fill="${col}" fill-opacity="0.6"` +
        (tip ? `><title>${esc(tip)}</title></circle>` : '/>'),
    );
  }
  classes.slice(0, 20).forEach((c, k) => {
    parts.push(
      `<rect x="${left + S + 12}" y="${top + k * 14}" width="10" height="10" fill="${palette[k % palette.length]}"/><text x="${left + S + 26}" y="${top + k * 14 + 9}">${esc(o.classNames?.[c] ?? String(c))}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
