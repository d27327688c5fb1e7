/**
 * Difference of Gaussians, a band-pass: gauss(r₁) − gauss(r₂) with r₁ < r₂ (σ = r/4 each). Its taps sum to 0,
 * so it ignores flat regions; the augment base(k∗a, k∗b) is still ≥ 0 and 0 at a = b.
 */
import { z } from 'zod';
import { gaussianTaps } from '../filter.js';
import { defineKernel, maxRadius } from './define.js';

export const dog = defineKernel({
  name: 'dog',
  description: 'difference of Gaussians gauss(r1) − gauss(r2), r1 < r2: a band-pass',
  syntax: 'dog<r1>-<r2>',
  pattern: /^(\d+)-(\d+)$/,
  fromMatch: (m) => ({ inner: Number(m[1]), outer: Number(m[2]) }),
  schema: z
    .object({ inner: z.number().int().min(0).max(maxRadius), outer: z.number().int().min(1).max(maxRadius) })
    .refine((p) => p.inner < p.outer, { message: 'the first radius must be smaller than the second' }),
  format: (p) => `${p.inner}-${p.outer}`,
  size: (p) => p.outer,
  create: (p) => ({
    terms: [
      { coef: 1, taps: gaussianTaps(p.inner) },
      { coef: -1, taps: gaussianTaps(p.outer) },
    ],
  }),
  grid: (n) => {
    const out: { inner: number; outer: number }[] = [];
    for (const inner of [0, 2, 4, 8, 16])
      for (const f of [2, 4]) {
        const outer = Math.max(4, inner * f);
        if (outer < n && !out.some((p) => p.inner === inner && p.outer === outer)) out.push({ inner, outer });
      }
    return out;
  },
});
