/**
 * Zietlow et al.'s (ICML 2021) perturbed data as datasets: x' = clip(x + ε·m(w), 0, 1), with m a learned
 * function of the factors alone (found by `disentangle perturb`, analysis/perturbation.ts, saved to an .npz),
 * and the matched control x + U[−ε, ε] i.i.d. per pixel (fixed per observation). The `perturbed` dataset shows
 * any other dataset in one of three variants — original, perturbed, noise — so that a sweep varies one key.
 */
import { z } from 'zod';
import { Rng } from '../util/rng.js';
import { UserError } from '../util/errors.js';
import { readNpz, writeNpz, type NdArray } from './formats/npz.js';
import { defineDataset } from './define.js';
import type { GroundTruthDataset } from './types.js';

/** A learned factor-conditioned perturbation as plain data. */
export interface Perturbation {
  epsilon: number;
  factorSizes: number[];
  /** Observation size H·W·C. */
  obsSize: number;
  /** Per factor: size_k × obsSize table, row-major. */
  embeddings: Float32Array[];
  /** Objective value at the start and the end of the optimisation (mean off-diagonal cos²). */
  alignmentBefore: number;
  alignmentAfter: number;
}

/** m(w) for one factor vector, written into `out` (values in [−1, 1]). */
export function perturbationField(p: Perturbation, factors: ArrayLike<number>, out: Float32Array, offset = 0): void {
  const D = p.obsSize;
  for (let i = 0; i < D; i++) out[offset + i] = 0;
  p.embeddings.forEach((e, k) => {
    const row = factors[k] * D;
    for (let i = 0; i < D; i++) out[offset + i] += e[row + i];
  });
  for (let i = 0; i < D; i++) out[offset + i] = Math.tanh(out[offset + i]);
}

