/** Saving/loading a learned perturbation (.npz) and its report. */
import type { GroundTruthDataset } from '../data/types.js';
import { readNpz, writeNpz, type NdArray } from '../data/formats/npz.js';
import { UserError } from '../util/errors.js';
import { htmlPage, htmlTable, imgTag, escapeHtml, type Image } from '../viz/index.js';
import type { Perturbation } from './perturbation.js';
import type { LocalVarianceReport } from './local-variance.js';
import { localVarianceSection, fmt } from './html-sections.js';

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

export function perturbationReportHtml(
  ds: GroundTruthDataset,
  p: Perturbation,
  lv: { original: LocalVarianceReport; perturbed: LocalVarianceReport; noise: LocalVarianceReport },
  traversals: [Image, Image, Image] | Image[],
): string {
  const body = [
    `<p>Dataset <code>${escapeHtml(ds.name)}</code> ${escapeHtml(JSON.stringify(ds.params))}; ε = ${p.epsilon}. ` +
      `m(w) = tanh(Σ_k E_k[w_k]) was optimised to align the per-factor difference directions (mean off-diagonal cos²: ` +
      `${fmt(p.alignmentBefore, 3)} → ${fmt(p.alignmentAfter, 3)}). The uniform-noise control adds U[−ε, ε] per pixel.</p>`,
    htmlTable(
      ['data', 'local PCA alignment with factors', 'eigengap', 'mean off-diagonal |cos|'],
      (['original', 'perturbed', 'noise'] as const).map((k) => {
        const r = lv[k];
        const F = r.factors.length;
        let s = 0,
          n = 0;
        for (let a = 0; a < F; a++)
          for (let b = 0; b < F; b++)
            if (a !== b) {
              s += r.gramCosine[a * F + b];
              n++;
            }
        return [k, fmt(r.pcaAlignment, 3), fmt(r.pcaEigengap, 3), fmt(n ? s / n : 0, 3)];
      }),
    ),
    '<h2>Traversals: original, perturbed, noise control</h2>',
    `<div class="figs">${traversals.map((t, i) => `<figure>${imgTag(t, 2)}<figcaption>${['original', 'perturbed', 'noise control'][i]}</figcaption></figure>`).join('')}</div>`,
    localVarianceSection({ ...lv.original, dataset: `${ds.name}: original` }),
    localVarianceSection({ ...lv.perturbed, dataset: `${ds.name}: perturbed` }),
    localVarianceSection({ ...lv.noise, dataset: `${ds.name}: noise control` }),
  ].join('\n');
  return htmlPage(`Adversarial perturbation of ${ds.name} (ε = ${p.epsilon})`, body);
}
