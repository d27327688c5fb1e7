import { describe, expect, it } from 'vitest';
import { checkClaim, comparePublished, matches } from '../../src/experiments/claims.js';
import type { SweepResults } from '../../src/experiments/claims.js';
import type { Claim } from '../../src/experiments/schema.js';

/** A fake sweep: runs with a config and a final/max score each. */
function results(rows: Array<{ config: Record<string, unknown>; mig: number }>): SweepResults {
  return {
    sweep: { runs: rows.map((r, i) => ({ id: i, name: `r${i}`, values: {}, seed: 0, config: r.config })) },
    rows: rows.map((r, i) => ({
      id: i,
      name: `r${i}`,
      values: {},
      seed: 0,
      state: 'done',
      step: 1,
      steps: 1,
      final: { mig: r.mig },
      max: { mig: r.mig + 0.1 },
    })),
  } as unknown as SweepResults;
}

const cfg = (fw: string, spacing: number) => ({ framework: { name: fw }, dataset: { gridSpacing: spacing } });

const spearman = (expect: 'negative' | 'positive'): Claim => ({
  id: 'c',
  text: 'falls',
  sweep: 's',
  where: { 'framework.name': 'adagvae' },
  metric: 'mig',
  stat: 'max',
  test: { kind: 'spearman', param: 'dataset.gridSpacing', expect },
});

describe('experiment claims', () => {
  const falling = results([
    { config: cfg('adagvae', 1), mig: 0.8 },
    { config: cfg('adagvae', 4), mig: 0.4 },
    { config: cfg('adagvae', 8), mig: 0.05 },
    { config: cfg('betavae', 1), mig: 0.0 },
    { config: cfg('betavae', 8), mig: 0.9 },
  ]);

  it('a Spearman claim is checked on the matching runs only, by its sign', () => {
    const r = checkClaim(spearman('negative'), falling);
    expect(r.verdict).toBe('holds');
    expect(r.groups[0].n).toBe(3); // the β-VAE runs (rising) are left out by `where`
    expect(r.groups[0].statistic).toBeCloseTo(-1, 12);
    expect(checkClaim(spearman('positive'), falling).verdict).toBe('does not hold');
  });

  it('a claim with no matching scored runs says so rather than guessing', () => {
    expect(checkClaim({ ...spearman('negative'), where: { 'framework.name': 'nope' } }, falling).verdict).toBe(
      'no data',
    );
    expect(checkClaim(spearman('negative'), undefined).verdict).toBe('no data');
  });

  it('a `greater` claim compares medians (with a margin), per group when asked', () => {
    const c: Claim = {
      id: 'g',
      text: 'overlap beats adversarial',
      sweep: 's',
      where: {},
      metric: 'mig',
      stat: 'final',
      per: 'framework.name',
      test: { kind: 'greater', param: 'dataset.gridSpacing', higher: 1, lower: 8, margin: 0 },
    };
    const r = checkClaim(c, falling);
    expect(r.groups.map((g) => [g.group, g.holds])).toEqual([
      ['adagvae', true],
      ['betavae', false],
    ]);
    expect(r.verdict).toBe('does not hold');
    expect(r.groups[0].statistic).toBeCloseTo(0.8 - 0.05, 12);
    // a negative margin tolerates a small loss
    const tolerant = {
      ...c,
      per: undefined,
      where: { 'framework.name': 'adagvae' },
      test: { ...c.test, higher: 8, lower: 1, margin: -0.8 },
    };
    expect(checkClaim(tolerant as Claim, falling).verdict).toBe('holds');
  });

  it('a `greater` claim shows each side’s range over seeds and says when the ranges overlap', () => {
    const c: Claim = {
      id: 'p',
      text: 'prior helps',
      sweep: 's',
      where: {},
      metric: 'mig',
      stat: 'final',
      test: { kind: 'greater', param: 'p', higher: 'a', lower: 'b', margin: 0 },
    };
    const mk = (hi: number[], lo: number[]) =>
      results([...hi.map((mig) => ({ config: { p: 'a' }, mig })), ...lo.map((mig) => ({ config: { p: 'b' }, mig }))]);
    const mixed = checkClaim(c, mk([0.53, 0.58, 0.62], [0.5, 0.53, 0.66]));
    expect(mixed.verdict).toBe('holds');
    expect(mixed.groups[0].detail).toBe(
      'median 0.580 (a, n=3, 0.530–0.620) − 0.530 (b, n=3, 0.500–0.660) = 0.050; the seeds’ ranges overlap',
    );
    const apart = checkClaim(c, mk([0.58, 0.59], [0.28, 0.34]));
    expect(apart.groups[0].detail).toBe('median 0.585 (a, n=2, 0.580–0.590) − 0.310 (b, n=2, 0.280–0.340) = 0.275');
  });

  it('only finished runs count: a stopped run’s partial maximum is not a result', () => {
    const c: Claim = {
      id: 'p',
      text: 'x',
      sweep: 's',
      where: {},
      metric: 'mig',
      stat: 'max',
      test: { kind: 'greater', param: 'p', higher: 'a', lower: 'b', margin: 0 },
    };
    const res = results([
      { config: { p: 'a' }, mig: 0.5 },
      { config: { p: 'b' }, mig: 0.1 },
      { config: { p: 'b' }, mig: 0.9 },
    ]);
    (res.rows[2] as { state: string }).state = 'pending';
    const r = checkClaim(c, res);
    expect(r.groups[0].n).toBe(2);
    expect(r.verdict).toBe('holds');
  });

  it('`where` matches a value or any of a list, objects by content', () => {
    expect(matches({ a: { b: 1 }, p: { type: 'x', df: 9 } }, { 'a.b': [0, 1] })).toBe(true);
    expect(matches({ p: { df: 9, type: 'x' } }, { p: { type: 'x', df: 9 } })).toBe(true);
    expect(matches({ p: { type: 'x' } }, { p: { type: 'y' } })).toBe(false);
  });

  it('published numbers get our median and IQR of the same runs beside them', () => {
    const p = comparePublished(
      { sweep: 's', where: { 'framework.name': 'adagvae' }, metric: 'mig', stat: 'max', value: 0.87, source: 'fig' },
      falling,
    );
    expect(p.ours.n).toBe(3);
    expect(p.ours.median).toBeCloseTo(0.5, 12);
  });
});
