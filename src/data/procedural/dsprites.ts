/**
 * dSprites rendered procedurally (Matthey et al. 2017), following the real file's factor conventions:
 * shape 3 (square, ellipse, heart), scale 6 (0.5 … 1 linearly), orientation 40 (0 … 2π inclusive — the
 * first and last angles coincide), position_x and position_y 32 each (0 … 1 linearly); 64×64×1 binary.
 * The real sprites are bitmaps we cannot reach here: our shapes are analytic (point-in-shape tests in the
 * sprite's rotated frame), with the same factor semantics — positions move the centre linearly across the
 * image, scale multiplies the size, orientation rotates about the centre.
 * Variants: color (sprite × a colour from U[0.5, 1]³), noisy (min(sprite + U[0, 1], 1)), scream (a procedural
 * painting-like texture averaged with a random colour, sprite pixels inverted) — each deterministic per index.
 */
import { z } from 'zod';
import { StateSpace } from '../state-space.js';
import type { GroundTruthDataset, FactorSpec } from '../types.js';
import { Rng } from '../../util/rng.js';
import { defineDataset } from '../define.js';

export const dspritesSchema = z
  .object({
    variant: z.enum(['binary', 'color', 'noisy', 'scream']).default('binary'),
  })
  .strict();

const SIZE = 64;
/** Half-extent of a scale-1 sprite in pixels, and the range its centre moves over. */
const HALF = 12;
const MARGIN = 13;

function inShape(shape: number, u: number, v: number): boolean {
  switch (shape) {
    case 0:
      return Math.abs(u) <= 0.75 && Math.abs(v) <= 0.75; // square
    case 1:
      return u * u + (v * v) / 0.25 <= 1; // ellipse, 2:1
    default: {
      // heart, pointing down in image coordinates
      const x = u * 1.15,
        y = -v * 1.15 + 0.2;
      const a = x * x + y * y - 1;
      return a * a * a - x * x * y * y * y <= 0;
    }
  }
}

/** dSprites' factors, as the real file has them (its constant colour factor dropped). */
export const DSPRITES_FACTORS: readonly FactorSpec[] = [
  { name: 'shape', size: 3, categorical: true },
  { name: 'scale', size: 6 },
  { name: 'orientation', size: 40 },
  { name: 'position_x', size: 32 },
  { name: 'position_y', size: 32 },
];

export class DSprites implements GroundTruthDataset {
  readonly name: string;
  readonly factors = DSPRITES_FACTORS;
  readonly obsShape: [number, number, number];
  readonly params: Record<string, unknown>;
  readonly stateSpace = new StateSpace(DSPRITES_FACTORS.map((f) => f.size));
  readonly size = this.stateSpace.size;
  private readonly variant: 'binary' | 'color' | 'noisy' | 'scream';
  private readonly f = new Int32Array(5);
  private readonly mask = new Uint8Array(SIZE * SIZE);
  private texture: Float32Array | null = null;

  constructor(params: z.input<typeof dspritesSchema> = {}) {
    const p = dspritesSchema.parse(params);
    this.variant = p.variant;
    this.name = p.variant === 'binary' ? 'dsprites' : `dsprites_${p.variant}`;
    this.obsShape = [SIZE, SIZE, p.variant === 'binary' ? 1 : 3];
    this.params = { ...p };
  }

  /** Factor values as the real file's latents_values define them. */
  static values(factor: number, label: number): number {
    switch (factor) {
      case 0:
        return label + 1;
      case 1:
        return 0.5 + (0.5 * label) / 5;
      case 2:
        return (2 * Math.PI * label) / 39;
      default:
        return label / 31;
    }
  }

