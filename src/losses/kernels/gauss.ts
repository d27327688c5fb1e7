/** Gaussian blur: radius r, σ = r/4 (truncated at 4σ, normalised to sum 1). */
import { z } from 'zod';
import { gaussianTaps } from '../filter.js';
import { defineKernel, maxRadius, radiusLadder } from './define.js';

export const gauss = defineKernel({
  name: 'gauss',
  description: 'Gaussian blur of radius r: σ = r/4, truncated at r, summing to 1',
  syntax: 'gauss<r>',
  pattern: /^(\d+)$/,
  fromMatch: (m) => ({ r: Number(m[1]) }),
  schema: z.object({ r: z.number().int().min(0).max(maxRadius) }),
  format: (p) => String(p.r),
  size: (p) => p.r,
  create: (p) => ({ terms: [{ coef: 1, taps: gaussianTaps(p.r) }] }),
  grid: (n) => radiusLadder(n - 1, 2).map((r) => ({ r })),
});
