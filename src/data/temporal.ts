/**
 * Temporal pairs (x_t, x_{t+1}) with sparse transitions: the data of SlowVAE and PCL (Klindt et al., ICLR 2021,
 * "Towards nonlinear disentanglement in natural data with temporal sparse coding"; Zietlow et al., ICML 2021).
 *
 * x_t's factors are drawn uniformly. Each factor of x_{t+1} is drawn independently from a discrete Laplace
 * centred on its current value v, on the factor's own grid of n values:
 *
 *   P(v' = j | v) = exp(−|j − v| / s) / Σ_{i=0…n−1} exp(−|i − v| / s),   j = 0 … n−1,   s = ln(n) / λ
 *
 * λ is the rate (larger = sparser: more factors keep their value); the scale grows with ln n so that a factor
 * of 40 values moves about as far, relative to its range, as one of 6. This is the rule of the authors' code
 * (`truncated_laplace` in bethgelab/slow_disentanglement), chosen over rounding a continuous Laplace step and
 * clipping or reflecting it: the density is evaluated on the grid and renormalised there, so the mass beyond an
 * edge is spread over the whole range in proportion rather than piled onto the edge value.
 * As there: categorical factors (`FactorSpec.categorical`: shape, object identity) never change; if no factor
 * changed, one changeable factor chosen uniformly is redrawn from the same law with its current value
 * excluded, so the two observations always differ; rate 'random' draws λ ~ U(1, 10) per pair.
 */
import type { GroundTruthDataset } from './types.js';
import type { Rng } from '../util/rng.js';
import { UserError } from '../util/errors.js';

/** P(v' = j | v = current) for j = 0 … size−1 (size ≥ 2, rate > 0): the law above. */
export function temporalStepProbabilities(size: number, current: number, rate: number): Float64Array {
  return fillStepWeights(new Float64Array(size), size, current, rate, true);
}

function fillStepWeights(out: Float64Array, size: number, current: number, rate: number, normalise: boolean) {
  const scale = Math.log(size) / rate;
  let total = 0;
  for (let j = 0; j < size; j++) total += out[j] = Math.exp(-Math.abs(j - current) / scale);
  if (normalise) for (let j = 0; j < size; j++) out[j] /= total;
  return out;
}

/** A draw from unnormalised weights w[0 … n−1], skipping index `exclude`. */
function draw(w: Float64Array, n: number, rng: Rng, exclude = -1): number {
  let total = 0;
  for (let j = 0; j < n; j++) if (j !== exclude) total += w[j];
  let u = rng.uniform() * total;
  let last = -1;
  for (let j = 0; j < n; j++) {
    if (j === exclude) continue;
    last = j;
    u -= w[j];
    if (u < 0) return j;
  }
  return last; // u ran past the end by rounding
}

/**
 * 2B indices: rows b and B + b are (x_t, x_{t+1}) of pair b. `rate` is λ above, or 'random' for
 * λ ~ U(1, 10) per pair.
 */
export function sampleTemporalPairs(
  ds: GroundTruthDataset,
  batch: number,
  rate: number | 'random',
  rng: Rng,
): Float64Array {
  if (rate !== 'random' && !(rate > 0 && Number.isFinite(rate)))
    throw new UserError(`the temporal step rate must be a positive number or 'random', got ${rate}`);
  const sizes = ds.factors.map((f) => f.size);
  const movable = ds.factors.flatMap((f, i) => (f.size > 1 && !f.categorical ? [i] : []));
  if (movable.length === 0)
    throw new UserError(
      `dataset '${ds.name}' has no factor a temporal step can change (every factor is categorical or has one ` +
        `value): use a dataset with an ordered factor, or a framework that trains on single observations`,
    );
  const w = new Float64Array(Math.max(...sizes));
  const out = new Float64Array(2 * batch);
  for (let b = 0; b < batch; b++) {
    const lambda = rate === 'random' ? 1 + 9 * rng.uniform() : rate;
    const f = ds.stateSpace.sampleFactors(1, rng);
    const g = f.slice();
    let changed = false;
    for (const i of movable) {
      g[i] = draw(fillStepWeights(w, sizes[i], f[i], lambda, false), sizes[i], rng);
      if (g[i] !== f[i]) changed = true;
    }
    if (!changed) {
      const i = movable[rng.int(movable.length)];
      g[i] = draw(fillStepWeights(w, sizes[i], f[i], lambda, false), sizes[i], rng, f[i]);
    }
    out[b] = ds.stateSpace.toIndex(f);
    out[batch + b] = ds.stateSpace.toIndex(g);
  }
  return out;
}
