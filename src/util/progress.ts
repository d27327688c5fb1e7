/**
 * A terminal progress bar with rate and ETA. Writes to stderr; on a non-TTY (CI, pipes) it prints
 * a plain line at most every `plainEverySec` seconds instead of redrawing.
 */
export interface ProgressOptions {
  total: number;
  label?: string;
  unit?: string;
  /** Start count (e.g. when resuming). */
  start?: number;
  stream?: NodeJS.WriteStream;
  plainEverySec?: number;
  /** Suppress all output. */
  quiet?: boolean;
}

export class ProgressBar {
  private readonly t0 = Date.now();
  private readonly startCount: number;
  private count: number;
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly opts: ProgressOptions) {
    this.startCount = opts.start ?? 0;
    this.count = this.startCount;
    this.stream = opts.stream ?? process.stderr;
    this.tty = !!this.stream.isTTY;
  }

  /** Set the absolute count and an optional status text (e.g. "loss 123.4"). */
  update(count: number, status = ''): void {
    this.count = count;
    if (this.opts.quiet) return;
    const now = Date.now();
    const every = this.tty ? 100 : (this.opts.plainEverySec ?? 10) * 1000;
    if (now - this.lastDraw < every && count < this.opts.total) return;
    this.lastDraw = now;
    this.draw(status);
  }

  finish(status = ''): void {
    if (this.opts.quiet) return;
    this.draw(status);
    if (this.tty) this.stream.write('\n');
  }

  /** Stop drawing without a last line (an error follows): ends the bar's line on a terminal. */
  abandon(): void {
    if (!this.opts.quiet && this.tty) this.stream.write('\n');
  }

  private draw(status: string): void {
    const { total, label = '', unit = 'it' } = this.opts;
    const elapsed = (Date.now() - this.t0) / 1000;
    const done = this.count - this.startCount;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - this.count) / rate : Infinity;
    const frac = total > 0 ? Math.min(1, this.count / total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line =
      `${label ? label + ' ' : ''}${bar} ${this.count}/${total} ${(frac * 100).toFixed(0)}% ` +
      `${formatRate(rate, unit)} ETA ${formatDuration(eta)}${status ? ' ' + status : ''}`;
    if (this.tty) this.stream.write(`\r\x1b[K${line}`);
    else this.stream.write(line + '\n');
  }
}

function formatRate(rate: number, unit: string): string {
  if (rate >= 1) return `${rate.toFixed(rate >= 100 ? 0 : 1)} ${unit}/s`;
  if (rate > 0) return `${(1 / rate).toFixed(1)} s/${unit}`;
  return `- ${unit}/s`;
}

export function formatDuration(sec: number): string {
  if (!isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`
    : `${m}:${String(r).padStart(2, '0')}`;
}
