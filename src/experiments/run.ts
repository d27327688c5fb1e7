/**
 * Running an experiment at a scale into a folder: `experiment.json` (what ran, at which scale, with which
 * toolkit), then its steps in order — each sweep an ordinary sweep folder `<out>/<step>/` (resumable,
 * idempotent, local or Slurm), a perturbation `<out>/<step>.npz`, perceived distances `<out>/<step>.json`,
 * a latent picture `<out>/<step>.svg` — and finally the report (`report.html`, `claims.json`). Running the
 * same command again continues where it stopped; another scale or another experiment in the folder is refused.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createDataset, renderObservations, savePerturbation } from '../data/index.js';
import { findPerturbation, analysePerceivedDistances, perceivedSummary } from '../analysis/index.js';
import { parseLoss } from '../losses/index.js';
import { loadRun } from '../train/index.js';
import { sweepCommand, type SweepOptions } from '../sweep/index.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { lockFolder } from '../util/lock.js';
import { ProgressBar } from '../util/progress.js';
import { Rng } from '../util/rng.js';
import { scatterSvg } from '../viz/index.js';
import { matches } from './claims.js';
import { sweepResults } from './results.js';
import { planExperiment, planText, type Plan, type PlannedStep } from './plan.js';
import { writeExperimentReport } from './report.js';
import { runDesign } from './design.js';
import { collectCells, predict, predictionSvg, scoreCells, type PredictionResult } from './prediction.js';
import type { ExperimentDefinition } from './registry.js';
import type { ScaleName } from './schema.js';
import { readExperimentRecord, type ExperimentRecord } from './record.js';

export { readExperimentRecord, type ExperimentRecord } from './record.js';

export interface ExperimentRunOptions extends Omit<
  SweepOptions,
  'out' | 'sweepSpec' | 'spec' | 'config' | 'set' | 'grid' | 'zip' | 'seeds'
> {
  scale: ScaleName;
  out: string;
  workers?: number;
}

const log = (s: string) => process.stderr.write(s + '\n');

function openFolder(def: ExperimentDefinition, scale: ScaleName, out: string): void {
  const path = join(out, 'experiment.json');
  if (existsSync(path)) {
    const rec = readExperimentRecord(out);
    if (rec.experiment !== def.name || rec.scale !== scale)
      throw new UserError(
        `${out} holds experiment '${rec.experiment}' at scale '${rec.scale}', not '${def.name}' at '${scale}': ` +
          'choose another --out',
      );
    if (JSON.stringify(rec.spec) !== JSON.stringify(def.spec))
      throw new UserError(
        `${out} was run from another version of ${def.file} (the experiment file changed since): ` +
          'choose another --out, or restore the file',
      );
    return;
  }
  const record: ExperimentRecord = {
    format: 'disentangle-experiment-1',
    experiment: def.name,
    scale,
    file: def.file,
    spec: def.spec,
    created: new Date().toISOString(),
  };
  writeFileAtomic(path, JSON.stringify(record, null, 1));
}

async function runPerturb(out: string, s: Extract<PlannedStep['step'], { kind: 'perturb' }>): Promise<void> {
  const file = join(out, `${s.name}.npz`);
  if (existsSync(file)) return;
  const { name, ...params } = s.dataset;
  const ds = await createDataset(name, params);
  const bar = new ProgressBar({ total: s.steps, label: `perturb ${s.name}`, unit: 'step' });
  const p = findPerturbation(ds, {
    epsilon: s.epsilon,
    steps: s.steps,
    batch: s.batch,
    seed: s.seed,
    onProgress: (i, _t, v) => bar.update(i, `objective ${v.toFixed(4)}`),
  });
  bar.finish();
  savePerturbation(file, p, ds);
}

async function runDistances(out: string, s: Extract<PlannedStep['step'], { kind: 'distances' }>): Promise<void> {
  const file = join(out, `${s.name}.json`);
  if (existsSync(file)) return;
  const results = [];
  for (const c of s.cases) {
    const { name, ...params } = c.dataset;
    const ds = await createDataset(name, params);
    const t = performance.now();
    const r = analysePerceivedDistances(ds, await parseLoss(c.loss), {
      traversals: s.traversals,
      pairs: s.pairs,
      randomPairs: s.randomPairs,
      seed: s.seed,
    });
    log(`distances: ${c.label} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    results.push({ label: c.label, published: c.published, ...perceivedSummary(r) });
  }
  writeFileAtomic(file, JSON.stringify(results, null, 1));
}

async function runPrediction(
  out: string,
  s: Extract<PlannedStep['step'], { kind: 'prediction' }>,
  quiet: boolean,
): Promise<void> {
  const sampling = { traversals: s.traversals, pairs: s.pairs, seed: s.seed };
  const { studies, cells } = await collectCells(
    s.studies.map((d) => resolve(d)),
    s.metrics,
    s.stat,
  );
  const dirs = new Map(studies.map((st) => [st.name, st.dir]));
  let bar: ProgressBar | undefined;
  const notes = await scoreCells(cells, dirs, sampling, join(out, `${s.name}-scores.json`), (done, total, what) => {
    bar ??= new ProgressBar({ total, label: `prediction ${s.name}: scoring`, unit: 'loss', quiet });
    bar.update(done, what);
  });
  bar?.finish();
  // paths relative to the experiment folder: the same file on every machine
  const rel = studies.map((st) => ({ ...st, dir: relative(resolve(out), st.dir) || '.' }));
  for (const st of rel)
    if (st.state === 'missing') notes.push(`${st.dir}: not there (not run yet, or not committed): left out`);
  const result: PredictionResult = {
    format: 'disentangle-prediction-1',
    sampling,
    stat: s.stat,
    studies: rel,
    cells,
    ...predict(cells, s.metrics, s.stat, s.bootstrap, s.seed, s.claim),
    notes,
  };
  writeFileAtomic(join(out, `${s.name}.json`), JSON.stringify(result, null, 1));
  for (const m of s.metrics) writeFileAtomic(join(out, `${s.name}-${m}.svg`), predictionSvg(result, m));
  for (const c of result.correlations)
    log(
      `prediction ${s.name}: ${c.metric}: ` +
        (c.rho === null
          ? `${c.n} cells, too few`
          : `ρ = ${c.rho.toFixed(3)} [${c.low?.toFixed(3)}, ${c.high?.toFixed(3)}] over ${c.n} cells`),
    );
}

async function runLatents(out: string, s: Extract<PlannedStep['step'], { kind: 'latents' }>): Promise<void> {
  const file = join(out, `${s.name}.svg`);
  const res = await sweepResults(out, s.sweep);
  const i = res?.sweep.runs.findIndex((r, k) => matches(r.config, s.where) && res.rows[k].state === 'done') ?? -1;
  if (!res || i < 0) {
    log(`latents ${s.name}: no finished run of sweep '${s.sweep}' matches; skipped`);
    return;
  }
  const run = res.sweep.runs[i];
  const loaded = await loadRun(join(out, s.sweep, 'runs', run.name));
  try {
    const ds = loaded.run.dataset;
    const idx = ds.stateSpace.sampleIndices(Math.min(s.points, ds.size), new Rng(0).fork('latents'));
    const codes = loaded.encode(renderObservations(ds, idx), idx.length);
    const z = loaded.run.config.model.z;
    const f = new Int32Array(ds.factors.length);
    const colour = Array.from(idx, (k) => ds.stateSpace.toFactors(k, f)[s.colourBy]);
    const svg = scatterSvg(
      Array.from(idx, (_, k) => codes[k * z]),
      Array.from(idx, (_, k) => codes[k * z + (z > 1 ? 1 : 0)]),
      colour,
      {
        title: `codes of ${run.name}, coloured by ${ds.factors[s.colourBy]?.name ?? 'factor'}`,
        xLabel: 'z0',
        yLabel: 'z1',
      },
    );
    writeFileAtomic(file, svg);
  } finally {
    loaded.dispose();
  }
}

/** Run (or continue) the experiment; returns the exit code (0 done or submitted, 1 runs failed, 130/143 stopped). */
export async function runExperiment(def: ExperimentDefinition, o: ExperimentRunOptions): Promise<number> {
  const workers = o.workers ?? 2;
  let plan: Plan = await planExperiment(def, o.scale, o.out, workers);
  log(planText(plan));
  if (o.dryRun) {
    console.log('nothing was written (--dry-run)');
    return 0;
  }
  openFolder(def, o.scale, o.out);
  const lock = lockFolder(o.out, 'experiment run', { file: 'experiment.lock' });
  try {
    let code = 0;
    for (let i = 0; i < plan.steps.length; i++) {
      const ps = plan.steps[i];
      const s = ps.step;
      if (s.kind === 'sweep' && 'spec' in ps) {
        // planning re-reads the design results before each sweep: a sweep never runs on a stand-in
        if (ps.pending.length) throw new Error(`sweep ${s.name} planned before design ${ps.pending.join(', ')} ran`);
        log(`\n== sweep ${s.name}`);
        const c = await sweepCommand({ ...o, workers, out: join(o.out, s.name), sweepSpec: ps.spec });
        if (c === 130 || c === 143) return c;
        if (o.executor === 'slurm') {
          log(
            `submitted; when the jobs are done, run the same command again (or \`disentangle experiment report ${o.out}\`)`,
          );
          return c;
        }
        code = Math.max(code, c);
      } else if (s.kind === 'perturb') await runPerturb(o.out, s);
      else if (s.kind === 'distances') await runDistances(o.out, s);
      else if (s.kind === 'latents') await runLatents(o.out, s);
      else if (s.kind === 'prediction') await runPrediction(o.out, s, !!o.quiet);
      else if (s.kind === 'design') {
        await runDesign(o.out, s, !!o.quiet);
        // the later sweeps name this design's values: plan them again with its result
        plan = await planExperiment(def, o.scale, o.out, workers);
      }
    }
    const report = await writeExperimentReport(def, o.out, plan);
    console.log(`${def.name} (${o.scale}): report in ${report}`);
    return code;
  } finally {
    lock.release();
  }
}
