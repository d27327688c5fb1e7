import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/index.js';
import { startRun, openRun, trainRun, closeRun, loadRun, traversalImages } from '../../src/train/index.js';
import { validateConfig } from '../../src/config/index.js';
import { UserError } from '../../src/util/errors.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm', quiet: true });
});

const tiny = (steps: number, extra: Record<string, unknown> = {}) => ({
  dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4, gridSpacing: 2 },
  framework: { name: 'betavae', beta: 2 },
  model: { architecture: 'conv64', z: 3 },
  loss: 'bce',
  optimizer: { lr: 1e-3 },
  train: { steps, batchSize: 8, seed: 3, checkpointEvery: 4, logEvery: 1 },
  ...extra,
});

function weights(dir: string): Float32Array {
  const m = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
  return new Float32Array(new Uint8Array(readFileSync(join(dir, m.file))).buffer);
}

describe('trainer', () => {
  const root = mkdtempSync(join(tmpdir(), 'train-'));

  it('a run stopped and resumed equals one that never stopped, with one clean log', async () => {
    const a = join(root, 'straight');
    const runA = await startRun(a, tiny(12));
    await trainRun(runA, { quiet: true, noPictures: true });
    closeRun(runA);

    const b = join(root, 'stopped');
    const runB = await startRun(b, tiny(12));
    // "killed" after 10 steps: the last checkpoint is at step 8, steps 9–10 are logged but lost
    const r = await trainRun(runB, { quiet: true, noPictures: true, stopAfter: 10 });
    expect(r.stopped).toBe(true);
    closeRun(runB);
    const resumed = await openRun(b);
    expect(resumed.step).toBe(8);
    await trainRun(resumed, { quiet: true, noPictures: true });
    closeRun(resumed);

    expect(Array.from(weights(b))).toEqual(Array.from(weights(a)));
    const steps = readFileSync(join(b, 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([...Array(12).keys()].map((i) => i + 1));
    const logA = readFileSync(join(a, 'train.jsonl'), 'utf8');
    expect(readFileSync(join(b, 'train.jsonl'), 'utf8')).toBe(logA);
    expect(JSON.parse(logA.split('\n')[0])).toHaveProperty('kl');
  });

  it("disent's options (conv64-disent, xavier-normal, ε 1e-8, resampled pairs, symmetric KL) reach the run and resume exactly", async () => {
    const disentLike = (steps: number) =>
      tiny(steps, {
        framework: { name: 'adagvae', beta: 0.001, thresholdMode: 'symmetric-kl' },
        model: { architecture: 'conv64-disent', z: 3, init: 'xavier-normal' },
        loss: 'mse',
        lossReduction: 'mean',
        optimizer: { lr: 1e-3, epsilon: 1e-8 },
        train: { steps, batchSize: 8, seed: 3, checkpointEvery: 4, logEvery: 1, pairSampling: 'resample' },
      });
    const a = join(root, 'disent-straight');
    const runA = await startRun(a, disentLike(8));
    expect(runA.optimizer.getConfig().epsilon).toBe(1e-8);
    expect(runA.model.encoderVariables[8].shape).toEqual([2 * 2 * 64, 256]); // 16 → 9 → 5 → 3 → 2
    expect(Array.from(runA.model.encoderVariables[1].dataSync()).every((v) => v === 0)).toBe(true);
    await trainRun(runA, { quiet: true, noPictures: true });
    closeRun(runA);
    const b = join(root, 'disent-stopped');
    const runB = await startRun(b, disentLike(8));
    await trainRun(runB, { quiet: true, noPictures: true, stopAfter: 6 });
    closeRun(runB);
    const resumed = await openRun(b);
    expect(resumed.step).toBe(4);
    expect(resumed.optimizer.getConfig().epsilon).toBe(1e-8);
    await trainRun(resumed, { quiet: true, noPictures: true });
    closeRun(resumed);
    expect(Array.from(weights(b))).toEqual(Array.from(weights(a)));
    // the default stays tfjs's ε
    const plain = await startRun(join(root, 'plain-eps'), tiny(1));
    expect(plain.optimizer.getConfig().epsilon).toBe(1e-7);
    closeRun(plain);
  });

  it('a run killed before its first checkpoint shows its log, and its resume starts both over', async () => {
    const d = join(root, 'early');
    const run = await startRun(d, tiny(12));
    await trainRun(run, { quiet: true, noPictures: true, stopAfter: 3 });
    closeRun(run);
    // the log is live: three lines, though no checkpoint was written yet
    expect(readFileSync(join(d, 'train.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(existsSync(join(d, 'checkpoint.json'))).toBe(false);
    const resumed = await openRun(d);
    expect(resumed.step).toBe(0);
    expect(readFileSync(join(d, 'train.jsonl'), 'utf8')).toBe('');
    await trainRun(resumed, { quiet: true, noPictures: true });
    closeRun(resumed);
    expect(Array.from(weights(d))).toEqual(Array.from(weights(join(root, 'straight'))));
    expect(readFileSync(join(d, 'train.jsonl'), 'utf8')).toBe(
      readFileSync(join(root, 'straight', 'train.jsonl'), 'utf8'),
    );
  });

  it('refuses to overwrite a folder that is not a resumable run, or an existing run', async () => {
    const d = join(root, 'other');
    mkdirSync(d);
    writeFileSync(join(d, 'notes.txt'), 'keep me');
    await expect(startRun(d, tiny(2))).rejects.toThrow(/not a run folder/);
    expect(readFileSync(join(d, 'notes.txt'), 'utf8')).toBe('keep me');
    await expect(openRun(d)).rejects.toThrow(/not a run folder/);
    const a = join(root, 'straight');
    await expect(startRun(a, tiny(2))).rejects.toThrow(/already holds a run.*--resume/);
  });

  it('stops on a NaN loss with a clear message and keeps the last good checkpoint', async () => {
    const d = join(root, 'nan');
    // a learning rate this large blows the weights up within a few steps
    const run = await startRun(d, tiny(200, { optimizer: { lr: 1e30 } }));
    let err: unknown;
    try {
      await trainRun(run, { quiet: true, noPictures: true });
    } catch (e) {
      err = e;
    }
    closeRun(run);
    expect(err).toBeInstanceOf(UserError);
    expect(String((err as Error).message)).toMatch(/loss became (NaN|Infinity|-Infinity) at step \d+/);
    if (existsSync(join(d, 'checkpoint.json'))) {
      const m = JSON.parse(readFileSync(join(d, 'checkpoint.json'), 'utf8'));
      expect(Number.isFinite(m.loss)).toBe(true);
      expect(weights(d).every((v) => Number.isFinite(v))).toBe(true);
    }
  });

  it('validates configs at the door, naming the key and the allowed values', async () => {
    await expect(validateConfig({ ...tiny(2), foo: 1 })).rejects.toThrow(
      /unknown key 'foo'.*Allowed top-level keys: dataset, framework/,
    );
    await expect(validateConfig(tiny(2, { model: { architecture: 'resnet', z: 3 } }))).rejects.toThrow(
      /model.architecture/,
    );
    await expect(validateConfig(tiny(2, { dataset: { name: 'xysquares', numSquares: 4 } }))).rejects.toThrow(
      /numSquares/,
    );
    await expect(validateConfig(tiny(2, { framework: { name: 'betavae', gamma: 1 } }))).rejects.toThrow(
      /unknown key 'gamma'|unknown parameter/,
    );
    await expect(validateConfig(tiny(2, { loss: 'l2' }))).rejects.toThrow(/valid forms/);
  });

  it('a PCL run has no decoder: it trains on temporal pairs, resumes exactly, draws no pictures, and says why', async () => {
    const cfg = tiny(6, {
      framework: { name: 'pcl' },
      train: { steps: 6, batchSize: 8, seed: 3, checkpointEvery: 3, logEvery: 1, temporalRate: 2 },
    });
    const a = join(root, 'pcl');
    const run = await startRun(a, cfg);
    expect(run.model.decoderVariables).toEqual([]);
    await trainRun(run, { quiet: true }); // pictures asked for: there are none to draw
    closeRun(run);
    expect(existsSync(join(a, 'summary.json'))).toBe(true);
    expect(existsSync(join(a, 'reconstructions.png'))).toBe(false);
    expect(JSON.parse(readFileSync(join(a, 'train.jsonl'), 'utf8').split('\n')[0])).toHaveProperty('accuracy');

    const b = join(root, 'pcl-stopped');
    const runB = await startRun(b, cfg);
    await trainRun(runB, { quiet: true, noPictures: true, stopAfter: 5 });
    closeRun(runB);
    const resumed = await openRun(b);
    expect(resumed.step).toBe(3);
    await trainRun(resumed, { quiet: true, noPictures: true });
    closeRun(resumed);
    expect(Array.from(weights(b))).toEqual(Array.from(weights(a)));

    const loaded = await loadRun(a);
    expect(loaded.encode(new Float32Array(2 * 16 * 16), 2).length).toBe(6);
    expect(() => loaded.decode(new Float32Array(3), 1)).toThrow(/without a decoder/);
    loaded.dispose();
    const { diagnoseRun } = await import('../../src/evaluate/index.js');
    const d = await diagnoseRun(a, { points: 4 });
    expect(d.jacobianDistanceToOrthogonality).toBeNull();
    expect(d.perLatentKl).toBeNull();
  });

  it('pictures of a model with many latents show its most active ones (a row per latent would not fit)', async () => {
    const run = await startRun(join(root, 'wide'), tiny(1, { model: { architecture: 'fc', z: 40, hidden: 8 } }));
    const t = traversalImages(run);
    closeRun(run);
    expect(t.order).toHaveLength(32);
    expect(t.image.height).toBe(32 * 16 + 33 * 2);
  });

  it('encodes observations with the trained model (the encoding API)', async () => {
    const loaded = await loadRun(join(root, 'straight'));
    const x = new Float32Array(3 * 16 * 16);
    const codes = loaded.encode(x, 3);
    expect(codes.length).toBe(9);
    expect(codes[0]).toBe(codes[3]); // same input, same mean code
    const imgs = loaded.decode(codes, 3);
    expect(imgs.length).toBe(3 * 16 * 16);
    expect(Math.min(...imgs)).toBeGreaterThanOrEqual(0);
    loaded.dispose();
  });
});

describe('shipped configs', () => {
  it('every config in configs/ validates', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync('configs').filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files)
      await expect(validateConfig(JSON.parse(readFileSync(join('configs', f), 'utf8')))).resolves.toBeTruthy();
  });
});
