import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  expandSpec,
  parseSeeds,
  parseScontrol,
  parseTaskIds,
  readSpecFile,
  specDifference,
  specFromFlags,
} from '../../src/sweep/index.js';
import { parseTimeLimit } from '../../src/cli/commands/sweep.js';

const base = {
  dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4, gridSpacing: 2 },
  framework: { name: 'betavae', beta: 2 },
  model: { architecture: 'conv64', z: 3 },
  train: { steps: 20, batchSize: 8, checkpointEvery: 10, logEvery: 5 },
};
const dir = mkdtempSync(join(tmpdir(), 'sweep-spec-'));
const baseFile = join(dir, 'base.json');
writeFileSync(baseFile, JSON.stringify(base));

describe('sweep specs', () => {
  it('expands the cartesian product of the axes (first outermost) times the seeds, each config validated', async () => {
    const spec = specFromFlags({
      config: baseFile,
      set: ['train.steps=30'],
      grid: ['dataset.gridSpacing=1,2,4', 'framework.beta=0.001,0.00316'],
      seeds: '2',
      metrics: 'mig,dci',
      evalEvery: 10,
    });
    const runs = await expandSpec(spec);
    expect(runs).toHaveLength(12);
    expect(runs[0].name).toBe('gridSpacing=1_beta=0.001_seed=0');
    expect(runs[1].name).toBe('gridSpacing=1_beta=0.001_seed=1');
    expect(runs[2].name).toBe('gridSpacing=1_beta=0.00316_seed=0');
    expect(runs[11].name).toBe('gridSpacing=4_beta=0.00316_seed=1');
    expect(new Set(runs.map((r) => r.name)).size).toBe(12);
    const r = runs[7]; // gridSpacing=2, beta=0.00316, seed 1
    expect(r.values).toEqual({ 'dataset.gridSpacing': 2, 'framework.beta': 0.00316 });
    expect(r.config.dataset).toMatchObject({ name: 'xysinglesquare', gridSpacing: 2 });
    expect(r.config.framework).toMatchObject({ beta: 0.00316 });
    expect(r.config.train).toMatchObject({ steps: 30, seed: 1, batchSize: 8 });
    expect(r.config.eval).toEqual({
      every: 10,
      metrics: ['mig', 'dci'],
      numTrain: 10000,
      numTest: 5000,
      seed: 0,
      preset: 'quick',
    });
  });

  it('varies zipped keys together; full paths name keys whose last segments clash', async () => {
    const runs = await expandSpec(
      specFromFlags({
        config: baseFile,
        zip: ['framework.name=betavae,adagvae', 'framework.beta=4,1'],
        grid: ['dataset.name=xysinglesquare,xysquares'],
        set: ['dataset.imageSize=16', 'dataset.squareSize=4'],
        seeds: '7..7',
      }),
    );
    expect(runs.map((r) => r.name)).toEqual([
      'dataset.name=xysinglesquare_framework.name=betavae_beta=4_seed=7',
      'dataset.name=xysinglesquare_framework.name=adagvae_beta=1_seed=7',
      'dataset.name=xysquares_framework.name=betavae_beta=4_seed=7',
      'dataset.name=xysquares_framework.name=adagvae_beta=1_seed=7',
    ]);
  });

  it('reads YAML spec files (config relative to the file) and says what differs between two specs', async () => {
    const f = join(dir, 'spec.yaml');
    writeFileSync(
      f,
      [
        'config: base.json',
        'set: { train.steps: 40 }',
        'grid:',
        '  framework.beta: [1, 2]',
        'seeds: [3, 5]',
        'evaluate: { metrics: [mig], every: 20, numTrain: 500 }',
      ].join('\n'),
    );
    const spec = readSpecFile(f);
    const runs = await expandSpec(spec);
    expect(runs.map((r) => r.name)).toEqual(['beta=1_seed=3', 'beta=1_seed=5', 'beta=2_seed=3', 'beta=2_seed=5']);
    expect(runs[0].config.train.steps).toBe(40);
    expect(runs[0].config.eval?.numTrain).toBe(500);
    const other = specFromFlags({ spec: f, seeds: '3..3', grid: ['optimizer.lr=0.1,0.2'] });
    const diff = specDifference(spec, other);
    expect(diff).toContain('seeds: [3,5] → [3]');
    expect(diff).toContain('grid: framework.beta ∈ [1,2] → framework.beta ∈ [1,2] × optimizer.lr ∈ [0.1,0.2]');
    expect(specDifference(spec, readSpecFile(f))).toEqual([]);
  });

  it('fails at once on a bad value anywhere in the grid, naming the run and the key', async () => {
    const bad = (flags: Parameters<typeof specFromFlags>[0]) =>
      expandSpec(specFromFlags({ config: baseFile, ...flags }));
    await expect(bad({ grid: ['train.batchSize=8,abc'] })).rejects.toThrow(
      /run batchSize=abc_seed=0 \(train.batchSize="abc"\): .*'train.batchSize'/,
    );
    await expect(bad({ grid: ['framework.gamma=1,2'] })).rejects.toThrow(/run gamma=1_seed=0.*gamma/);
    await expect(bad({ grid: ['nothere.x=1,2'] })).rejects.toThrow(/unknown key 'nothere'/);
    await expect(bad({ grid: ['framework.beta=1', 'framework.beta=2'] })).rejects.toThrow(
      /both varied and varied|give it once/,
    );
    await expect(bad({ set: ['framework.beta=1'], grid: ['framework.beta=2,3'] })).rejects.toThrow(/both fixed/);
    await expect(bad({ grid: ['train.seed=1,2'] })).rejects.toThrow(/--seeds/);
    await expect(bad({ zip: ['framework.beta=1,2', 'optimizer.lr=0.1'] })).rejects.toThrow(/as many values/);
    await expect(bad({ grid: ['framework.beta=1,1'] })).rejects.toThrow(/twice/);
    expect(() => specFromFlags({ config: baseFile, grid: ['framework.beta='] })).toThrow(/empty grid/);
    expect(() => specFromFlags({ config: baseFile, grid: ['framework.beta=1,,2'] })).toThrow(/empty value/);
    expect(() => specFromFlags({ config: baseFile, metrics: 'mig,foo' })).toThrow(/unknown metric 'foo'/);
  });

  it('parses seeds, grid values, time limits and the scheduler view', () => {
    expect(parseSeeds('3')).toEqual([0, 1, 2]);
    expect(parseSeeds('2..4')).toEqual([2, 3, 4]);
    expect(parseSeeds('0, 7,3')).toEqual([0, 7, 3]);
    expect(() => parseSeeds('0,x')).toThrow(/list of integers/);
    expect(() => parseSeeds('0')).toThrow(/count ≥ 1/);
    const s = specFromFlags({ config: baseFile, grid: ['loss=[ "mse", "mse+box31@3969" ]', 'model.z=3,5'] });
    expect(s.axes).toEqual([{ loss: ['mse', 'mse+box31@3969'] }, { 'model.z': [3, 5] }]);
    expect(parseTimeLimit('90')).toBe(5400);
    expect(parseTimeLimit('1:30')).toBe(90);
    expect(parseTimeLimit('1:00:05')).toBe(3605);
    expect(parseTimeLimit('2-01')).toBe(2 * 86400 + 3600);
    expect(() => parseTimeLimit('soon')).toThrow(/not a time limit/);
    expect(parseTaskIds('2-9:3%2')).toEqual([2, 5, 8]);
    expect(parseTaskIds('0,4-5')).toEqual([0, 4, 5]);
    // lines as `scontrol -o show job` prints them (shortened): a pending range and finished tasks
    const view = parseScontrol(
      [
        'JobId=1 ArrayJobId=1 ArrayTaskId=2-3%1 ArrayTaskThrottle=1 JobName=j.sh JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0',
        'JobId=3 ArrayJobId=1 ArrayTaskId=1 JobName=j.sh JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0',
        'JobId=2 ArrayJobId=1 ArrayTaskId=0 JobName=j.sh JobState=COMPLETED Reason=None ExitCode=0:0 Command=/a b/c.sh',
      ].join('\n'),
    );
    expect([...view.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(view.get(3)).toEqual({ state: 'PENDING', exitCode: '0:0', reason: 'JobArrayTaskLimit' });
    expect(view.get(1)).toEqual({ state: 'FAILED', exitCode: '3:0', reason: 'NonZeroExitCode' });
  });
});
