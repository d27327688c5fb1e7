/**
 * How a kernel family of the augmented loss is declared: `defineKernel({ name, syntax, pattern, schema, … })`.
 * A family is written in a loss spec right after `+`, e.g. `box31` in `mse+box31@3969`: its name, then its
 * parameters as text that `pattern` reads and `schema` validates. Each family also offers the grid of sizes
 * the loss-design search tries.
 */
import type { z } from 'zod';
import { formatZodError, type Definition } from '../../registry/index.js';
import { UserError } from '../../util/errors.js';
import type { LinearKernel } from '../filter.js';

/** A kernel of a family with its parameters: `spec` is its canonical text (e.g. 'box31'). */
export interface KernelInstance {
  family: string;
  spec: string;
  /** The family's size, for plots of score vs size (radius in pixels, or σ-radius; the number of taps for sep). */
  size: number;
  kernel: LinearKernel;
}

export interface KernelDefinition extends Definition {
  /** How the family is written, for error messages and help (e.g. 'box<r>'). */
  readonly syntax: string;
  /** The kernel written `name` + `params` (e.g. params '31' for box31); a UserError naming the fix if bad. */
  parse(params: string): KernelInstance;
  /** The kernels the loss-design search tries on images of side `imageSize`. */
  grid(imageSize: number): KernelInstance[];
}

/** Radii go up to this (a 513-tap filter already spans any image the toolkit knows). */
export const maxRadius = 256;

/** Canonical text of a number in a spec (shortest round-trip form; 3 significant digits for learned values). */
export function formatNumber(x: number): string {
  return String(Object.is(x, -0) ? 0 : x);
}

export function defineKernel<S extends z.ZodType>(d: {
  name: string;
  description: string;
  syntax: string;
  /** Reads the parameter text; its groups go to `fromMatch`. */
  pattern: RegExp;
  fromMatch: (m: RegExpExecArray) => unknown;
  schema: S;
  format: (p: z.output<S>) => string;
  size: (p: z.output<S>) => number;
  create: (p: z.output<S>) => LinearKernel;
  grid: (imageSize: number) => z.input<S>[];
}): KernelDefinition {
  const instance = (p: z.output<S>): KernelInstance => ({
    family: d.name,
    spec: d.name + d.format(p),
    size: d.size(p),
    kernel: d.create(p),
  });
  const parse = (params: string): KernelInstance => {
    const m = d.pattern.exec(params);
    if (!m) throw new UserError(`kernel '${d.name}${params}': write it as ${d.syntax} (${d.description})`);
    const parsed = d.schema.safeParse(d.fromMatch(m));
    if (!parsed.success) throw new UserError(formatZodError(`kernel '${d.name}${params}'`, parsed.error));
    return instance(parsed.data);
  };
  return {
    name: d.name,
    description: d.description,
    syntax: d.syntax,
    parse,
    grid: (imageSize) => d.grid(imageSize).map((p) => instance(d.schema.parse(p))),
  };
}

/** Radii from `from` to `max` (included) on a roughly geometric ladder (1, 2, 3, 4, 6, 9, 14, 21, …, max). */
export function radiusLadder(max: number, from = 1): number[] {
  const out: number[] = [];
  for (let r = from; r < max; r = r < 4 ? r + 1 : r + Math.max(1, Math.round(r / 2))) out.push(r);
  if (max >= from) out.push(max);
  return out;
}
