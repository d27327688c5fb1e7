/**
 * Training in the browser, off the page's thread: the CLI trainer's own pieces (assemble, trainStep,
 * checkpoint tensors, pictures) on the chosen backend. Messages in: start, pause, resume, files. Out: started,
 * step (loss and terms), pictures, done, files (a run folder: config.json, train.jsonl, checkpoint, PNGs), error.
 */
import { validateConfig, type RunConfig } from '../../../src/config/index.js';
import { assemble, trainableVariables, type Run } from '../../../src/train/assemble.js';
import { trainStep } from '../../../src/train/trainer.js';
import { encodeCheckpoint, runCheckpointTensors } from '../../../src/train/checkpoint.js';
import { reconstructionImages, traversalImages } from '../../../src/train/pictures.js';
import { startBackend, tf, type PageBackend } from '../lib/engine.js';
import { encodePng } from '../lib/png.js';

export type TrainIn =
  | { type: 'start'; config: unknown; backend: PageBackend; pictureEvery: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'files' };

const post = (m: unknown, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(m, transfer);

let run: Run | null = null;
let vars: tf.Variable[] = [];
let running = false;
let log = '';
let lastLoss = NaN;
let pictureEvery = 50;
let startedAt = 0;
/** Set while the run folder is being read out, so that no step lands between its weights and its optimiser state. */
let hold: Promise<void> | null = null;

function pictures() {
  if (!run) return;
  const rec = reconstructionImages(run);
  const trav = traversalImages(run).image;
  const plain = (i: typeof rec) => ({ data: i.data, width: i.width, height: i.height, channels: i.channels });
  post({ type: 'pictures', step: run.step, reconstructions: plain(rec), traversals: plain(trav) });
}

async function loop() {
  if (!run) return;
  const cfg: RunConfig = run.config;
  const { steps, logEvery } = cfg.train;
  while (running && run.step < steps) {
    while (hold) await hold;
    if (!running) break;
    const t0 = performance.now();
    const { loss, terms, extra } = trainStep(run, vars);
    const ms = performance.now() - t0;
    if (!Number.isFinite(loss) || Object.values(terms).some((v) => !Number.isFinite(v))) {
      running = false;
      post({
        type: 'error',
        message: `loss became ${loss} at step ${run.step} (terms ${JSON.stringify(terms)}): training stopped. Try a lower learning rate or another loss.`,
      });
      return;
    }
    run.step += 1;
    lastLoss = loss;
    const record = { step: run.step, loss, ...terms, ...extra };
    if (run.step % logEvery === 0 || run.step === steps) log += JSON.stringify(record) + '\n';
    post({ type: 'step', record, ms, elapsed: (performance.now() - startedAt) / 1000 });
    if (run.step % pictureEvery === 0 || run.step === steps) pictures();
    // Let pause / files messages in between steps.
    await new Promise((r) => setTimeout(r, 0));
  }
  if (run.step >= steps) {
    running = false;
    post({ type: 'done', step: run.step, loss: lastLoss });
  }
}

async function files() {
  if (!run) throw new Error('nothing trained yet');
  let release = () => {};
  hold = new Promise((ok) => (release = ok));
  try {
    await readOut(run);
  } finally {
    hold = null;
    release();
  }
}

async function readOut(r: Run) {
  const enc = new TextEncoder();
  const tensors = await runCheckpointTensors(r);
  const ck = encodeCheckpoint(r.step, lastLoss, tensors);
  const out: Record<string, Uint8Array> = {
    'config.json': enc.encode(JSON.stringify(r.config, null, 2)),
    'train.jsonl': enc.encode(log),
    'checkpoint.json': enc.encode(JSON.stringify(ck.manifest, null, 1)),
    [ck.file]: ck.bin,
    'reconstructions.png': encodePng(reconstructionImages(r)),
    'traversals.png': encodePng(traversalImages(r).image),
  };
  // As the CLI: summary.json marks a finished run; a paused one is left for `train --resume`.
  if (r.step >= r.config.train.steps)
    out['summary.json'] = enc.encode(JSON.stringify({ step: r.step, loss: lastLoss, config: r.config }, null, 2));
  post(
    { type: 'files', step: r.step, files: out },
    Object.values(out).map((b) => b.buffer as ArrayBuffer),
  );
}

self.onmessage = async (ev: MessageEvent<TrainIn>) => {
  const m = ev.data;
  try {
    if (m.type === 'start') {
      const backend = await startBackend(m.backend);
      const config = await validateConfig(m.config);
      run = await assemble('browser', config);
      vars = trainableVariables(run);
      pictureEvery = m.pictureEvery;
      log = '';
      startedAt = performance.now();
      post({ type: 'started', backend, config });
      pictures();
      running = true;
      await loop();
    } else if (m.type === 'pause') {
      running = false;
      post({ type: 'paused', step: run?.step ?? 0 });
      if (run) pictures();
    } else if (m.type === 'resume') {
      if (!running && run) {
        running = true;
        post({ type: 'resumed', step: run.step });
        await loop();
      }
    } else if (m.type === 'files') await files();
  } catch (e) {
    running = false;
    post({ type: 'error', message: (e as Error).message });
  }
};
