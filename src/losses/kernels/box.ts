/** Box blur (Michlo et al.'s augment): 2r+1 equal taps along each axis, a (2r+1)² square summing to 1. */
import { z } from 'zod';
import { boxTaps } from '../filter.js';
import { defineKernel, maxRadius, radiusLadder } from './define.js';

export const box = defineKernel({
  name: 'box',
  description: 'box blur of radius r, a (2r+1)² square of equal weights summing to 1 (the paper: box31)',
  syntax: 'box<r>',
  pattern: /^(\d+)$/,
  fromMatch: (m) => ({ r: Number(m[1]) }),
  schema: z.object({ r: z.number().int().min(0).max(maxRadius) }),
  format: (p) => String(p.r),
  size: (p) => p.r,
  create: (p) => ({ terms: [{ coef: 1, taps: boxTaps(p.r) }] }),
  // up to the paper's 31 on 64-pixel images: a box wider than the image only adds a constant
  grid: (n) => radiusLadder(Math.max(1, Math.floor(n / 2) - 1)).map((r) => ({ r })),
});
