/**
 * Hand-written run and sweep folders in the shapes the trainer, `evaluate` and sweeps write (for the browser
 * tests): a run is config.json + train.jsonl (+ eval.json, metrics.jsonl, status.json); a sweep is sweep.json,
 * runs/<name>/ and results.csv with one row per run (swept values, seed, status, steps, metrics final and max).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function runConfig(over: { gridSpacing?: number; beta?: number; seed?: number; steps?: number } = {}) {
  return {
    dataset: { name: 'xysquares', gridSpacing: over.gridSpacing ?? 8 },
    framework: { name: 'betavae', beta: over.beta ?? 4 },
    model: { architecture: 'conv64', z: 6, hidden: 1200 },
    loss: 'bce',
    lossReduction: 'sum',
    optimizer: { lr: 0.001, beta1: 0.9, beta2: 0.999 },
    train: {
      steps: over.steps ?? 200,
      batchSize: 16,
      seed: over.seed ?? 0,
      checkpointEvery: 100,
      logEvery: 10,
      pairK: 1,
    },
  };
}

/** A loss curve: decays from ≈ 8000 towards a floor, with a little seeded wiggle. */
export function logLine(step: number, seed = 0, floor = 1200): string {
  const wiggle = 40 * Math.sin(step * 0.7 + seed);
  const recon = floor + 6800 * Math.exp(-step / 60) + wiggle;
  const kl = 5 + 20 * (1 - Math.exp(-step / 80));
  return JSON.stringify({ step, loss: recon + 4 * kl, recon, kl }) + '\n';
}

export function writeRun(
  dir: string,
  o: { steps?: number; logged?: number; seed?: number; gridSpacing?: number; beta?: number; eval?: boolean } = {},
): void {
  mkdirSync(dir, { recursive: true });
  const cfg = runConfig(o);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg, null, 2));
  let log = '';
  let metrics = '';
  const logged = o.logged ?? cfg.train.steps;
  for (let s = 10; s <= logged; s += 10) log += logLine(s, o.seed, 900 + 60 * (o.gridSpacing ?? 8));
  for (let s = 50; s <= logged; s += 50)
    metrics += JSON.stringify({ step: s, mig: score(o, s), dci_disentanglement: score(o, s) * 1.3 }) + '\n';
  writeFileSync(join(dir, 'train.jsonl'), log);
  if (metrics) writeFileSync(join(dir, 'metrics.jsonl'), metrics);
  if (o.eval) {
    const mig = score(o, logged);
    const mi = Array.from({ length: 6 * 6 }, (_, i) => (i % 7 === 0 ? 0.8 : 0.05 * ((i * 7) % 5)));
    writeFileSync(
      join(dir, 'eval.json'),
      JSON.stringify({
        step: logged,
        numTrain: 1000,
        numTest: 500,
        seed: 0,
        metrics: {
          mig,
          dci_disentanglement: mig * 1.3,
          infom: 0.71,
          infoe: 0.64,
          infoc: 0.58,
          dci_es_explicitness: 0.93,
          dci_es_size: 0.5,
        },
        details: { dci_es: { explicitness_per_factor: [0.9, 0.95, 0.93, 0.92, 0.94, 0.94] } },
        matrices: {
          mi: {
            rows: ['z0', 'z1', 'z2', 'z3', 'z4', 'z5'],
            cols: ['x_R', 'y_R', 'x_G', 'y_G', 'x_B', 'y_B'],
            values: mi,
          },
        },
      }),
    );
  }
}

/** A made-up MIG that falls with the grid spacing (as in Michlo et al.) and varies by seed. */
function score(o: { gridSpacing?: number; beta?: number; seed?: number }, step: number): number {
  const g = o.gridSpacing ?? 8;
  const base = 0.45 - 0.05 * g + 0.02 * Math.log10(o.beta ?? 1) + 0.03 * Math.sin(3 * (o.seed ?? 0) + g);
  return Math.max(0.001, Number((base * (1 - Math.exp(-step / 100))).toFixed(5)));
}

export const SWEEP_SPACINGS = [1, 2, 4, 8];
export const SWEEP_BETAS = [1, 4];
export const SWEEP_SEEDS = [0, 1, 2];

/** A finished sweep: spacing × beta × 3 seeds = 24 runs, results.csv with final and max metrics. */
export function writeSweep(dir: string): { rows: number } {
  mkdirSync(join(dir, 'runs'), { recursive: true });
  const runs: Array<Record<string, unknown>> = [];
  const lines = ['run,dataset.gridSpacing,framework.beta,seed,status,steps,final_loss,mig,mig_max,dci_disentanglement'];
  for (const g of SWEEP_SPACINGS)
    for (const b of SWEEP_BETAS)
      for (const seed of SWEEP_SEEDS) {
        const name = `gridSpacing=${g},beta=${b},seed=${seed}`;
        const failed = g === 2 && b === 4 && seed === 2;
        writeRun(join(dir, 'runs', name), {
          gridSpacing: g,
          beta: b,
          seed,
          steps: 200,
          logged: failed ? 60 : 200,
          eval: !failed,
        });
        const mig = score({ gridSpacing: g, beta: b, seed }, 200);
        runs.push({ id: runs.length, name, overrides: { 'dataset.gridSpacing': g, 'framework.beta': b }, seed });
        lines.push(
          failed
            ? `"${name}",${g},${b},${seed},failed,60,,,,`
            : `"${name}",${g},${b},${seed},done,200,${(900 + 60 * g).toFixed(1)},${mig},${(mig * 1.05).toFixed(5)},${(mig * 1.3).toFixed(5)}`,
        );
      }
  writeFileSync(
    join(dir, 'sweep.json'),
    JSON.stringify({
      spec: { grid: { 'dataset.gridSpacing': SWEEP_SPACINGS, 'framework.beta': SWEEP_BETAS }, seeds: SWEEP_SEEDS },
      runs,
    }),
  );
  writeFileSync(join(dir, 'results.csv'), lines.join('\n') + '\n');
  return { rows: runs.length };
}
