/**
 * The committed study results (results/<experiment>/) hold what their READMEs promise: every finished run in
 * a sweep's results.csv has its folder with the exact config (valid today) and its final scores, equal to
 * the table's. Fails on a results folder whose run files were left out (an ignore rule, a partial export).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/index.js';
import { readCsv } from '../sweep/helpers.js';

const root = 'results';
const sweeps = readdirSync(root)
  .filter((e) => existsSync(join(root, e, 'experiment.json')))
  .flatMap((e) =>
    readdirSync(join(root, e))
      .filter((s) => existsSync(join(root, e, s, 'results.csv')))
      .map((s) => join(root, e, s)),
  );

describe('committed study results', () => {
  it('has sweeps to check', () => {
    expect(sweeps.length).toBeGreaterThanOrEqual(5);
  });

  it.each(sweeps)('%s: each finished run has its config and scores, equal to results.csv', async (dir) => {
    const done = readCsv(join(dir, 'results.csv')).filter((r) => r.status === 'done');
    expect(done.length).toBeGreaterThan(0);
    for (const row of done) {
      const run = join(dir, 'runs', row.name);
      expect(existsSync(join(run, 'config.json')), `${run}/config.json`).toBe(true);
      expect(existsSync(join(run, 'eval.json')), `${run}/eval.json`).toBe(true);
      const config = await validateConfig(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')));
      expect(config.train.seed).toBe(Number(row.seed));
      expect(config.train.steps).toBe(Number(row.steps_total));
      const scores: Record<string, number> = JSON.parse(readFileSync(join(run, 'eval.json'), 'utf8')).metrics;
      const shared = Object.keys(scores).filter((k) => row[k] !== undefined && row[k] !== '');
      expect(shared.length, `${run}: no score of eval.json in results.csv`).toBeGreaterThan(0);
      for (const k of shared) expect(Number(row[k]), `${run} ${k}`).toBeCloseTo(scores[k], 6);
    }
  });
});
