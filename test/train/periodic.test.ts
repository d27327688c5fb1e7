import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/index.js';
import { startRun, openRun, trainRun, closeRun, onTrainStep } from '../../src/train/index.js';
import { validateConfig } from '../../src/config/index.js';
import { evaluateRun } from '../../src/evaluate/index.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm', quiet: true });
});

const cfg = (steps: number) => ({
  dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4, gridSpacing: 2 },
  framework: { name: 'betavae', beta: 2 },
  model: { architecture: 'conv64', z: 3 },
  optimizer: { lr: 1e-3 },
  train: { steps, batchSize: 8, seed: 5, checkpointEvery: 4, logEvery: 1 },
  eval: { every: 2, metrics: 'mig,sap', numTrain: 300, numTest: 150, seed: 1 },
});

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('scores during training (metrics.jsonl)', () => {
  const root = mkdtempSync(join(tmpdir(), 'periodic-'));

  it('scores every K steps; a resumed run keeps the lines up to its checkpoint and ends equal', async () => {
    const a = join(root, 'straight');
    const runA = await startRun(a, cfg(12));
    const seen: number[] = [];
    const off = onTrainStep((e) => seen.push(e.step));
    await trainRun(runA, { quiet: true, noPictures: true });
    off();
    closeRun(runA);
    expect(seen).toEqual([...Array(12).keys()].map((i) => i + 1));
    const la = lines(join(a, 'metrics.jsonl'));
    expect(la.map((l) => l.step)).toEqual([2, 4, 6, 8, 10]); // the end is evaluate's
    expect(Object.keys(la[0]).sort()).toEqual(['mig', 'sap', 'step']);

    const b = join(root, 'stopped');
    const runB = await startRun(b, cfg(12));
    await trainRun(runB, { quiet: true, noPictures: true, stopAfter: 10 }); // scored at 2…10, checkpoint at 8
    closeRun(runB);
    const path = join(b, 'metrics.jsonl');
    expect(lines(path).map((l) => l.step)).toEqual([2, 4, 6, 8, 10]);
    // mark the line of step 4: if it is recomputed on resume, the mark disappears
    writeFileSync(
      path,
      lines(path)
        .map((l) => JSON.stringify(l.step === 4 ? { ...l, mark: 1 } : l) + '\n')
        .join(''),
    );
    const resumed = await openRun(b);
    expect(resumed.step).toBe(8);
    await trainRun(resumed, { quiet: true, noPictures: true });
    closeRun(resumed);
    const lb = lines(path);
    expect(lb.map((l) => l.step)).toEqual([2, 4, 6, 8, 10]);
    expect(lb[1].mark).toBe(1);
    delete lb[1].mark;
    expect(lb).toEqual(la);

    // the evaluation of a checkpoint with the same settings gives that step's line
    const c = join(root, 'at8');
    const runC = await startRun(c, cfg(12));
    await trainRun(runC, { quiet: true, noPictures: true, stopAfter: 8 });
    closeRun(runC);
    const at8 = await evaluateRun(c, { names: ['mig', 'sap'], numTrain: 300, numTest: 150, seed: 1 });
    expect(at8.scores).toEqual({ mig: la[3].mig, sap: la[3].sap });
  });

  it('validates the eval block: metric names, sizes, unknown keys', async () => {
    await expect(validateConfig({ ...cfg(2), eval: { every: 2, metrics: ['mig', 'nope'] } })).rejects.toThrow(
      /eval.metrics.*unknown metric 'nope'/,
    );
    await expect(validateConfig({ ...cfg(2), eval: { every: -1 } })).rejects.toThrow(/eval.every/);
    await expect(validateConfig({ ...cfg(2), eval: { every: 2, often: true } })).rejects.toThrow(
      /unknown key 'eval.often'/,
    );
    expect((await validateConfig({ ...cfg(2), eval: { metrics: 'mig, dci' } })).eval).toEqual({
      every: 0,
      metrics: ['mig', 'dci'],
      numTrain: 10000,
      numTest: 5000,
      seed: 0,
      preset: 'quick',
    });
    expect((await validateConfig({ ...cfg(2), eval: undefined })).eval).toBeUndefined();
  });
});
