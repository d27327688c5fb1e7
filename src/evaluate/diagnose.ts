/**
 * Diagnostics of a trained model (Zietlow et al.; Rolinek et al.; Michlo et al.): which latents are active
 * (per-latent KL), how orthogonal the decoder Jacobian is, how each factor's traversal lands in latent space
 * (linearity, axis alignment, distance correlations), and which latent carries which factor (MI matrix).
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { checkRunFolder, loadRun, type LoadedRun } from '../train/index.js';
import { perLatentKl } from '../frameworks/index.js';
import { factoredComponents, jacobianOrthogonality, sampleCodesAndFactors, mig } from '../metrics/index.js';
import { renderObservations } from '../data/index.js';
import { Rng } from '../util/rng.js';
import { writeFileAtomic } from '../util/fs.js';
import { lockFolder } from '../util/lock.js';
import { writeOutputs } from '../util/signals.js';
import { barChartSvg, heatmapSvg, htmlPage, htmlTable, escapeHtml } from '../viz/index.js';

/** KL above this (nats, batch mean) counts as an active latent. */
export const ACTIVE_KL = 0.01;

export interface DiagnoseOptions {
  seed?: number;
  /** Points at which the decoder Jacobian is measured. */
  points?: number;
  /** Codes sampled for the latent–factor mutual information. */
  codes?: number;
}

/** Diagnose the run in `dir`: `diagnose.json` and `diagnose.html` in the folder (holding its lock meanwhile). */
export async function diagnoseRun(dir: string, o: DiagnoseOptions = {}) {
  checkRunFolder(dir);
  const lock = lockFolder(dir, 'diagnose');
  try {
    const loaded = await loadRun(dir);
    try {
      const { result, html } = diagnoseLoaded(dir, loaded, o);
      await writeOutputs(() => {
        writeFileAtomic(join(dir, 'diagnose.json'), JSON.stringify(result, null, 1) + '\n');
        writeFileAtomic(join(dir, 'diagnose.html'), html);
      });
      return result;
    } finally {
      loaded.dispose();
    }
  } finally {
    lock.release();
  }
}

function diagnoseLoaded(dir: string, loaded: LoadedRun, o: DiagnoseOptions) {
  const { run } = loaded;
  const ds = run.dataset;
  const rng = new Rng(o.seed ?? 0);
  const [h, w, c] = ds.obsShape;
  const idx = ds.stateSpace.sampleIndices(256, rng.fork('kl'));
  const x = renderObservations(ds, idx);
  let kl: number[] | null = null;
  if (run.framework.encoderOutputsPerLatent === 2) {
    kl = Array.from(tf.tidy(() => perLatentKl(run.model.encode(tf.tensor4d(x, [256, h, w, c])))).dataSync());
  }
  const rep = (xx: Float32Array, n: number) => loaded.encode(xx, n);
  const points = o.points ?? 16;
  const codes = loaded.encode(x.subarray(0, points * h * w * c), points);
  // a model without a decoder (PCL) has no decoder Jacobian
  const orthogonality =
    run.model.spec.decoder === false
      ? null
      : jacobianOrthogonality((z, n) => loaded.decode(z, n), codes, points, run.config.model.z);
  const factored = factoredComponents(ds, rep, rng.fork('traversals'));
  const cf = sampleCodesAndFactors(ds, rep, o.codes ?? 2000, rng.fork('codes'));
  const mi = mig(cf).mi;
  const Z = run.config.model.z,
    F = ds.factors.length;
  const alignment = ds.factors.map((f, k) => {
    let best = 0,
      bj = 0;
    for (let j = 0; j < Z; j++)
      if (mi[j * F + k] > best) {
        best = mi[j * F + k];
        bj = j;
      }
    return { factor: f.name, latent: bj, mutualInformation: best };
  });
  const result = {
    run: dir,
    step: run.step,
    perLatentKl: kl,
    activeLatents: kl ? kl.filter((v) => v > ACTIVE_KL).length : null,
    jacobianDistanceToOrthogonality: orthogonality,
    factored,
    alignment,
  };
  const codesLbl = [...Array(Z).keys()].map((j) => `z${j}`);
  const body = [
    `<p>Run <code>${escapeHtml(dir)}</code> at step ${run.step}. Active latents (KL &gt; ${ACTIVE_KL}): <b>${result.activeLatents ?? 'n/a'}</b> of ${Z}. ` +
      (orthogonality === null
        ? 'The model has no decoder (its framework trains the encoder alone), so no decoder Jacobian.</p>'
        : `Distance to orthogonality of the decoder Jacobian (0 = columns orthogonal and axis-aligned after a signed permutation): <b>${orthogonality.toFixed(3)}</b>.</p>`),
    kl ? barChartSvg(codesLbl, [{ name: 'KL (nats)', values: kl }], { title: 'per-latent KL' }) : '',
    htmlTable(
      ['factor', 'linearity', 'axis alignment', 'rank corr. (gt vs latent distance)', 'best latent', 'MI'],
      factored.factors.map((f, k) => [
        f.name,
        f.linearity.toFixed(3),
        f.axisAlignment.toFixed(3),
        f.rankCorrelation.toFixed(3),
        `z${alignment[k].latent}`,
        alignment[k].mutualInformation.toFixed(3),
      ]),
    ),
    heatmapSvg(mi, Z, F, {
      title: 'MI(latent, factor)',
      rowLabels: codesLbl,
      colLabels: ds.factors.map((f) => f.name),
      min: 0,
    }),
  ].join('\n');
  return { result, html: htmlPage(`Model diagnostics: ${dir}`, body) };
}
