/** Benchmarks for data rendering, the metric suite and perceived-distance analysis (plain JSON out). */
import { createDataset, datasets, renderObservations } from '../data/index.js';
import { computeArrayMetrics, metricNames, type CodesAndFactors } from '../metrics/index.js';
import { analysePerceivedDistances } from '../analysis/index.js';
import { parseLoss } from '../losses/index.js';
import { Rng } from '../util/rng.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Observations per second into training batches of 64, per procedural dataset (file datasets need their files). */
export async function benchData(batches = 30) {
  const procedural = (await datasets.all()).filter((d) => d.kind === 'procedural');
  return Promise.all(
    procedural.map(async ({ name, create }) => {
      const ds = await create({});
      const rng = new Rng(0);
      const out = new Float32Array(64 * ds.obsShape[0] * ds.obsShape[1] * ds.obsShape[2]);
      const times: number[] = [];
      for (let b = 0; b < batches; b++) {
        const idx = ds.stateSpace.sampleIndices(64, rng);
        const t = performance.now();
        renderObservations(ds, idx, out);
        times.push(performance.now() - t);
      }
      const ms = median(times);
      return {
        dataset: name,
        ms_per_batch64: Math.round(ms * 1000) / 1000,
        observations_per_s: Math.round((64 / ms) * 1000),
      };
    }),
  );
}

/** The whole array-metric suite on 10,000 train / 5,000 test codes of dSprites-sized factors. */
export async function benchMetrics(nTrain = 10000, nTest = 5000) {
  const sizes = [3, 6, 40, 32, 32];
  const make = (n: number, seed: number): CodesAndFactors => {
    const rng = new Rng(seed);
    const F = sizes.length,
      D = 10;
    const factors = new Int32Array(n * F),
      codes = new Float64Array(n * D);
    for (let i = 0; i < n; i++) {
      sizes.forEach((s, k) => {
        factors[i * F + k] = rng.int(s);
      });
      for (let j = 0; j < D; j++) codes[i * D + j] = (j < F ? factors[i * F + j] / sizes[j] : 0) + 0.1 * rng.normal();
    }
    return { codes, factors, n, numCodes: D, numFactors: F };
  };
  const train = make(nTrain, 1),
    test = make(nTest, 2);
  const perMetric: Record<string, number> = {};
  const t0 = performance.now();
  for (const m of metricNames('codes')) {
    const t = performance.now();
    await computeArrayMetrics(train, test, [m]);
    perMetric[m] = Math.round(performance.now() - t) / 1000;
  }
  return {
    n_train: nTrain,
    n_test: nTest,
    factor_sizes: sizes,
    num_codes: 10,
    total_s: Math.round(performance.now() - t0) / 1000,
    seconds_per_metric: perMetric,
  };
}

/** Perceived-distance pairs per second for XYSquares under MSE and the box-blur loss. */
export async function benchAnalyze(traversals = 32) {
  const ds = await createDataset('xysquares');
  const out = [];
  for (const spec of ['mse', 'mse+box31@3969']) {
    const loss = await parseLoss(spec);
    const t = performance.now();
    const r = analysePerceivedDistances(ds, loss, { traversals, pairs: 20000, randomPairs: 1000 });
    const s = (performance.now() - t) / 1000;
    const L = r.factors[0].traversedValues.length;
    const pairs = ds.factors.length * traversals * L * (L - 1) + 1000;
    out.push({
      dataset: 'xysquares',
      loss: spec,
      seconds: Math.round(s * 100) / 100,
      distance_pairs: pairs,
      pairs_per_s: Math.round(pairs / s),
    });
  }
  return out;
}

/**
 * Loss-design candidates per second on XYSquares (spacing 8, 6 factors × 8 values, 64×64×3) with analyze's
 * sampling: the grid phase (no gradient learning), up to `budget` candidates. CPU seconds beside wall seconds:
 * on a shared machine the wall clock also counts other processes.
 */
export async function benchDesignLoss(budget = 200, learnSteps = 0) {
  const { designLoss } = await import('../analysis/design-loss.js');
  const ds = await createDataset('xysquares', { gridSpacing: 8 });
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const r = await designLoss(ds, { budget, learnSteps, timeSeconds: 3600 });
  const s = (performance.now() - t) / 1000;
  const u = process.cpuUsage(cpu0);
  const cpu = (u.user + u.system) / 1e6;
  return {
    bench: 'design-loss',
    dataset: 'xysquares',
    params: r.params,
    candidates: r.candidates,
    seconds: Math.round(s * 100) / 100,
    cpu_seconds: Math.round(cpu * 100) / 100,
    candidates_per_s: Math.round((r.candidates / s) * 10) / 10,
    candidates_per_cpu_s: Math.round((r.candidates / cpu) * 10) / 10,
    best: { spec: r.best.spec, score: r.best.score },
  };
}
