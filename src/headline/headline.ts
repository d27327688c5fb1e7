/**
 * The main job (`npm start`): Michlo et al.'s headline story on this machine in a few minutes.
 *  1. Perceived distances of XYSquares at spacings 8, 4, 1 under MSE and the box-blur loss (mse+box31@3969):
 *     non-overlapping squares are adversarial for MSE; overlap or the blur term restores the ordering.
 *  2. Short Ada-GVAE runs on an adversarial (spacing 8) and a non-adversarial (spacing 1) setting.
 *  3. MIG and DCI of both runs, and one HTML report that says honestly what was run at what scale.
 *  4. The committed CPU-scale study results (`results/<experiment>/`), labelled as such, not re-run.
 */
import { join } from 'node:path';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createDataset } from '../data/index.js';
import { parseLoss } from '../losses/index.js';
import { analysePerceivedDistances, perceivedSummary, type PerceivedReport } from '../analysis/index.js';
import { startRun, trainRun, closeRun, loadRun, reconstructionImages, traversalImages } from '../train/index.js';
import { computeArrayMetrics, sampleCodesAndFactors, dci, mig as migFn } from '../metrics/index.js';
import { Rng } from '../util/rng.js';
import { writeFileAtomic } from '../util/fs.js';
import { lockFolder } from '../util/lock.js';
import { prepareOutputFolder } from '../util/out-dir.js';
import { writeOutputs } from '../util/signals.js';
import { headlineTraining, reportOutput } from './defaults.js';
import { committedResults, renderCommittedResults } from './committed.js';
import {
  barChartSvg,
  heatmapSvg,
  htmlPage,
  htmlTable,
  imgTag,
  lineChartSvg,
  escapeHtml,
  fmtNum,
} from '../viz/index.js';
import { engineInfo } from '../engine/index.js';

export interface HeadlineOptions {
  out: string;
  steps: number;
  batchSize: number;
  traversals: number;
  pairs: number;
  seed: number;
  numTrainCodes: number;
  log?: (msg: string) => void;
}

export { headlineDefaults } from './defaults.js';

const PUBLISHED_RANK: Record<string, Record<number, number>> = {
  mse: { 1: 1.0, 4: 0.85, 8: 0.58 },
  'mse+box31@3969': { 1: 0.99, 4: 0.99, 8: 0.97 },
};

interface TrainedSummary {
  label: string;
  spacing: number;
  dir: string;
  seconds: number;
  losses: Array<{ step: number; loss: number }>;
  /** The last logged KL term (summed over latents): ≈ 0 when the posterior has collapsed. */
  kl: number;
  factorNames: string[];
  metrics: Record<string, number>;
  recon: ReturnType<typeof reconstructionImages>;
  traversals: ReturnType<typeof traversalImages>['image'];
  mi: Float64Array;
  importance: Float64Array;
}

export async function runHeadline(o: HeadlineOptions): Promise<string> {
  const log = o.log ?? ((m: string) => process.stderr.write(m + '\n'));
  // never into someone's folder; one report at a time per folder
  prepareOutputFolder(o.out, reportOutput);
  const lock = lockFolder(o.out, 'report');
  try {
    return await headline(o, log);
  } finally {
    lock.release();
  }
}

