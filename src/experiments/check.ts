/**
 * Cross-checks of an experiment file that its schema cannot express: every claim and published number names
 * one of the file's sweeps, and every value it compares or filters on is one that sweep's grid can produce.
 * A claim whose value matches no run (e.g. a prior written with its defaults filled in, where the grid lists it
 * without) would otherwise report "no data" only after hours of training.
 */
import { UserError } from '../util/errors.js';
import { canonical, getPath } from './claims.js';
import type { ExperimentFile } from './schema.js';
import { designPaths, designRefs } from './design.js';

type Values = Map<string, unknown[]>;

/** Grid (and zip) values of one sweep, by key, across the base spec and every scale's overrides. */
function sweepValues(spec: ExperimentFile, sweep: string, base: Record<string, unknown>): Values {
  const out: Values = new Map();
  const add = (g: unknown) => {
    if (!g || typeof g !== 'object') return;
    for (const [k, vs] of Object.entries(g as Record<string, unknown>))
      if (Array.isArray(vs)) out.set(k, [...(out.get(k) ?? []), ...vs]);
  };
  const addSpec = (o: Record<string, unknown>) => {
    add(o.grid);
    if (Array.isArray(o.zip)) o.zip.forEach(add);
  };
  addSpec(base);
  for (const scale of Object.values(spec.scales)) {
    const o = scale.steps[sweep];
    if (o && typeof o === 'object') addSpec(o as Record<string, unknown>);
  }
  return out;
}

/** The values a dotted key can take in a sweep's runs, when a grid decides it; null when the grid does not. */
function valuesOf(values: Values, key: string): unknown[] | null {
  if (values.has(key)) return values.get(key)!;
  for (const [g, vs] of values) {
    if (!key.startsWith(g + '.')) continue;
    const sub = vs.map((v) => getPath(v, key.slice(g.length + 1)));
    // a grid value without the sub-key takes it from the base config: not decided by the grid alone
    return sub.some((v) => v === undefined) ? null : sub;
  }
  return null;
}

/**
 * Every `${design:<step>.<path>}` names a design step of the file and one of its values; in a sweep, a design
 * step that runs before it (the sweep's runs are decided by it).
 */
function checkDesignReferences(name: string, spec: ExperimentFile): void {
  const designs = spec.steps.filter((s) => s.kind === 'design').map((s) => s.name);
  const check = (what: string, v: unknown, before?: number) => {
    for (const [step, path] of designRefs(v)) {
      const at = spec.steps.findIndex((s) => s.kind === 'design' && s.name === step);
      if (at < 0)
        throw new UserError(
          `experiment ${name}: ${what} names \${design:${step}.${path}}, but '${step}' is not one of its design ` +
            `steps (${designs.join(', ') || 'none'}): use one of their names`,
        );
      if (!designPaths.test(path))
        throw new UserError(
          `experiment ${name}: ${what} names \${design:${step}.${path}}: the value must be best, baseline or ` +
            'paper, then spec, beta, scale, score or mean (e.g. ${design:' +
            step +
            '.best.spec})',
        );
      if (before !== undefined && at > before)
        throw new UserError(
          `experiment ${name}: ${what} uses design step '${step}', which comes after it: move the design step before it`,
        );
    }
  };
  spec.steps.forEach((s, i) => {
    if (s.kind === 'sweep') {
      check(`sweep '${s.name}'`, s.spec, i);
      for (const [scale, sc] of Object.entries(spec.scales))
        check(`scale '${scale}' of sweep '${s.name}'`, sc.steps[s.name], i);
    }
  });
  spec.claims.forEach((c) => check(`claim '${c.id}'`, c));
  spec.published.forEach((p, i) => check(`published[${i}]`, p));
}

export function checkExperimentReferences(name: string, spec: ExperimentFile): void {
  checkDesignReferences(name, spec);
  const sweeps = new Map<string, Record<string, unknown>>();
  for (const s of spec.steps) if (s.kind === 'sweep') sweeps.set(s.name, s.spec);
  const refs = [
    ...spec.claims.map((c) => ({ what: `claim '${c.id}'`, sweep: c.sweep, where: c.where, test: c.test })),
    ...spec.published.map((p, i) => ({ what: `published[${i}]`, sweep: p.sweep, where: p.where, test: undefined })),
    ...spec.steps.flatMap((s) =>
      s.kind === 'latents' ? [{ what: `step '${s.name}'`, sweep: s.sweep, where: s.where, test: undefined }] : [],
    ),
  ];
  const valuesBySweep = new Map<string, Values>();
  for (const r of refs) {
    const base = sweeps.get(r.sweep);
    if (!base)
      throw new UserError(
        `experiment ${name}: ${r.what} names sweep '${r.sweep}', which is not one of its sweeps ` +
          `(${[...sweeps.keys()].join(', ') || 'none'}): use one of their names`,
      );
    const values = valuesBySweep.get(r.sweep) ?? sweepValues(spec, r.sweep, base);
    valuesBySweep.set(r.sweep, values);
    const wanted: Array<[string, unknown]> = Object.entries(r.where).flatMap(([k, v]) =>
      Array.isArray(v) ? v.map((x) => [k, x] as [string, unknown]) : [[k, v] as [string, unknown]],
    );
    if (r.test?.kind === 'greater') wanted.push([r.test.param, r.test.higher], [r.test.param, r.test.lower]);
    for (const [key, v] of wanted) {
      const possible = valuesOf(values, key);
      if (possible && !possible.some((p) => canonical(p) === canonical(v)))
        throw new UserError(
          `experiment ${name}: ${r.what} compares ${key} = ${canonical(v)}, which no run of sweep '${r.sweep}' has ` +
            `(its values: ${[...new Set(possible.map((p) => canonical(p)))].join(', ')}): ` +
            `write the value exactly as the sweep's grid does`,
        );
    }
  }
}
