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
 * A VAE-like code of dSprites-sized factors (3, 6, 40, 32, 32), fixed by its seed: per observation the mean and
 * std of q(z|x) over 10 latents. Latents 0–4 carry the factors (u_k = factor / (size − 1)), monotonely warped and
 * mildly entangled, μ_k = tanh(2.5(u_k − ½)) + 0.1(u_{k+1} − ½), σ = 0.1; latent 5 is a nearly dead unit that still
 * echoes factor 2 (μ = 0.04·u₂ + 0.002·N(0, 1), σ = 1); latents 6–9 are collapsed (μ ≈ 0.02·N(0, 1), σ = 1).
 */
export function vaeLikeCodes(n: number, seed: number): { mean: CodesAndFactors; sample: CodesAndFactors } {
  const sizes = [3, 6, 40, 32, 32];
  const rng = new Rng(seed);
  const F = sizes.length,
    D = 10;
  const factors = new Int32Array(n * F),
    mean = new Float64Array(n * D),
    sample = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const u = sizes.map((s, k) => (factors[i * F + k] = rng.int(s)) / (s - 1));
    for (let j = 0; j < D; j++) {
      const active = j < F;
      const mu = active
        ? Math.tanh(2.5 * (u[j] - 0.5)) + 0.1 * (u[(j + 1) % F] - 0.5)
        : j === F
          ? 0.04 * u[2] + 0.002 * rng.normal()
          : 0.02 * rng.normal();
      mean[i * D + j] = mu;
      sample[i * D + j] = mu + (active ? 0.1 : 1) * rng.normal();
    }
  }
  const base = { factors, n, numCodes: D, numFactors: F };
  return { mean: { ...base, codes: mean }, sample: { ...base, codes: sample } };
}

/** One row of the MIG-conventions table. */
export interface MigConvention {
  convention: string;
  codes: 'means' | 'samples';
  estimator: string;
  points: number;
  inactive: 'kept' | 'pruned';
  mig: number;
}

/**
 * The same model's MIG under each convention papers use (README "Why MIG values differ between codebases"):
 * means vs samples of q(z|x), histogram bins, kNN estimates, inactive latents pruned, number of points.
 */
export async function benchMigConventions(seed = 0): Promise<{ rows: MigConvention[]; seconds: number }> {
  const { mig, migKsg, activeLatents } = await import('../metrics/index.js');
  const t0 = performance.now();
  const big = vaeLikeCodes(50000, seed);
  const head = (d: CodesAndFactors, n: number): CodesAndFactors => ({
    ...d,
    n,
    codes: d.codes.subarray(0, n * d.numCodes),
    factors: d.factors.subarray(0, n * d.numFactors),
  });
  const prune = (d: CodesAndFactors): CodesAndFactors => {
    const keep = activeLatents(d, 20);
    const codes = new Float64Array(d.n * keep.length);
    for (let i = 0; i < d.n; i++) keep.forEach((j, a) => (codes[i * keep.length + a] = d.codes[i * d.numCodes + j]));
    return { ...d, codes, numCodes: keep.length };
  };
  const rows: MigConvention[] = [];
  const add = (convention: string, codes: 'means' | 'samples', estimator: string, points: number, pruned: boolean) => {
    let d = head(codes === 'means' ? big.mean : big.sample, points);
    if (pruned) d = prune(d);
    const bins = /^(\d+) bins$/.exec(estimator);
    const v = bins ? mig(d, Number(bins[1])).mig : migKsg(d, 10, seed).mig;
    rows.push({
      convention,
      codes,
      estimator,
      points,
      inactive: pruned ? 'pruned' : 'kept',
      mig: Math.round(v * 1e4) / 1e4,
    });
  };
  add('disentanglement_lib / disent default', 'means', '20 bins', 10000, false);
  add('sampled codes', 'samples', '20 bins', 10000, false);
  for (const b of [10, 50, 100]) add(`${b} bins`, 'means', `${b} bins`, 10000, false);
  add('kNN estimate (mig_ksg)', 'means', 'kNN, 10 neighbours', 10000, false);
  add('kNN estimate, sampled codes', 'samples', 'kNN, 10 neighbours', 10000, false);
  add('inactive latents pruned (range < max / 20)', 'means', '20 bins', 10000, true);
  add('kNN, inactive latents pruned', 'means', 'kNN, 10 neighbours', 10000, true);
  add('fewer points', 'means', '20 bins', 1000, false);
  add('fewer points, 100 bins', 'means', '100 bins', 1000, false);
  add('more points', 'means', '20 bins', 50000, false);
  add('fewer points, kNN', 'means', 'kNN, 10 neighbours', 1000, false);
  return { rows, seconds: Math.round(performance.now() - t0) / 1000 };
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
