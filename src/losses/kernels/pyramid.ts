/**
 * A pyramid of blurs: the mean of `levels` box blurs of radii r, ⌊r/2⌋, ⌊r/4⌋, … — a centre-heavy blur
 * that keeps some fine detail while reaching far (a sum of separable terms, each filtered separately).
 */
import { z } from 'zod';
import { boxTaps } from '../filter.js';
import { defineKernel, maxRadius } from './define.js';

const radii = (r: number, levels: number) => Array.from({ length: levels }, (_, l) => Math.floor(r / 2 ** l));

export const pyr = defineKernel({
  name: 'pyr',
  description: 'pyramid: the mean of n box blurs of radii r, r/2, r/4, … (rounded down)',
  syntax: 'pyr<r>x<n>',
  pattern: /^(\d+)x(\d+)$/,
  fromMatch: (m) => ({ r: Number(m[1]), levels: Number(m[2]) }),
  schema: z
    .object({ r: z.number().int().min(1).max(maxRadius), levels: z.number().int().min(2).max(8) })
    .refine((p) => Math.floor(p.r / 2 ** (p.levels - 1)) >= 1, {
      message: 'the smallest radius r/2^(n−1) must be ≥ 1: use fewer levels or a larger r',
    }),
  format: (p) => `${p.r}x${p.levels}`,
  size: (p) => p.r,
  create: (p) => ({ terms: radii(p.r, p.levels).map((r) => ({ coef: 1 / p.levels, taps: boxTaps(r) })) }),
  grid: (n) => {
    const out: { r: number; levels: number }[] = [];
    for (const r of [4, 8, 16, 31, 48].filter((r) => r < n))
      for (const levels of [2, 3, 4]) if (Math.floor(r / 2 ** (levels - 1)) >= 1) out.push({ r, levels });
    return out;
  },
});
