/**
 * XYSquares (Michlo et al., IJCAI 2023): squares on a grid, one per colour channel. With spacing equal to the
 * square size (the default) neighbouring positions never overlap, so every pair of observations along a
 * factor has the same pixel-wise distance: the dataset is adversarial for pixel-wise losses.
 *
 * Placement (datasets.md): placements per axis = min(gridSize, (imageSize − squareSize) // gridSpacing + 1);
 * offset = (imageSize − (squareSize + (placements − 1)·gridSpacing)) // 2; a square at grid position f spans
 * [offset + f·spacing, offset + f·spacing + squareSize) on its axis.
 */
import { z } from 'zod';
import { StateSpace } from '../state-space.js';
import type { GroundTruthDataset, FactorSpec } from '../types.js';
import { defineDataset } from '../define.js';

export const xySquaresSchema = z
  .object({
    squareSize: z.number().int().min(1).default(8),
    imageSize: z.number().int().min(1).default(64),
    /** Distance between neighbouring positions; defaults to squareSize (no overlap). */
    gridSpacing: z.number().int().min(1).optional(),
    /** Cap on placements per axis (the paper's spacing sweep uses 8). */
    gridSize: z.number().int().min(1).nullable().default(null),
    numSquares: z.number().int().min(1).max(3).default(3),
    /** true: square i drawn in channel i (RGB); false: all squares in one grey channel. */
    rgb: z.boolean().default(true),
    fillValue: z.number().min(0).max(1).default(1),
  })
  .strict();

export type XYSquaresParams = z.input<typeof xySquaresSchema>;

const NAMES = [
  ['x_R', 'y_R'],
  ['x_G', 'y_G'],
  ['x_B', 'y_B'],
];

/**
 * Where `size`-wide objects sit on one axis: the number of placements (capped by `gridSize`) and the offset
 * that centres the grid. Shared by XYSquares and XColumns.
 */
export function gridLayout(
  imageSize: number,
  size: number,
  spacing: number,
  gridSize: number | null,
): { placements: number; offset: number } {
  const fit = Math.floor((imageSize - size) / spacing) + 1;
  const placements = gridSize === null ? fit : Math.min(gridSize, fit);
  return { placements, offset: Math.floor((imageSize - (size + (placements - 1) * spacing)) / 2) };
}

export class XYSquares implements GroundTruthDataset {
  readonly name: string = 'xysquares';
  readonly factors: FactorSpec[];
  readonly obsShape: [number, number, number];
  readonly params: Record<string, unknown>;
  readonly stateSpace: StateSpace;
  readonly size: number;
  readonly placements: number;
  readonly offset: number;
  private readonly p: z.output<typeof xySquaresSchema> & { gridSpacing: number };
  private readonly f: Int32Array;

  constructor(params: XYSquaresParams = {}) {
    const parsed = xySquaresSchema.parse(params);
    const p = { ...parsed, gridSpacing: parsed.gridSpacing ?? parsed.squareSize };
    if (p.squareSize > p.imageSize)
      throw new RangeError(`squareSize ${p.squareSize} must be ≤ imageSize ${p.imageSize}`);
    this.p = p;
    ({ placements: this.placements, offset: this.offset } = gridLayout(
      p.imageSize,
      p.squareSize,
      p.gridSpacing,
      p.gridSize,
    ));
    this.factors = NAMES.slice(0, p.numSquares)
      .flat()
      .map((name) => ({ name, size: this.placements }));
    this.obsShape = [p.imageSize, p.imageSize, p.rgb ? 3 : 1];
    this.params = { ...p };
    this.stateSpace = new StateSpace(this.factors.map((f) => f.size));
    this.size = this.stateSpace.size;
    this.f = new Int32Array(this.factors.length);
  }

  renderInto(index: number, out: Float32Array, offset: number): void {
    const { imageSize: S, squareSize: q, gridSpacing: sp, numSquares, rgb, fillValue } = this.p;
    const C = rgb ? 3 : 1;
    out.fill(0, offset, offset + S * S * C);
    this.stateSpace.toFactors(index, this.f);
    for (let i = 0; i < numSquares; i++) {
      const x0 = this.offset + this.f[2 * i] * sp;
      const y0 = this.offset + this.f[2 * i + 1] * sp;
      const ch = rgb ? i : 0;
      for (let y = y0; y < y0 + q; y++) {
        const row = offset + (y * S + x0) * C + ch;
        for (let x = 0; x < q; x++) out[row + x * C] = fillValue;
      }
    }
  }
}

export const xysquares = defineDataset({
  name: 'xysquares',
  description:
    'three squares on a grid, one per channel (Michlo et al.); adversarial for pixel losses at spacing = square size',
  schema: xySquaresSchema,
  create: (p) => new XYSquares(p),
});
