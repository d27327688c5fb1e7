/**
 * XYObject (disent): one square of side 7, 9, 11, 13 or 15 moved on a grid with spacing 2
 * (placements (64 − 15)//2 + 1 = 25 per axis), coloured from a palette of 6 hues × 4 intensities.
 * Factors (x 25, y 25, scale 5, color 24) = 75,000 images. The "shaded" variant re-factors the same images
 * as (x, y, scale, intensity 4, color 6).
 */
import { z } from 'zod';
import { StateSpace } from '../state-space.js';
import type { GroundTruthDataset, FactorSpec } from '../types.js';
import { defineDataset } from '../define.js';

const HUES: Array<[number, number, number]> = [
  [1, 0, 0],
  [1, 1, 0],
  [0, 1, 0],
  [0, 1, 1],
  [0, 0, 1],
  [1, 0, 1],
];
const INTENSITIES = [0.25, 0.5, 0.75, 1];
const SCALES = [7, 9, 11, 13, 15];

export const xyObjectSchema = z.object({}).strict();

export class XYObject implements GroundTruthDataset {
  readonly name: string;
  readonly factors: FactorSpec[];
  readonly obsShape: [number, number, number] = [64, 64, 3];
  readonly params: Record<string, unknown> = {};
  readonly stateSpace: StateSpace;
  readonly size = 75000;
  private readonly f: Int32Array;

  constructor(readonly shaded = false) {
    this.name = shaded ? 'xyobject_shaded' : 'xyobject';
    this.factors = shaded
      ? [
          { name: 'x', size: 25 },
          { name: 'y', size: 25 },
          { name: 'scale', size: 5 },
          { name: 'intensity', size: 4 },
          { name: 'color', size: 6 },
        ]
      : [
          { name: 'x', size: 25 },
          { name: 'y', size: 25 },
          { name: 'scale', size: 5 },
          { name: 'color', size: 24 },
        ];
    this.stateSpace = new StateSpace(this.factors.map((x) => x.size));
    this.f = new Int32Array(this.factors.length);
  }

  renderInto(index: number, out: Float32Array, offset: number): void {
    const f = this.stateSpace.toFactors(index, this.f);
    // colour index c = hue·4 + intensity in both factorisations
    const [hue, intensity] = this.shaded ? [f[4], f[3]] : [Math.floor(f[3] / 4), f[3] % 4];
    const rgb = HUES[hue].map((v) => v * INTENSITIES[intensity]);
    const s = SCALES[f[2]];
    // positions are for the largest square; smaller squares are centred on the same spot
    const off = (15 - s) >> 1;
    const x0 = f[0] * 2 + off,
      y0 = f[1] * 2 + off;
    out.fill(0, offset, offset + 64 * 64 * 3);
    for (let y = y0; y < y0 + s; y++)
      for (let x = x0; x < x0 + s; x++) for (let c = 0; c < 3; c++) out[offset + (y * 64 + x) * 3 + c] = rgb[c];
  }
}

export const xyobject = defineDataset({
  name: 'xyobject',
  description: 'one square of 5 sizes and 24 colours on a 25×25 grid (spacing 2)',
  schema: xyObjectSchema,
  create: () => new XYObject(false),
});

export const xyobject_shaded = defineDataset({
  name: 'xyobject_shaded',
  description: 'XYObject re-factored as x, y, scale, intensity, colour',
  schema: xyObjectSchema,
  create: () => new XYObject(true),
});
