/**
 * An experiment's claims must compare values its sweeps produce: a claim that matches no run would otherwise
 * say "no data" only after the study has trained (as mathieu2019's anisotropic prior once did, written with its
 * defaults filled in while the grid lists it without).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { experiments, readExperiment } from '../../src/experiments/registry.js';
import { checkExperimentReferences } from '../../src/experiments/check.js';
import { experimentSchema } from '../../src/experiments/schema.js';

const base = {
  title: 't',
  paper: 'p',
  description: 'd',
  steps: [
    {
      kind: 'sweep',
      name: 'priors',
      spec: {
        base: { dataset: { name: 'dsprites' }, framework: { name: 'decomposition' } },
        grid: {
          'framework.prior': [{ type: 'isotropic' }, { type: 'anisotropic', logvar: 'pca' }],
        },
      },
    },
  ],
  claims: [
    {
      id: 'aniso',
      text: 'x',
      sweep: 'priors',
      metric: 'mig',
      test: {
        kind: 'greater',
        param: 'framework.prior',
        higher: { logvar: 'pca', type: 'anisotropic' }, // key order does not matter
        lower: { type: 'isotropic' },
      },
    },
  ],
  scales: {
    smoke: { description: 's', steps: { priors: { grid: { 'framework.prior': [{ type: 'studentt', df: 9 }] } } } },
    cpu: { description: 'c' },
    paper: { description: 'p' },
  },
};
const parse = (o: unknown) => experimentSchema.parse(o);

it('every shipped experiment passes the check', async () => {
  expect(experiments.names().length).toBeGreaterThanOrEqual(5);
  for (const name of experiments.names()) await expect(experiments.get(name)).resolves.toHaveProperty('spec');
});

it('accepts values the grid (or a scale override) has, in any key order', () => {
  const ok = structuredClone(base);
  expect(() => checkExperimentReferences('t', parse(ok))).not.toThrow();
  ok.claims[0].test.higher = { type: 'studentt', df: 9 } as never; // only the smoke scale's grid has it
  expect(() => checkExperimentReferences('t', parse(ok))).not.toThrow();
});

it('refuses a claim value no run has, naming the values there are', () => {
  const bad = structuredClone(base);
  bad.claims[0].test.higher = { type: 'anisotropic', logvar: 'pca', scale: 1, learn: false } as never;
  expect(() => checkExperimentReferences('t', parse(bad))).toThrow(
    /claim 'aniso' compares framework\.prior = \{"learn":false,"logvar":"pca","scale":1,"type":"anisotropic"\}, which no run of sweep 'priors' has \(its values: \{"type":"isotropic"\}, \{"logvar":"pca","type":"anisotropic"\}, \{"df":9,"type":"studentt"\}\): write the value exactly/,
  );
});

it('refuses a where value no run has, and a sweep that does not exist', () => {
  const bad = structuredClone(base) as typeof base & { claims: Array<{ where?: unknown }> };
  bad.claims[0].where = { 'framework.prior.type': ['isotropic', 'sparse'] };
  expect(() => checkExperimentReferences('t', parse(bad))).toThrow(/framework\.prior\.type = "sparse"/);
  const none = structuredClone(base);
  none.claims[0].sweep = 'prior';
  expect(() => checkExperimentReferences('t', parse(none))).toThrow(
    /claim 'aniso' names sweep 'prior', which is not one of its sweeps \(priors\): use one of their names/,
  );
});

it('an experiment file with such a claim is refused when it is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exp-check-'));
  const bad = structuredClone(base);
  bad.claims[0].test.lower = { type: 'laplace' } as never;
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
  expect(() => readExperiment(join(dir, 'bad.json'))).toThrow(/framework\.prior = \{"type":"laplace"\}/);
});