  private renderMask(f: Int32Array): void {
    const scale = DSprites.values(1, f[1]);
    const theta = DSprites.values(2, f[2]);
    const cx = MARGIN + DSprites.values(3, f[3]) * (SIZE - 1 - 2 * MARGIN);
    const cy = MARGIN + DSprites.values(4, f[4]) * (SIZE - 1 - 2 * MARGIN);
    const h = HALF * scale;
    const c = Math.cos(theta),
      s = Math.sin(theta);
    this.mask.fill(0);
    const r = Math.ceil(h * 1.5) + 1;
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(SIZE - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(SIZE - 1, Math.ceil(cx + r)); x++) {
        const dx = x - cx,
          dy = y - cy;
        const u = (c * dx + s * dy) / h,
          v = (-s * dx + c * dy) / h;
        if (inShape(f[0], u, v)) this.mask[y * SIZE + x] = 1;
      }
    }
  }

  private screamTexture(): Float32Array {
    if (this.texture) return this.texture;
    // A fixed, painting-like 3-channel texture (sums of oriented sinusoids), 2× the image size for crops.
    const T = 2 * SIZE,
      t = new Float32Array(T * T * 3);
    for (let y = 0; y < T; y++)
      for (let x = 0; x < T; x++)
        for (let ch = 0; ch < 3; ch++) {
          const v =
            0.5 +
            0.25 * Math.sin(0.11 * x + 0.07 * y + ch) +
            0.25 * Math.sin(0.05 * x * (ch + 1) - 0.13 * y + 2 * Math.sin(0.03 * y));
          t[(y * T + x) * 3 + ch] = Math.min(1, Math.max(0, v));
        }
    this.texture = t;
    return t;
  }

  renderInto(index: number, out: Float32Array, offset: number): void {
    this.stateSpace.toFactors(index, this.f);
    this.renderMask(this.f);
    const m = this.mask;
    if (this.variant === 'binary') {
      for (let i = 0; i < SIZE * SIZE; i++) out[offset + i] = m[i];
      return;
    }
    const rng = new Rng(`dsprites:${this.variant}:${index}`);
    if (this.variant === 'color') {
      const col = [0.5 + 0.5 * rng.uniform(), 0.5 + 0.5 * rng.uniform(), 0.5 + 0.5 * rng.uniform()];
      for (let i = 0; i < SIZE * SIZE; i++) for (let ch = 0; ch < 3; ch++) out[offset + i * 3 + ch] = m[i] * col[ch];
    } else if (this.variant === 'noisy') {
      for (let i = 0; i < SIZE * SIZE; i++)
        for (let ch = 0; ch < 3; ch++) out[offset + i * 3 + ch] = Math.min(1, m[i] + rng.uniform());
    } else {
      const tex = this.screamTexture();
      const T = 2 * SIZE,
        ox = rng.int(SIZE),
        oy = rng.int(SIZE);
      const col = [rng.uniform(), rng.uniform(), rng.uniform()];
      for (let y = 0; y < SIZE; y++)
        for (let x = 0; x < SIZE; x++)
          for (let ch = 0; ch < 3; ch++) {
            const bg = (tex[((y + oy) * T + x + ox) * 3 + ch] + col[ch]) / 2;
            out[offset + (y * SIZE + x) * 3 + ch] = m[y * SIZE + x] ? 1 - bg : bg;
          }
    }
  }
}

const variantSchema = dspritesSchema.omit({ variant: true });
export const dsprites = defineDataset({
  name: 'dsprites',
  description: 'dSprites rendered procedurally: shape, scale, orientation, position_x, position_y (737,280 images)',
  schema: variantSchema,
  create: () => new DSprites({ variant: 'binary' }),
});
export const dsprites_color = defineDataset({
  name: 'dsprites_color',
  description: 'dSprites, color variant (procedural)',
  schema: variantSchema,
  create: () => new DSprites({ variant: 'color' }),
});
export const dsprites_noisy = defineDataset({
  name: 'dsprites_noisy',
  description: 'dSprites, noisy variant (procedural)',
  schema: variantSchema,
  create: () => new DSprites({ variant: 'noisy' }),
});
export const dsprites_scream = defineDataset({
  name: 'dsprites_scream',
  description: 'dSprites, scream variant (procedural)',
  schema: variantSchema,
  create: () => new DSprites({ variant: 'scream' }),
});