async function headline(o: HeadlineOptions, log: (msg: string) => void): Promise<string> {
  const t0 = performance.now();
  const spacings = [8, 4, 1];
  const losses = ['mse', 'mse+box31@3969'];
  const analyses: Array<{ spacing: number; loss: string; report: PerceivedReport; seconds: number }> = [];
  for (const loss of losses) {
    for (const spacing of spacings) {
      const ds = await createDataset('xysquares', { gridSpacing: spacing, gridSize: 8 });
      const t = performance.now();
      const report = analysePerceivedDistances(ds, await parseLoss(loss), {
        traversals: o.traversals,
        pairs: o.pairs,
        randomPairs: 1000,
        seed: o.seed,
      });
      const seconds = (performance.now() - t) / 1000;
      const xr = report.factors[0];
      log(
        `analysis: spacing ${spacing}, ${loss}: x_R mean ${xr.mean.toFixed(4)} std ${xr.std.toFixed(4)} rank ${xr.rankCorrelation.toFixed(3)} (${xr.verdict}) [${seconds.toFixed(1)} s]`,
      );
      analyses.push({ spacing, loss, report, seconds });
    }
  }

  const trained: TrainedSummary[] = [];
  for (const [label, spacing] of [
    ['adversarial (spacing 8)', 8],
    ['overlapping (spacing 1)', 1],
  ] as const) {
    const dir = join(o.out, `adagvae-spacing${spacing}`);
    for (const old of [dir, join(o.out, `betavae-spacing${spacing}`)])
      if (existsSync(old)) rmSync(old, { recursive: true, force: true });
    log(
      `training Ada-GVAE on ${headlineTraining.dataset} spacing ${spacing} (${o.steps} steps, batch ${o.batchSize})...`,
    );
    const t = performance.now();
    const { dataset, ...settings } = headlineTraining;
    const run = await startRun(dir, {
      ...structuredClone(settings),
      dataset: { name: dataset, gridSpacing: spacing, gridSize: 8 },
      train: { steps: o.steps, batchSize: o.batchSize, seed: o.seed, checkpointEvery: o.steps, logEvery: 10 },
    });
    await trainRun(run);
    const seconds = (performance.now() - t) / 1000;
    closeRun(run);
    const loaded = await loadRun(dir);
    const rng = new Rng(o.seed).fork('codes');
    const rep = (x: Float32Array, n: number) => loaded.encode(x, n);
    const ds = loaded.run.dataset;
    const train = sampleCodesAndFactors(ds, rep, o.numTrainCodes, rng.fork('train'));
    const test = sampleCodesAndFactors(ds, rep, Math.round(o.numTrainCodes / 2), rng.fork('test'));
    const d = dci(train, test);
    const metrics: Record<string, number> = {
      ...(await computeArrayMetrics(train, test, ['mig', 'modularity', 'sap'])).scores,
      dci_disentanglement: d.disentanglement,
      dci_completeness: d.completeness,
      dci_informativeness_test: d.informativeness_test,
    };
    log(
      `scores (spacing ${spacing}): MIG ${metrics.mig.toFixed(3)}, DCI disentanglement ${metrics.dci_disentanglement.toFixed(3)}`,
    );
    const lossLog = readFileSync(join(dir, 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    trained.push({
      label,
      spacing,
      dir,
      seconds,
      metrics,
      losses: lossLog.map((l) => ({ step: l.step, loss: l.loss })),
      kl: lossLog.at(-1)?.kl ?? NaN,
      factorNames: ds.factors.map((f) => f.name),
      recon: reconstructionImages(loaded.run),
      traversals: traversalImages(loaded.run).image,
      mi: migFn(train).mi,
      importance: d.importance,
    });
    loaded.dispose();
  }
  const committed = committedResults();
  const total = (performance.now() - t0) / 1000;
  const html = renderHeadline(o, analyses, trained, total, renderCommittedResults(committed, o.out));
  const path = join(o.out, 'report.html');
  await writeOutputs(() => {
    writeFileAtomic(path, html);
    writeFileAtomic(
      join(o.out, 'report.json'),
      JSON.stringify(
        {
          seconds: total,
          backend: engineInfo(),
          analyses: analyses.map((a) => ({ spacing: a.spacing, seconds: a.seconds, ...perceivedSummary(a.report) })),
          training: trained.map((t) => ({
            label: t.label,
            spacing: t.spacing,
            dir: t.dir,
            seconds: t.seconds,
            steps: o.steps,
            batchSize: o.batchSize,
            metrics: t.metrics,
            dataset: headlineTraining.dataset,
            finalLoss: t.losses.at(-1)?.loss,
            finalKl: t.kl,
          })),
          committedResults: committed.map((c) => ({
            experiment: c.experiment,
            scale: c.scale,
            dir: c.dir,
            runs: c.runs,
            claims: c.claims.map((k) => ({ id: k.id, verdict: k.verdict })),
          })),
        },
        null,
        1,
      ),
    );
  });
  return path;
}

function renderHeadline(
  o: HeadlineOptions,
  analyses: Array<{ spacing: number; loss: string; report: PerceivedReport }>,
  trained: TrainedSummary[],
  seconds: number,
  committedHtml: string,
): string {
  const eng = engineInfo();
  const parts: string[] = [];
  parts.push(
    `<p>What this is: the headline finding of Michlo et al. (IJCAI 2023) reproduced on this machine. ` +
      `A VAE can only order observations the way its reconstruction loss <i>perceives</i> them. XYSquares with non-overlapping squares ` +
      `(grid spacing 8 = square size) gives every pair of observations along a factor the same pixel-wise distance, so MSE carries no ordering signal; ` +
      `overlap (smaller spacing) or a box-blur term in the loss restores it.</p>`,
  );
  parts.push(
    `<p class="note">Scale, honestly: perceived distances from ${o.traversals} random traversals per factor and ${o.pairs.toLocaleString()} pairs per factor ` +
      `(the paper averages 256 traversals); training is two Ada-GVAE runs (the paper's settings: MSE, β = 0.001 with disent's mean reduction, z = 9, lr 1e-3) of only ${o.steps} steps at batch ${o.batchSize} (the paper: 57,600 steps at batch 256, 5 seeds), ` +
      `scored on ${o.numTrainCodes.toLocaleString()} codes. Short runs show the loss falling and the first structure, not the published scores. ` +
      `Backend: ${escapeHtml(eng?.backend ?? '?')} (${eng?.threads ?? 1} thread). Total time ${seconds.toFixed(0)} s.</p>`,
  );
  parts.push('<h2>1. Is XYSquares adversarial for this loss?</h2>');
  const rows = analyses.map((a) => {
    const xr = a.report.factors[0];
    const pub = PUBLISHED_RANK[a.loss]?.[a.spacing];
    return [
      a.loss,
      a.spacing,
      fmtNum(xr.mean),
      fmtNum(xr.std),
      xr.rankCorrelation.toFixed(3),
      pub !== undefined ? pub.toFixed(2) : '—',
      `<span class="${xr.verdict}">${xr.verdict}</span>`,
      fmtNum(a.report.randomPairs.mean),
    ];
  });
  parts.push(
    htmlTable(
      ['loss', 'spacing', 'x_R mean distance', 'x_R std', 'x_R rank corr.', 'published', 'verdict', 'random pairs'],
      rows,
    ),
  );
  parts.push(
    barChartSvg(
      spacings(analyses).map((s) => `spacing ${s}`),
      ['mse', 'mse+box31@3969'].map((l) => ({
        name: l,
        values: spacings(analyses).map(
          (s) => analyses.find((a) => a.loss === l && a.spacing === s)?.report.factors[0].rankCorrelation ?? NaN,
        ),
      })),
      { title: 'Rank correlation of ground-truth and perceived distance (x_R)', min: 0, max: 1 },
    ),
  );
  const figs = analyses
    .filter((a) => a.spacing === 8 || a.spacing === 1)
    .map((a) => {
      const f = a.report.factors[0];
      const L = f.traversedValues.length;
      return `<figure>${heatmapSvg(f.matrix, L, L, { title: `x_R, spacing ${a.spacing}, ${a.loss}`, min: 0 })}<figcaption>Mean perceived distance between positions i and j of x_R.</figcaption></figure>`;
    });
  parts.push(`<div class="figs">${figs.join('')}</div>`);
  parts.push('<h2>2. Training on an adversarial and a non-adversarial setting</h2>');
  parts.push(
    `<p>Two Ada-GVAE runs with the paper's settings on <code>${escapeHtml(headlineTraining.dataset)}</code> — XYSquares ` +
      `with one square (the same construction: at spacing 8 every step along x or y has the same perceived distance, ` +
      `at spacing 1 neighbouring positions overlap). With one square the overlapping run leaves the ` +
      `posterior-collapse plateau within about a hundred steps; on the three-square XYSquares it takes thousands ` +
      `of steps on a CPU (see the committed study below). Expect at spacing 8 a collapsed posterior (KL ≈ 0, ` +
      `reconstructions of the mean image) and at spacing 1 active latents and higher scores.</p>`,
  );
  parts.push(
    lineChartSvg(
      trained[0].losses.map((l) => l.step),
      trained.map((t) => ({ name: t.label, values: t.losses.map((l) => l.loss) })),
      { title: 'training loss (Ada-GVAE, β = 0.001, MSE, mean reduction)', xLabel: 'step', yLabel: 'loss' },
    ),
  );
  parts.push(
    htmlTable(
      [
        'run',
        'steps',
        'time (s)',
        'final loss',
        'KL',
        'MIG',
        'DCI disent.',
        'DCI compl.',
        'DCI info. (test)',
        'modularity',
        'SAP',
      ],
      trained.map((t) => [
        t.label,
        o.steps,
        t.seconds.toFixed(0),
        fmtNum(t.losses.at(-1)?.loss ?? NaN),
        fmtNum(t.kl),
        t.metrics.mig.toFixed(3),
        t.metrics.dci_disentanglement.toFixed(3),
        t.metrics.dci_completeness.toFixed(3),
        t.metrics.dci_informativeness_test.toFixed(3),
        t.metrics.modularity.toFixed(3),
        t.metrics.sap.toFixed(3),
      ]),
    ),
  );
  parts.push(
    '<p>Published best scores at full scale (read off figures): Ada-GVAE MIG ≈ 0.87 at spacing 1 → 0.03 at spacing 8, DCI ≈ 1.0 → 0.1 (β-VAE: MIG 0.2 → 0.01).</p>',
  );
  for (const t of trained) {
    const names = t.factorNames;
    const codes = [...Array(headlineTraining.model.z).keys()].map((j) => `z${j}`);
    parts.push(
      `<h3>${escapeHtml(t.label)}</h3><div class="figs">` +
        `<figure>${imgTag(t.recon, 1)}<figcaption>originals (top) and reconstructions</figcaption></figure>` +
        `<figure>${imgTag(t.traversals, 1)}<figcaption>latent traversals, one row per dimension (most active first), −2 … 2</figcaption></figure>` +
        `<figure>${heatmapSvg(t.mi, codes.length, names.length, { title: 'MI(code, factor)', rowLabels: codes, colLabels: names, min: 0 })}</figure>` +
        `<figure>${heatmapSvg(t.importance, codes.length, names.length, { title: 'DCI importance', rowLabels: codes, colLabels: names, min: 0 })}</figure></div>` +
        `<p>Run folder: <code>${escapeHtml(t.dir)}</code> (continue it with <code>disentangle train --resume</code> after raising train.steps in its config).</p>`,
    );
  }
  parts.push(committedHtml);
  parts.push(
    `<h2>Reproduce at full scale</h2><p><code>disentangle analyze xysquares --set gridSpacing=8 --set gridSize=8 --traversals 256 --out out/xy8</code>; ` +
      `<code>disentangle experiment run michlo2023-spacing --scale paper --out studies/spacing</code> (160 runs; add <code>--executor slurm</code> on a cluster), ` +
      `or one run: <code>disentangle train --config configs/adagvae.json --set dataset.gridSpacing=1 --steps 57600 --out runs/s1</code>; <code>disentangle evaluate runs/s1</code>.</p>`,
  );
  return htmlPage('Disentanglement depends on the reconstruction loss: XYSquares', parts.join('\n'));
}

function spacings(a: Array<{ spacing: number }>): number[] {
  return [...new Set(a.map((x) => x.spacing))];
}
