/**
 * Perceived distances off the page's thread: the toolkit's own analysis (src/analysis/perceived.ts) on the
 * chosen tfjs backend, with progress messages. One job at a time; the page starts a fresh worker to cancel.
 */
import { analysePerceivedDistances } from '../../../src/analysis/perceived.js';
import { perceivedSummary } from '../../../src/analysis/html-sections.js';
import { makeDataset, loss as parseLoss } from '../lib/registry.js';
import { startBackend, type PageBackend } from '../lib/engine.js';

export interface DistanceJob {
  type: 'run';
  dataset: string;
  params: Record<string, unknown>;
  loss: string;
  traversals: number;
  pairs: number;
  randomPairs: number;
  seed: number;
  backend: PageBackend;
}

const post = (m: unknown, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(m, transfer);

let started: Promise<string> | null = null;

self.onmessage = async (ev: MessageEvent<DistanceJob>) => {
  const job = ev.data;
  try {
    started ??= startBackend(job.backend);
    const backend = await started;
    const ds = await makeDataset(job.dataset, job.params);
    const loss = await parseLoss(job.loss);
    const t0 = performance.now();
    let last = 0;
    const report = analysePerceivedDistances(ds, loss, {
      traversals: job.traversals,
      pairs: job.pairs,
      randomPairs: job.randomPairs,
      seed: job.seed,
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - last > 100 || done === total) {
          last = now;
          post({ type: 'progress', done, total });
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const matrices = report.factors.map((f) => ({ name: f.name, values: f.traversedValues, matrix: f.matrix }));
    post(
      {
        type: 'result',
        summary: perceivedSummary(report),
        matrices,
        seconds,
        backend,
        reasons: report.factors.map((f) => f.reason),
      },
      matrices.map((m) => m.matrix.buffer),
    );
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
};
