/**
 * The local pool's display: one line per worker (run, step, loss, rate, ETA) under an overall bar. On a
 * terminal the block is redrawn in place (at most 5 times a second) with finished runs printed above it;
 * elsewhere (CI, pipes, logs) each start and end is one plain line, and the block every 30 seconds.
 */
import { formatDuration } from '../util/progress.js';

export interface WorkerView {
  slot: number;
  name: string;
  phase: string;
  step: number;
  steps: number;
  loss: number;
  /** When this attempt's first progress arrived, and at which step (for the rate). */
  firstAt?: number;
  firstStep?: number;
}

export class PoolDisplay {
  private drawn = 0;
  private lastDraw = 0;
  private lastPlain = Date.now();
  private readonly tty: boolean;
  private readonly t0 = Date.now();

  constructor(
    private readonly total: number,
    private readonly quiet = false,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = !!stream.isTTY;
  }

  /** A line that stays (a run started, finished, failed). */
  event(line: string, workers: WorkerView[], counts: Counts): void {
    if (this.quiet) return;
    this.clear();
    this.stream.write(line + '\n');
    this.draw(workers, counts, true);
  }

  update(workers: WorkerView[], counts: Counts): void {
    if (this.quiet) return;
    this.draw(workers, counts, false);
  }

  finish(): void {
    if (!this.quiet) this.clear();
  }

  private clear(): void {
    if (!this.tty || !this.drawn) return;
    this.stream.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private draw(workers: WorkerView[], c: Counts, force: boolean): void {
    const now = Date.now();
    if (!this.tty) {
      if (!force && now - this.lastPlain < 30_000) return;
      if (!force) this.stream.write(this.lines(workers, c).join('\n') + '\n');
      this.lastPlain = now;
      return;
    }
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    this.clear();
    const width = Math.max(40, (this.stream.columns || 100) - 1);
    const lines = this.lines(workers, c).map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l));
    this.stream.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }

  private lines(workers: WorkerView[], c: Counts): string[] {
    const finished = c.done + c.failed;
    const frac = this.total ? finished / this.total : 1;
    const bar = '█'.repeat(Math.round(frac * 24)) + '░'.repeat(24 - Math.round(frac * 24));
    const elapsed = (Date.now() - this.t0) / 1000;
    const eta =
      finished > 0 ? (elapsed / finished) * (this.total - finished) : trainingEta(workers, this.total - workers.length);
    const head =
      `sweep ${bar} ${finished}/${this.total} runs (${c.done} done${c.failed ? `, ${c.failed} failed` : ''}), ` +
      `${workers.length} running, elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(eta)}`;
    const width = Math.max(...workers.map((w) => w.name.length), 10);
    return [
      head,
      ...workers
        .slice()
        .sort((a, b) => a.slot - b.slot)
        .map((w) => `  [${w.slot}] ${w.name.padEnd(width)}  ${describe(w)}`),
    ];
  }
}

export interface Counts {
  done: number;
  failed: number;
}

/** A worker's training rate in steps a second (NaN before its second report). */
function rateOf(w: WorkerView): number {
  if (w.phase !== 'training' || !w.steps) return NaN;
  if (w.firstAt === undefined || w.firstStep === undefined || w.step <= w.firstStep) return NaN;
  return (w.step - w.firstStep) / ((Date.now() - w.firstAt) / 1000);
}

/**
 * Before any run has finished: the running runs' training ETAs, then the runs not yet started, each as long
 * as a running one trains, shared among the workers (evaluation left out: it is not timed until a run ends).
 */
function trainingEta(workers: WorkerView[], notStarted: number): number {
  const timed = workers.map((w) => ({ w, rate: rateOf(w) })).filter((t) => t.rate > 0);
  if (!timed.length || timed.length < workers.length) return Infinity;
  const left = Math.max(...timed.map(({ w, rate }) => (w.steps - w.step) / rate));
  const perRun = timed.reduce((s, { w, rate }) => s + w.steps / rate, 0) / timed.length;
  return left + Math.ceil(Math.max(0, notStarted) / workers.length) * perRun;
}

function describe(w: WorkerView): string {
  if (w.phase !== 'training' || !w.steps) return w.phase;
  const rate = rateOf(w);
  const eta = rate > 0 ? (w.steps - w.step) / rate : Infinity;
  return (
    `step ${w.step}/${w.steps}  loss ${Number.isFinite(w.loss) ? w.loss.toFixed(2) : '-'}  ` +
    `${rate > 0 ? `${rate.toFixed(rate >= 10 ? 0 : 1)} step/s` : '- step/s'}  ETA ${formatDuration(eta)}`
  );
}
