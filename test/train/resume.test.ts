/**
 * Exact resume for every framework, on wasm and on torch: a run stopped by a signal (checkpoint at the current
 * step) and then "killed" (no checkpoint: the steps since the last periodic one are lost), resumed each time,
 * ends with the same checkpoint bytes and the same log as a run that never stopped. The signal is emitted
 * in-process (the CLI test sends real ones); the torch half runs where the addon is built and is required
 * where DISENTANGLE_REQUIRE_TORCH=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/index.js';
import { addonUnavailableReason } from '../../src/engine/torch/native.js';
import { frameworks } from '../../src/frameworks/index.js';
import { closeRun, openRun, startRun, trainRun } from '../../src/train/index.js';

const reason = addonUnavailableReason();
const required = process.env.DISENTANGLE_REQUIRE_TORCH === '1';

const STEPS = 12;
const config = (framework: string) => ({
  dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4 },
  // FactorVAE's discriminator at its default size (6 × 1000) would dominate the test's time
  framework: { name: framework, ...(framework === 'factorvae' ? { hidden: 16, layers: 2 } : {}) },
  model: { architecture: 'fc', z: 3, hidden: 32 },
  optimizer: { lr: 1e-3 },
  train: { steps: STEPS, batchSize: 8, seed: 3, checkpointEvery: 4, logEvery: 1 },
});

function checkpointBytes(dir: string): Buffer {
  const m = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
  return readFileSync(join(dir, m.file));
}

/** Straight run vs. SIGINT at step 5 → resume → "kill" after 5 more steps (last checkpoint 8) → resume. */
async function resumeMatches(root: string, framework: string) {
  const straight = join(root, `${framework}-straight`);
  let run = await startRun(straight, config(framework));
  await trainRun(run, { quiet: true, noPictures: true });
  closeRun(run);

  const stopped = join(root, `${framework}-stopped`);
  run = await startRun(stopped, config(framework));
  const first = await trainRun(run, {
    quiet: true,
    noPictures: true,
    onStep: (step) => {
      if (step === 5) process.emit('SIGINT', 'SIGINT');
    },
  });
  closeRun(run);
  expect(first).toMatchObject({ step: 5, stopped: true, signal: 'SIGINT' });
  expect(JSON.parse(readFileSync(join(stopped, 'checkpoint.json'), 'utf8')).step).toBe(5);

  run = await openRun(stopped);
  expect(run.step).toBe(5);
  const second = await trainRun(run, { quiet: true, noPictures: true, stopAfter: 5 });
  closeRun(run);
  expect(second).toMatchObject({ step: 10, stopped: true });

  run = await openRun(stopped);
  expect(run.step).toBe(8);
  await trainRun(run, { quiet: true, noPictures: true });
  closeRun(run);

  return {
    same: checkpointBytes(stopped).equals(checkpointBytes(straight)),
    log: readFileSync(join(stopped, 'train.jsonl'), 'utf8'),
    reference: readFileSync(join(straight, 'train.jsonl'), 'utf8'),
  };
}

for (const backend of ['wasm', 'torch']) {
  const skip = backend === 'torch' && reason !== null && !required;
  describe.skipIf(skip)(`exact resume on ${backend}`, () => {
    const root = mkdtempSync(join(tmpdir(), `resume-${backend}-`));
    beforeAll(async () => {
      await initEngine({ backend, quiet: true });
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it.each(frameworks.names())('%s: signal, kill and resume equal a run that never stopped', async (name) => {
      const r = await resumeMatches(root, name);
      expect(r.same).toBe(true);
      // one clean sequence 1 … STEPS, line for line the uninterrupted run's
      expect(
        r.log
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).step),
      ).toEqual([...Array(STEPS).keys()].map((i) => i + 1));
      expect(r.log).toBe(r.reference);
    });
  });
}
