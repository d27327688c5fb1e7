import { z } from 'zod';
import { StateSpace } from '../state-space.js';
import type { GroundTruthDataset, FactorSpec } from '../types.js';
import { defineDataset } from '../define.js';
import { gridLayout } from './xysquares.js';

/** XColumns: like XYSquares but full-height columns (factors x_R, x_G, x_B). */
export const xColumnsSchema = z
  .object({
    columnWidth: z.number().int().min(1).default(8),
    imageSize: z.number().int().min(1).default(64),
    gridSpacing: z.number().int().min(1).optional(),
    gridSize: z.number().int().min(1).nullable().default(null),
    numColumns: z.number().int().min(1).max(3).default(3),
    fillValue: z.number().min(0).max(1).default(1),
  })
  .strict();

export class XColumns implements GroundTruthDataset {
  readonly name = 'xcolumns';
  readonly factors: FactorSpec[];
  readonly obsShape: [number, number, number];
  readonly params: Record<string, unknown>;
  readonly stateSpace: StateSpace;
  readonly size: number;
  private readonly p: z.output<typeof xColumnsSchema> & { gridSpacing: number };
  private readonly offset: number;
  private readonly f: Int32Array;

  constructor(params: z.input<typeof xColumnsSchema> = {}) {
    const parsed = xColumnsSchema.parse(params);
    this.p = { ...parsed, gridSpacing: parsed.gridSpacing ?? parsed.columnWidth };
    const { placements: n, offset } = gridLayout(
      this.p.imageSize,
      this.p.columnWidth,
      this.p.gridSpacing,
      this.p.gridSize,
    );
    this.offset = offset;
    this.factors = ['x_R', 'x_G', 'x_B'].slice(0, this.p.numColumns).map((name) => ({ name, size: n }));
    this.obsShape = [this.p.imageSize, this.p.imageSize, 3];
    this.params = { ...this.p };
    this.stateSpace = new StateSpace(this.factors.map((f) => f.size));
    this.size = this.stateSpace.size;
    this.f = new Int32Array(this.factors.length);
  }

  renderInto(index: number, out: Float32Array, offset: number): void {
    const S = this.p.imageSize;
    out.fill(0, offset, offset + S * S * 3);
    this.stateSpace.toFactors(index, this.f);
    for (let i = 0; i < this.factors.length; i++) {
      const x0 = this.offset + this.f[i] * this.p.gridSpacing;
      for (let y = 0; y < S; y++)
        for (let x = x0; x < x0 + this.p.columnWidth; x++) out[offset + (y * S + x) * 3 + i] = this.p.fillValue;
    }
  }
}

export const xcolumns = defineDataset({
  name: 'xcolumns',
  description: 'full-height columns, one per channel: factors x_R, x_G, x_B',
  schema: xColumnsSchema,
  create: (p) => new XColumns(p),
});
