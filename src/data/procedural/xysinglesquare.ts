/** XYSingleSquare: one square on a grid, factors (x, y), one channel — XYSquares with `numSquares: 1`. */
import { defineDataset } from '../define.js';
import type { FactorSpec } from '../types.js';
import { XYSquares, xySquaresSchema, type XYSquaresParams } from './xysquares.js';

export class XYSingleSquare extends XYSquares {
  override readonly name = 'xysinglesquare';
  constructor(params: Omit<XYSquaresParams, 'numSquares' | 'rgb'> = {}) {
    super({ ...params, numSquares: 1, rgb: false });
    (this.factors as FactorSpec[]).splice(
      0,
      2,
      { name: 'x', size: this.placements },
      { name: 'y', size: this.placements },
    );
  }
}

export const xysinglesquare = defineDataset({
  name: 'xysinglesquare',
  description: 'one square on a grid: factors x, y',
  schema: xySquaresSchema.omit({ numSquares: true, rgb: true }),
  create: (p) => new XYSingleSquare(p),
});
