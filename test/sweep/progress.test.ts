/** The pool's display: the sweep's ETA before any run has finished comes from the workers' training rates. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PoolDisplay, type WorkerView } from '../../src/sweep/progress.js';

function screen() {
  const out = { text: '', isTTY: true, columns: 200, write: (s: string) => ((out.text += s), true) };
  return out;
}

const worker = (slot: number, step: number, steps: number, secondsAgo: number): WorkerView => ({
  slot,
  name: `run${slot}`,
  phase: 'training',
  step,
  steps,
  loss: 0.5,
  firstAt: Date.now() - secondsAgo * 1000,
  firstStep: 0,
});

const head = (text: string) => text.split('\n').find((l) => l.startsWith('sweep '))!;

describe('pool display', () => {
  // a fixed clock: the rates are then exact (10 step/s, not 9.99 from the milliseconds the test took)
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z'), toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('estimates the ETA from the running runs before any has finished', () => {
    // one worker at 10 step/s with 1,000 of 2,000 steps left, one run not started: 100 s + 200 s
    const s = screen();
    new PoolDisplay(2, false, s as unknown as NodeJS.WriteStream).update([worker(1, 1000, 2000, 100)], {
      done: 0,
      failed: 0,
    });
    expect(head(s.text)).toMatch(/0\/2 runs .*ETA 5:00$/);
    expect(s.text).toMatch(/\[1\] run1 +step 1000\/2000 .* 10 step\/s {2}ETA 1:40/);
  });

  it('says it does not know while a worker has no rate yet', () => {
    const s = screen();
    const starting = { ...worker(2, 0, 2000, 0), firstAt: undefined, firstStep: undefined };
    new PoolDisplay(3, false, s as unknown as NodeJS.WriteStream).update([worker(1, 500, 2000, 50), starting], {
      done: 0,
      failed: 0,
    });
    expect(head(s.text)).toMatch(/ETA --:--/);
  });
});
