import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/index.js';
import { startRun, trainRun, closeRun } from '../../src/train/index.js';
import { validateConfig } from '../../src/config/index.js';
import { evaluateRun } from '../../src/evaluate/index.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm', quiet: true });
});

const cfg = {
  dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4, gridSpacing: 2 },
  framework: { name: 'betavae', beta: 2 },
  model: { architecture: 'conv64', z: 3 },
  optimizer: { lr: 1e-3 },
  train: { steps: 4, batchSize: 8, seed: 5, checkpointEvery: 4, logEvery: 1 },
};

describe('InfoMEC, DCI-ES and MIG-kNN in evaluate, sweeps and configs', () => {
  it('a run config (and so a sweep or an experiment) may name them', async () => {
    const c = await validateConfig({ ...cfg, eval: { metrics: 'infomec, dci_es, mig_ksg' } });
    expect(c.eval?.metrics).toEqual(['infomec', 'dci_es', 'mig_ksg']);
  });

  it('evaluate writes their flat keys, per-factor details, the NMI heatmap and the loss–capacity curves', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'eval2023-')), 'run');
    const run = await startRun(dir, cfg);
    await trainRun(run, { quiet: true, noPictures: true });
    closeRun(run);
    const ev = await evaluateRun(dir, { names: ['infomec', 'dci_es', 'mig_ksg'], numTrain: 300, numTest: 150 });
    const json = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'));
    expect(Object.keys(json.metrics).sort()).toEqual(
      ['dci_es_explicitness', 'dci_es_size', 'infoc', 'infoe', 'infom', 'mig_ksg'].sort(),
    );
    expect(json.metrics).toEqual(ev.scores);
    // xysinglesquare has two factors (x, y); the model 3 latents
    expect(json.metrics.dci_es_size).toBeCloseTo(2 / 3, 6);
    expect(json.details.dci_es.explicitness_per_factor).toHaveLength(2);
    expect(json.details.dci_es.test_loss[0]).toHaveLength(10);
    expect(json.details.infomec.infoe_per_factor).toHaveLength(2);
    const nmi = json.matrices['InfoMEC normalised MI (active latents)'];
    expect(nmi.rows).toEqual(json.details.infomec.active_latents.map((j: number) => `z${j}`));
    expect(nmi.values).toHaveLength(nmi.rows.length * 2);
    const html = readFileSync(join(dir, 'eval.html'), 'utf8');
    expect(html).toContain('InfoMEC normalised MI');
    expect(html).toContain('DCI-ES loss–capacity curves');
    expect(html).toMatch(/<polyline[^>]+points="[^"]+"/);
  });
});
