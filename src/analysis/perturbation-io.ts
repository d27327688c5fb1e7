/** Saving/loading a learned perturbation (.npz) and its report. */
import type { GroundTruthDataset } from '../data/types.js';
import { htmlPage, htmlTable, imgTag, escapeHtml, type Image } from '../viz/index.js';
import type { Perturbation } from '../data/perturbed.js';
import type { LocalVarianceReport } from './local-variance.js';
import { localVarianceSection, fmt } from './html-sections.js';

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
