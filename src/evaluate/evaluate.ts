/**
 * Scoring a trained run (`disentangle evaluate`): the metric core of metrics/score.ts on the run's encoder
 * and its own dataset; writes `eval.json` and `eval.html` (the code × factor matrices as heatmaps).
 */
import { join } from 'node:path';
import { scoreRepresentation, type ScoreOptions, type Scores } from '../metrics/index.js';
import { checkRunFolder, loadRun, type LoadedRun } from '../train/index.js';
import { writeFileAtomic } from '../util/fs.js';
import { lockFolder } from '../util/lock.js';
import { writeOutputs } from '../util/signals.js';
import { heatmapSvg, htmlPage, htmlTable, lineChartSvg } from '../viz/index.js';
import { evaluateDefaults } from './defaults.js';

export type EvaluateOptions = ScoreOptions;
export { evaluateDefaults };

export interface Evaluation extends Scores {
  step: number;
}

/** Score an open run (no files written). */
export async function evaluateLoaded(loaded: LoadedRun, o: EvaluateOptions = {}): Promise<Evaluation> {
  const r = await scoreRepresentation(loaded.run.dataset, (x, n) => loaded.encode(x, n, 'mean'), o);
  return { ...r, step: loaded.run.step };
}

/** Score the run in `dir` and write `eval.json` and `eval.html` there (holding the folder's lock meanwhile). */
export async function evaluateRun(dir: string, o: EvaluateOptions = {}): Promise<Evaluation> {
  checkRunFolder(dir);
  const lock = lockFolder(dir, 'evaluate');
  try {
    const loaded = await loadRun(dir);
    try {
      const ev = await evaluateLoaded(loaded, o);
      await writeOutputs(() => writeEvaluation(dir, loaded, ev, o));
      return ev;
    } finally {
      loaded.dispose();
    }
  } finally {
    lock.release();
  }
}

function writeEvaluation(dir: string, loaded: LoadedRun, ev: Evaluation, o: EvaluateOptions): void {
  const codes = [...Array(loaded.run.config.model.z).keys()].map((j) => `z${j}`);
  const factors = loaded.run.dataset.factors.map((f) => f.name);
  const record = {
    step: ev.step,
    numTrain: o.numTrain ?? evaluateDefaults.numTrain,
    numTest: o.numTest ?? evaluateDefaults.numTest,
    seed: o.seed ?? evaluateDefaults.seed,
    preset: o.preset ?? evaluateDefaults.preset,
    metrics: ev.scores,
    ...(ev.warnings.length ? { warnings: ev.warnings } : {}),
    /** code × factor matrices by title (rows: codes, cols: factors), for pictures (the web page's runs view) */
    matrices: Object.fromEntries(
      ev.matrices.map((m) => [
        m.title,
        {
          rows: m.rowCodes?.map((j) => codes[j]) ?? codes,
          cols: m.colLabels ?? factors,
          values: Array.from(m.data, (v) => Math.round(v * 1e6) / 1e6),
        },
      ]),
    ),
    /** per-factor values and the like, by metric (DCI-ES's loss–capacity curves, InfoE per factor, …) */
    ...(Object.keys(ev.details).length ? { details: ev.details } : {}),
  };
  writeFileAtomic(join(dir, 'eval.json'), JSON.stringify(record, null, 2));
  const figs = ev.matrices.map((m) =>
    heatmapSvg(m.data, m.rows, m.cols, {
      title: m.title,
      rowLabels: m.rowCodes?.map((j) => codes[j]) ?? codes,
      colLabels: m.colLabels ?? factors,
      min: 0,
    }),
  );
  for (const c of ev.curves)
    figs.push(
      lineChartSvg(
        c.x,
        c.series.map((s, k) => ({ name: c.colLabels?.[k] ?? s.name, values: s.values })),
        { title: c.title, xLabel: c.xLabel, yLabel: c.yLabel },
      ),
    );
  writeFileAtomic(
    join(dir, 'eval.html'),
    htmlPage(
      `Evaluation of ${dir}`,
      htmlTable(
        ['metric', 'value'],
        Object.entries(ev.scores).map(([k, v]) => [k, v]),
      ) + `<div class="figs">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>`,
    ),
  );
}