/** A dataset wrapper x' = clip(x + ε·m(w), 0, 1) (or uniform-noise control when `noiseSeed` is given). */
export function applyPerturbation(
  ds: GroundTruthDataset,
  p: Perturbation,
  name = `${ds.name}+perturbed`,
): GroundTruthDataset {
  const D = p.obsSize;
  const m = new Float32Array(D);
  const f = new Int32Array(ds.factors.length);
  return {
    ...ds,
    name,
    params: { ...ds.params, perturbation: { epsilon: p.epsilon } },
    stateSpace: ds.stateSpace,
    factors: ds.factors,
    obsShape: ds.obsShape,
    size: ds.size,
    renderInto(index, out, offset) {
      ds.renderInto(index, out, offset);
      ds.stateSpace.toFactors(index, f);
      perturbationField(p, f, m, 0);
      for (let i = 0; i < D; i++) {
        const v = out[offset + i] + p.epsilon * m[i];
        out[offset + i] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    },
  };
}

/** The matched control: x + U[−ε, ε] i.i.d. per pixel, fixed per observation index (seeded), clipped. */
export function applyUniformNoise(
  ds: GroundTruthDataset,
  epsilon: number,
  seed = 0,
  name = `${ds.name}+noise`,
): GroundTruthDataset {
  const D = ds.obsShape[0] * ds.obsShape[1] * ds.obsShape[2];
  return {
    ...ds,
    name,
    params: { ...ds.params, noise: { epsilon, seed } },
    renderInto(index, out, offset) {
      ds.renderInto(index, out, offset);
      const r = new Rng(`${seed}:${index}`);
      for (let i = 0; i < D; i++) {
        const v = out[offset + i] + epsilon * (2 * r.uniform() - 1);
        out[offset + i] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    },
  };
}

const utf8 = (s: string): NdArray => {
  const b = new TextEncoder().encode(s);
  return { dtype: 'uint8', shape: [b.length], data: b };
};

/** Layout: `epsilon` (float64 [1]), `factor_sizes` (int32), `embedding_<k>` (float32 size_k × H·W·C), `dataset` (utf-8 JSON). */
export function savePerturbation(path: string, p: Perturbation, ds: GroundTruthDataset): void {
  const arrays: Record<string, NdArray> = {
    epsilon: { dtype: 'float64', shape: [1], data: Float64Array.of(p.epsilon) },
    factor_sizes: { dtype: 'int32', shape: [p.factorSizes.length], data: Int32Array.from(p.factorSizes) },
    obs_shape: { dtype: 'int32', shape: [3], data: Int32Array.from(ds.obsShape) },
    dataset: utf8(JSON.stringify({ name: ds.name, params: ds.params })),
  };
  p.embeddings.forEach((e, k) => {
    arrays[`embedding_${k}`] = { dtype: 'float32', shape: [p.factorSizes[k], p.obsSize], data: e };
  });
  writeNpz(path, arrays);
}

export function loadPerturbation(path: string): {
  perturbation: Perturbation;
  dataset: { name: string; params: Record<string, unknown> };
} {
  const a = readNpz(path);
  for (const key of ['epsilon', 'factor_sizes', 'obs_shape', 'dataset']) {
    if (!a[key])
      throw new UserError(
        `${path} is not a perturbation file: missing '${key}' (write one with \`disentangle perturb\`)`,
      );
  }
  const factorSizes = Array.from(a.factor_sizes.data as Int32Array);
  const obsSize = Array.from(a.obs_shape.data as Int32Array).reduce((x, y) => x * y, 1);
  const embeddings = factorSizes.map((_, k) => {
    const e = a[`embedding_${k}`];
    if (!e) throw new UserError(`${path}: missing 'embedding_${k}'`);
    return e.data as Float32Array;
  });
  return {
    perturbation: {
      epsilon: (a.epsilon.data as Float64Array)[0],
      factorSizes,
      obsSize,
      embeddings,
      alignmentBefore: NaN,
      alignmentAfter: NaN,
    },
    dataset: JSON.parse(new TextDecoder().decode(a.dataset.data as Uint8Array)),
  };
}

/**
 * The 'perturbed' dataset, given the registry's `createDataset` for its base dataset: the registry passes it in
 * (see ./registry.ts), so that this module never imports the registry back.
 */
export const perturbedDataset = (
  createDataset: (name: string, params: Record<string, unknown>) => Promise<GroundTruthDataset>,
) =>
  defineDataset({
    name: 'perturbed',
    description:
      'another dataset as original, perturbed (Zietlow et al.: a perturbation file from `disentangle perturb`) or uniform-noise control',
    schema: z
      .object({
        /** The dataset seen through the perturbation, and its parameters. */
        base: z.string().default('dsprites'),
        baseParams: z.record(z.string(), z.unknown()).default({}),
        variant: z.enum(['original', 'perturbed', 'noise']).default('original'),
        /** The perturbation (variant 'perturbed'); its ε is the noise control's amplitude too. */
        file: z.string().optional(),
        /** The noise control's amplitude when no file is given. */
        epsilon: z.number().gt(0).max(1).optional(),
        seed: z.number().int().default(0),
      })
      .strict(),
    create: async (p) => {
      const base = await createDataset(p.base, p.baseParams);
      const loaded = p.file ? loadPerturbation(p.file) : null;
      if (loaded) {
        const same =
          loaded.dataset.name === base.name &&
          JSON.stringify(loaded.perturbation.factorSizes) === JSON.stringify(base.factors.map((f) => f.size));
        if (!same)
          throw new UserError(
            `${p.file} perturbs '${loaded.dataset.name}' ${JSON.stringify(loaded.dataset.params)}, not '${base.name}' ${JSON.stringify(base.params)}`,
          );
      }
      const epsilon = p.epsilon ?? loaded?.perturbation.epsilon;
      if (p.variant === 'original') return base;
      if (p.variant === 'perturbed') {
        if (!loaded)
          throw new UserError(
            "dataset 'perturbed': variant 'perturbed' needs file=<perturbation.npz> (write one with `disentangle perturb`)",
          );
        return applyPerturbation(base, loaded.perturbation);
      }
      if (epsilon === undefined)
        throw new UserError(
          "dataset 'perturbed': variant 'noise' needs epsilon=<amplitude> or file=<perturbation.npz>",
        );
      return applyUniformNoise(base, epsilon, p.seed);
    },
  });
