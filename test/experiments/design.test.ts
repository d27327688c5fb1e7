/**
 * The `design` step's references (`${design:<step>.<path>}`): found, substituted with their types, checked when
 * the experiment file is read, stand-ins while the design has not run (never trained: the run re-plans), and
 * the designed values in the sweeps, claims and report once it has.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { designLookup, designRefs, substituteDesigns, type DesignRecord } from '../../src/experiments/design.js';
import { checkExperimentReferences } from '../../src/experiments/check.js';
import { experimentSchema } from '../../src/experiments/schema.js';
import { experiments } from '../../src/experiments/registry.js';
import { planExperiment } from '../../src/experiments/plan.js';
import { writeExperimentReport } from '../../src/experiments/report.js';

const tmp = mkdtempSync(join(tmpdir(), 'design-step-'));

const candidate = (spec: string, score: number, scale: number) => ({
  spec,
  family: spec.includes('+') ? 'gauss' : '',
  kernel: '',
  size: 0,
  alpha: 0,
  score,
  mean: score,
  factors: {},
  scale,
  beta: 0.0001 * scale,
});

function record(best: string): DesignRecord {
  return {
    format: 'disentangle-design-1',
    dataset: { name: 'xysquares' },
    base: 'mse',
    candidates: 200,
    seconds: 100,
    partial: false,
    best: candidate(best, 0.99, 4),
    baseline: candidate('mse', 0.58, 1),
    paper: candidate('mse+box31@3969', 0.97, 12.5),
    top: [candidate(best, 0.99, 4), candidate('mse+gauss3@10', 0.98, 2)],
    bySize: [],
    sampling: { traversals: 64, pairs: 50000, randomPairs: 256, seed: 0 },
    notes: [],
  };
}

describe('design references', () => {
  it('are found anywhere in a value, and replaced by the value itself when whole, by its text inside a string', () => {
    const v = { a: ['${design:d-1.best.spec}', 3], b: { c: 'β ${design:d-1.best.beta} here' } };
    expect(designRefs(v)).toEqual([
      ['d-1', 'best.spec'],
      ['d-1', 'best.beta'],
    ]);
    const out = substituteDesigns(v, (s, p) => (p === 'best.beta' ? 0.0004 : `${s}:${p}`));
    expect(out).toEqual({ a: ['d-1:best.spec', 3], b: { c: 'β 0.0004 here' } });
    expect(substituteDesigns('${design:d.best.beta}', () => 0.0004)).toBe(0.0004);
  });

  it('read a saved design, or give stand-ins (and say which design is pending) before it ran', () => {
    const out = join(tmp, 'lookup');
    mkdirSync(out);
    const steps = experimentSchema.shape.steps.parse([{ kind: 'design', name: 'd', dataset: { name: 'xysquares' } }]);
    const pending = new Set<string>();
    const before = designLookup(out, steps, pending);
    expect(before('d', 'best.spec')).toBe('mse+box1@0');
    expect(before('d', 'best.beta')).toBe(0.0001);
    expect([...pending]).toEqual(['d']);
    // a report leaves an unresolved reference as it is (its claim then matches no run: no data)
    expect(designLookup(out, steps, new Set(), false)('d', 'best.spec')).toBe('${design:d.best.spec}');
    writeFileSync(join(out, 'd.json'), JSON.stringify(record('mse+gauss2@100')));
    const after = designLookup(out, steps, new Set());
    expect(after('d', 'best.spec')).toBe('mse+gauss2@100');
    expect(after('d', 'paper.beta')).toBeCloseTo(0.00125, 12);
    writeFileSync(join(out, 'd.json'), '{broken');
    expect(() => designLookup(out, steps, new Set())('d', 'best.spec')).toThrow(/damaged/);
  });
});

describe('checked when the experiment file is read', () => {
  const file = (steps: unknown[], claims: unknown[] = []) =>
    experimentSchema.parse({
      title: 't',
      paper: 'p',
      description: 'd',
      steps,
      claims,
      scales: { smoke: { description: 's' }, cpu: { description: 'c' }, paper: { description: 'p' } },
    });
  const design = { kind: 'design', name: 'd', dataset: { name: 'xysquares' } };
  const sweep = (loss: string) => ({
    kind: 'sweep',
    name: 's',
    spec: { base: { dataset: { name: 'xysquares' } }, grid: { loss: ['mse', loss] } },
  });

  it('accepts a sweep after its design step, and a claim on the designed loss', () => {
    const claim = {
      id: 'c',
      text: 'x',
      sweep: 's',
      metric: 'mig',
      test: { kind: 'greater', param: 'loss', higher: '${design:d.best.spec}', lower: 'mse' },
    };
    expect(() => checkExperimentReferences('e', file([design, sweep('${design:d.best.spec}')], [claim]))).not.toThrow();
  });

  it('refuses an unknown design step, an unknown value, and a sweep that runs before its design', () => {
    expect(() => checkExperimentReferences('e', file([design, sweep('${design:nope.best.spec}')]))).toThrow(
      /names \$\{design:nope\.best\.spec\}, but 'nope' is not one of its design steps \(d\)/,
    );
    expect(() => checkExperimentReferences('e', file([design, sweep('${design:d.best.kernel}')]))).toThrow(
      /best, baseline or paper, then spec, beta, scale, score or mean/,
    );
    expect(() => checkExperimentReferences('e', file([sweep('${design:d.best.spec}'), design]))).toThrow(
      /uses design step 'd', which comes after it: move the design step before it/,
    );
  });
});

describe('the shipped loss-design experiment', () => {
  it('plans stand-ins before its designs ran, and the designed spec and β by the scale rule after', async () => {
    const def = await experiments.get('loss-design');
    const out = join(tmp, 'loss-design');
    mkdirSync(out);
    const before = await planExperiment(def, 'cpu', out, 2);
    const xy8 = before.steps.find((s) => s.step.name === 'xy8')!;
    expect('pending' in xy8 && xy8.pending).toEqual(['design-xy8']);
    // spacing 8 first: its design, then its sweep, before the other datasets
    expect(before.steps.map((s) => s.step.name).slice(0, 3)).toEqual(['design-xy8', 'xy8', 'design-xy4']);
    writeFileSync(join(out, 'design-xy8.json'), JSON.stringify(record('mse+gauss2@100')));
    const after = await planExperiment(def, 'cpu', out, 2);
    const s = after.steps.find((x) => x.step.name === 'xy8')!;
    if (!('runs' in s)) throw new Error('not a sweep');
    expect(s.pending).toEqual([]);
    expect(s.runs).toHaveLength(18);
    const losses = new Map(s.runs.map((r) => [r.config.loss, r.config.framework.beta]));
    expect([...losses.keys()].sort()).toEqual(['mse', 'mse+box31@3969', 'mse+gauss2@100']);
    expect(losses.get('mse')).toBeCloseTo(0.0001, 12);
    expect(losses.get('mse+gauss2@100')).toBeCloseTo(0.0004, 12);
    expect(losses.get('mse+box31@3969')).toBeCloseTo(0.00125, 12);
    expect(s.runs.every((r) => r.config.train.steps === 2000 && r.config.model.z === 9)).toBe(true);
    const xy4 = after.steps.find((x) => x.step.name === 'xy4')!;
    expect('pending' in xy4 && xy4.pending).toEqual(['design-xy4']);

    // the report: the design's table, and the claims compare the designed spec (no runs yet: no data)
    await writeExperimentReport(def, out, after);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/## Designed loss: design-xy8/);
    expect(summary).toMatch(/\| best \| mse\+gauss2@100 \| 0\.990 \| 0\.990 \| 4\.00 \| 0\.000400 \|/);
    const claims = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8')).claims;
    const c = claims.find((x: { id: string }) => x.id === 'designed-beats-blur-mig');
    expect(c.statistic).toContain('loss = mse+gauss2@100 minus at mse+box31@3969');
    expect(c.verdict).toBe('no data');
  });
});
