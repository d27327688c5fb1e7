import { z } from 'zod';
import { StateSpace } from '../state-space.js';
import type { GroundTruthDataset, FactorSpec } from '../types.js';
import { defineDataset } from '../define.js';

/** Pinwheel (Mathieu et al.'s clustering data): 2-D points on spiralling arms, one observation per (class, point). */
export const pinwheelSchema = z
  .object({
    classes: z.number().int().min(1).default(4),
    perClass: z.number().int().min(1).default(100),
    radialStd: z.number().min(0).default(0.3),
    tangentialStd: z.number().min(0).default(0.1),
    rate: z.number().default(0.25),
    seed: z.number().int().default(0),
  })
  .strict();

export class Pinwheel implements GroundTruthDataset {
  readonly name = 'pinwheel';
  readonly factors: FactorSpec[];
  readonly obsShape: [number, number, number] = [1, 1, 2];
  readonly params: Record<string, unknown>;
  readonly stateSpace: StateSpace;
  readonly size: number;
  private readonly points: Float32Array;

  constructor(params: z.input<typeof pinwheelSchema> = {}) {
    const p = pinwheelSchema.parse(params);
    this.params = { ...p };
    this.factors = [
      { name: 'class', size: p.classes },
      { name: 'point', size: p.perClass },
    ];
    this.stateSpace = new StateSpace([p.classes, p.perClass]);
    this.size = this.stateSpace.size;
    // Deterministic points from the seed: (r, t) ~ (N(1, radialStd), N(0, tangentialStd)), rotated by
    // class angle + rate·exp(r) — the usual pinwheel construction.
    let state = (p.seed >>> 0) ^ 0x9e3779b9;
    const uni = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state + 0.5) / 4294967296;
    };
    const gauss = () => Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni());
    this.points = new Float32Array(this.size * 2);
    for (let c = 0; c < p.classes; c++)
      for (let i = 0; i < p.perClass; i++) {
        const r = 1 + p.radialStd * gauss(),
          t = p.tangentialStd * gauss();
        const angle = (2 * Math.PI * c) / p.classes + p.rate * Math.exp(r);
        const k = (c * p.perClass + i) * 2;
        this.points[k] = r * Math.cos(angle) - t * Math.sin(angle);
        this.points[k + 1] = r * Math.sin(angle) + t * Math.cos(angle);
      }
  }

  renderInto(index: number, out: Float32Array, offset: number): void {
    out[offset] = this.points[index * 2];
    out[offset + 1] = this.points[index * 2 + 1];
  }
}

export const pinwheel = defineDataset({
  name: 'pinwheel',
  description: '2-D points on spiralling arms (observation shape 1×1×2; for clustering priors)',
  schema: pinwheelSchema,
  create: (p) => new Pinwheel(p),
});
