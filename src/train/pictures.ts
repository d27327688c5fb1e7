/** Pictures of a model: reconstructions (originals above reconstructions) and latent traversals (both need a decoder). */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { renderObservations } from '../data/index.js';
import { perLatentKl } from '../frameworks/index.js';
import { Rng } from '../util/rng.js';
import { tileImages, writePng } from '../viz/index.js';
import type { Run } from './assemble.js';

export function reconstructionImages(run: Run, n = 8, seed = 1) {
  const ds = run.dataset;
  const [h, w, c] = ds.obsShape;
  const idx = ds.stateSpace.sampleIndices(n, new Rng(seed));
  const x = renderObservations(ds, idx);
  const rec = tf.tidy(() => {
    const xt = tf.tensor4d(x, [n, h, w, c]);
    const z = run.framework.representation(run.model.encode(xt));
    return run.recon.activate(run.model.decode(z)).dataSync() as Float32Array;
  });
  const both = new Float32Array(2 * x.length);
  both.set(x, 0);
  both.set(rec, x.length);
  return tileImages(both, 2 * n, h, w, c, n, 2, 0.5);
}

/**
 * One row per latent dimension (sorted by KL, most active first; at most `maxRows`), values −2 … 2 around an
 * encoded point.
 */
export function traversalImages(run: Run, steps = 9, seed = 2, maxRows = 32) {
  const ds = run.dataset;
  const [h, w, c] = ds.obsShape;
  const idx = ds.stateSpace.sampleIndices(64, new Rng(seed));
  const x = renderObservations(ds, idx);
  const { base, kl } = tf.tidy(() => {
    const enc = run.model.encode(tf.tensor4d(x, [64, h, w, c]));
    const rep = run.framework.representation(enc);
    const k =
      run.framework.encoderOutputsPerLatent === 2
        ? perLatentKl(enc).dataSync()
        : tf.moments(rep, 0).variance.dataSync();
    return { base: tf.slice(rep, [0, 0], [1, -1]).dataSync().slice() as Float32Array, kl: Array.from(k) };
  });
  const Z = base.length;
  // a model with many latents shows its most active ones (a row per latent of a 10⁵-latent model would not fit)
  const order = [...Array(Z).keys()].sort((a, b) => kl[b] - kl[a]).slice(0, maxRows);
  const rows = order.length;
  const zs = new Float32Array(rows * steps * Z);
  order.forEach((d, row) => {
    for (let s = 0; s < steps; s++) {
      const o = (row * steps + s) * Z;
      zs.set(base, o);
      zs[o + d] = -2 + (4 * s) / (steps - 1);
    }
  });
  const imgs = tf.tidy(
    () => run.recon.activate(run.model.decode(tf.tensor2d(zs, [rows * steps, Z]))).dataSync() as Float32Array,
  );
  return { image: tileImages(imgs, rows * steps, h, w, c, steps, 2, 0.5), order, kl };
}

/** reconstructions.png and traversals.png; none for a model without a decoder (PCL), which has neither. */
export function writeModelPictures(run: Run): void {
  if (run.model.spec.decoder === false) return;
  writePng(join(run.dir, 'reconstructions.png'), reconstructionImages(run));
  writePng(join(run.dir, 'traversals.png'), traversalImages(run).image);
}
