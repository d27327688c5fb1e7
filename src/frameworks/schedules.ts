/**
 * Schedules for any loss weight (β, γ, …): a number, or an object
 *   {type: 'linear', start, end, startStep, endStep}            linear ramp, clamped
 *   {type: 'cyclic', low, high, period, startStep?, mode?}      repeating ramp (mode 'linear' | 'cosine')
 *   {type: 'delay', value, afterStep, before?}                  `before` (default 0) until afterStep, then value
 */
import { z } from 'zod';

export const scheduleSchema = z.union([
  z.number(),
  z
    .object({
      type: z.literal('linear'),
      start: z.number(),
      end: z.number(),
      startStep: z.number().int().min(0).default(0),
      endStep: z.number().int().min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('cyclic'),
      low: z.number(),
      high: z.number(),
      period: z.number().int().min(1),
      startStep: z.number().int().min(0).default(0),
      mode: z.enum(['linear', 'cosine']).default('linear'),
    })
    .strict(),
  z
    .object({
      type: z.literal('delay'),
      value: z.number(),
      afterStep: z.number().int().min(0),
      before: z.number().default(0),
    })
    .strict(),
]);

export type Schedule = z.output<typeof scheduleSchema>;

export function scheduleValue(s: Schedule, step: number): number {
  if (typeof s === 'number') return s;
  switch (s.type) {
    case 'linear': {
      if (step <= s.startStep) return s.start;
      if (step >= s.endStep) return s.end;
      return s.start + ((s.end - s.start) * (step - s.startStep)) / (s.endStep - s.startStep);
    }
    case 'cyclic': {
      if (step < s.startStep) return s.low;
      const t = ((step - s.startStep) % s.period) / s.period;
      const f = s.mode === 'cosine' ? 0.5 * (1 - Math.cos(Math.PI * t)) : t;
      return s.low + (s.high - s.low) * f;
    }
    case 'delay':
      return step < s.afterStep ? s.before : s.value;
  }
}
