/** Registers the built-in datasets. */
import { registerDataset } from './registry.js';
import { DSprites, dspritesSchema } from './procedural/dsprites.js';
import { XYObject, xyObjectSchema, Pinwheel, pinwheelSchema } from './procedural/xyobject.js';
import { XYSquares, XYSingleSquare, XColumns, xySquaresSchema, xColumnsSchema } from './procedural/xysquares.js';

registerDataset({
  name: 'xysquares',
  description:
    'three squares on a grid, one per channel (Michlo et al.); adversarial for pixel losses at spacing = square size',
  kind: 'procedural',
  schema: xySquaresSchema,
  create: (p) => new XYSquares(p),
});
registerDataset({
  name: 'xysinglesquare',
  description: 'one square on a grid: factors x, y',
  kind: 'procedural',
  schema: xySquaresSchema.omit({ numSquares: true, rgb: true }),
  create: (p) => new XYSingleSquare(p),
});
registerDataset({
  name: 'xcolumns',
  description: 'full-height columns, one per channel: factors x_R, x_G, x_B',
  kind: 'procedural',
  schema: xColumnsSchema,
  create: (p) => new XColumns(p),
});
for (const variant of ['binary', 'color', 'noisy', 'scream'] as const) {
  registerDataset({
    name: variant === 'binary' ? 'dsprites' : `dsprites_${variant}`,
    description:
      variant === 'binary'
        ? 'dSprites rendered procedurally: shape, scale, orientation, position_x, position_y (737,280 images)'
        : `dSprites, ${variant} variant (procedural)`,
    kind: 'procedural',
    schema: dspritesSchema.omit({ variant: true }),
    create: () => new DSprites({ variant }),
  });
}
registerDataset({
  name: 'xyobject',
  kind: 'procedural',
  schema: xyObjectSchema,
  description: 'one square of 5 sizes and 24 colours on a 25×25 grid (spacing 2)',
  create: () => new XYObject(false),
});
registerDataset({
  name: 'xyobject_shaded',
  kind: 'procedural',
  schema: xyObjectSchema,
  description: 'XYObject re-factored as x, y, scale, intensity, colour',
  create: () => new XYObject(true),
});
registerDataset({
  name: 'pinwheel',
  kind: 'procedural',
  schema: pinwheelSchema,
  description: '2-D points on spiralling arms (observation shape 1×1×2; for clustering priors)',
  create: (p) => new Pinwheel(p),
});
