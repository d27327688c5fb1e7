/**
 * A free separable kernel given by its 1-D taps t (odd count, centre tap in the middle), applied along both
 * axes: k = t ⊗ t. Written with underscores between taps so that a spec needs no quoting and no commas
 * (sweep grids split on commas): `mse+sep0.1_0.3_1_0.3_0.1@2`. The loss-design search learns these by gradient.
 */
import { z } from 'zod';
import { defineKernel, formatNumber, maxRadius } from './define.js';

const num = '-?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?';

export const sep = defineKernel({
  name: 'sep',
  description: 'free separable kernel t ⊗ t from an odd number of 1-D taps separated by _',
  syntax: 'sep<t1>_<t2>_…_<tn> (n odd, e.g. sep0.1_0.3_1_0.3_0.1)',
  pattern: new RegExp(`^${num}(?:_${num})*$`, 'i'),
  fromMatch: (m) => ({ taps: m[0].split('_').map(Number) }),
  schema: z.object({
    taps: z
      .array(z.number().finite())
      .min(1)
      .max(2 * maxRadius + 1)
      .refine((t) => t.length % 2 === 1, { message: 'give an odd number of taps (the centre tap in the middle)' })
      .refine((t) => t.some((v) => v !== 0), { message: 'at least one tap must be non-zero' }),
  }),
  format: (p) => p.taps.map(formatNumber).join('_'),
  size: (p) => (p.taps.length - 1) / 2,
  create: (p) => ({ terms: [{ coef: 1, taps: Float64Array.from(p.taps) }] }),
  // learned by gradient, not enumerated
  grid: () => [],
});
