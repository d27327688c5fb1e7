/**
 * Big datasets: XYSquares at spacing 1 on the full grid has 57⁶ ≈ 3.4·10¹⁰ observations, far past 32 bits.
 * Every index path — state space, samplers, training, export, analysis, perturbation — must stay exact (an
 * Int32Array of indices wrapped them: "index -916817445 is out of range").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/index.js';
import {
  createDataset,
  renderObservations,
  samplePairs,
  sampleBatch,
  type GroundTruthDataset,
} from '../../src/data/index.js';
import { readNpz } from '../../src/data/formats/npz.js';
import { StateSpace } from '../../src/data/state-space.js';
import { analysePerceivedDistances, findPerturbation } from '../../src/analysis/index.js';
import { applyPerturbation } from '../../src/data/perturbed.js';
import { parseLoss } from '../../src/losses/index.js';
import { closeRun, startRun, trainRun } from '../../src/train/index.js';
import { Rng } from '../../src/util/rng.js';
import { cli } from '../cli/helpers.js';

const SIZE = 57 ** 6;
let ds: GroundTruthDataset;
const root = mkdtempSync(join(tmpdir(), 'big-'));

beforeAll(async () => {
  await initEngine({ backend: 'wasm', quiet: true });
  ds = await createDataset('xysquares', { gridSpacing: 1 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const differing = (i: number, j: number) => {
  const a = ds.stateSpace.toFactors(i),
    b = ds.stateSpace.toFactors(j);
  return a.reduce((n, v, k) => n + (v !== b[k] ? 1 : 0), 0);
};

describe('a dataset of 57⁶ observations', () => {
  it('indexes exactly: the last index, round trips, samples past 2^31', () => {
    expect(ds.size).toBe(SIZE);
    expect(SIZE).toBeGreaterThan(2 ** 34);
    expect(Array.from(ds.stateSpace.toFactors(SIZE - 1))).toEqual([56, 56, 56, 56, 56, 56]);
    expect(ds.stateSpace.toIndex([56, 56, 56, 56, 56, 56])).toBe(SIZE - 1);
    const last = renderObservations(ds, [SIZE - 1]);
    // all three squares in the bottom-right corner, one per channel
    expect(last[(63 * 64 + 63) * 3]).toBe(1);
    expect(last[(63 * 64 + 63) * 3 + 2]).toBe(1);
    const idx = ds.stateSpace.sampleIndices(2000, new Rng(1));
    expect(Math.max(...idx)).toBeGreaterThan(2 ** 31);
    expect(Math.min(...idx)).toBeGreaterThanOrEqual(0);
    for (const i of idx) expect(ds.stateSpace.toIndex(ds.stateSpace.toFactors(i))).toBe(i);
    expect(() => new StateSpace([2 ** 27, 2 ** 27])).toThrow(/more than 2\^53/);
  });

  it('samples pairs among its last indices that differ in exactly one factor', () => {
    const pairs = samplePairs(ds, 500, 1, new Rng(2));
    let high = 0;
    for (let i = 0; i < 500; i++) {
      expect(differing(pairs[i], pairs[500 + i])).toBe(1);
      if (pairs[i] > SIZE - SIZE / 57) high++; // first factor at its last value: the last 1/57 of the indices
    }
    expect(high).toBeGreaterThan(0);
    const batch = sampleBatch(ds, 64, 'pairs', new Rng(3));
    expect(batch.every((v) => Number.isInteger(v) && v >= 0 && v < SIZE)).toBe(true);
  });

  it('trains Ada-GVAE a few steps', async () => {
    const run = await startRun(join(root, 'ada'), {
      dataset: { name: 'xysquares', gridSpacing: 1 },
      framework: { name: 'adagvae' },
      model: { architecture: 'fc', z: 3, hidden: 16 },
      train: { steps: 3, batchSize: 4, seed: 1, checkpointEvery: 3, logEvery: 1 },
    });
    const r = await trainRun(run, { quiet: true, noPictures: true });
    closeRun(run);
    expect(r.step).toBe(3);
    expect(Number.isFinite(r.loss)).toBe(true);
  });

  it('analyses and perturbs it', async () => {
    const report = analysePerceivedDistances(ds, await parseLoss('mse'), {
      traversals: 1,
      pairs: 50,
      randomPairs: 50,
      maxTraversalLength: 4,
    });
    expect(report.factors).toHaveLength(6);
    expect(Number.isFinite(report.randomPairs.mean)).toBe(true);
    const p = findPerturbation(ds, { epsilon: 0.1, steps: 1, batch: 2 });
    const perturbed = applyPerturbation(ds, p);
    const x = renderObservations(perturbed, [SIZE - 1, 2 ** 33 + 5]);
    expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('exports its last observation by index (int64 indices in the .npz)', async () => {
    const out = join(root, 'last.npz');
    const r = await cli([
      'data',
      'export',
      'xysquares',
      '--set',
      'gridSpacing=1',
      '--indices',
      `${SIZE - 1},${2 ** 31 + 7}`,
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const a = readNpz(out);
    expect(a.indices.dtype).toBe('int64');
    expect(Array.from(a.indices.data as BigInt64Array)).toEqual([BigInt(SIZE - 1), BigInt(2 ** 31 + 7)]);
    expect(Array.from(a.factors.data as Int32Array).slice(0, 6)).toEqual([56, 56, 56, 56, 56, 56]);
    const over = await cli([
      'data',
      'export',
      'xysquares',
      '--set',
      'gridSpacing=1',
      '--indices',
      `${SIZE}`,
      '--out',
      out,
    ]);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain(`valid indices are 0 … ${SIZE - 1}`);
  });
});
