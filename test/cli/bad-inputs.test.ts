/**
 * Bad input through the real CLI (the built dist/, `node bin/disentangle.js …`), one table row per input:
 * bad flags, numbers, names, paths, files, configs, datasets, loss specs, metrics and run folders. Each row
 * asserts the exit code (2 for every usage error), the first line of stderr (past the engine's banner), that
 * there is no stack trace and no wall of text, and — once all rows ran — that nothing on disk changed: the
 * fixtures hash the same and no row created anything. Rows run in parallel in a small pool; most fail at
 * parsing, before any tensor library is loaded. (Long by design: one table row per bad input.)
 */
import { hostname, tmpdir } from 'node:os';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpz, type NdArray } from '../../src/data/formats/npz.js';
import { cli, firstErrorLine, hasStackTrace, pool, treeHash, type CliResult } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'cli-bad-'));
const fx = (name: string) => join(root, 'fx', name);
/** Where a row would write if it wrongly succeeded: must still not exist at the end. */
const fresh = (name: string) => join(root, 'new', name);
const scratch = join(root, 'cwd'); // the rows' working folder (relative defaults such as out/report land here)

interface Row {
  args: string[];
  code: number;
  /** The first line of stderr (or of stdout, with `stdout`). */
  first: RegExp;
  stdout?: boolean;
  /** Lines of stderr allowed (default 2: the error, and commander's hint). */
  lines?: number;
}

const RUN = fx('run');
// every row that takes a run folder's lock gets its own copy, so that rows running side by side do not collide
const runCopies: Record<string, (dir: string) => void> = {};
function runCopy(name: string, change: (dir: string) => void = () => {}): string {
  runCopies[name] = change;
  return fx(name);
}
const checkpointFile = (dir: string) => join(dir, JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).file);
function editWeights(dir: string, edit: (w: Float32Array) => void): void {
  const bytes = readFileSync(checkpointFile(dir));
  edit(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
  writeFileSync(checkpointFile(dir), bytes);
}
const lockOf = (pid: number, host: string) =>
  JSON.stringify({ pid, host, started: '2025-01-01T00:00:00.000Z', command: 'train (--out x)' });

const tinyConfig = {
  dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4 },
  framework: { name: 'betavae' },
  model: { architecture: 'fc', z: 3, hidden: 16 },
  optimizer: { lr: 1e-3 },
  train: { steps: 6, batchSize: 8, seed: 1, checkpointEvery: 3, logEvery: 1 },
};

const rows: Record<string, Row> = {
  // ---- commands, flags, arguments
  'unknown command': { args: ['bogus'], code: 2, first: /^error: unknown command 'bogus'\. Commands: report, / },
  'unknown subcommand': { args: ['data', 'bogus'], code: 2, first: /^error: unknown command 'bogus'/ },
  // the group's help, listing its subcommands
  'group without a subcommand': { args: ['data'], code: 2, first: /^Usage: disentangle data/, lines: 12 },
  'unknown option': { args: ['train', '--bogus'], code: 2, first: /^error: unknown option '--bogus'/ },
  'missing argument': { args: ['analyze'], code: 2, first: /^error: missing required argument 'dataset'/ },
  'too many arguments': {
    args: ['analyze', 'xysinglesquare', 'extra'],
    code: 2,
    first: /^error: too many arguments for 'analyze'/,
  },
  'missing required option': {
    args: ['metrics', '--train', fx('good.npz')],
    code: 2,
    first: /^error: required option '--test <file\.npz>' not specified/,
  },
  'missing --epsilon': {
    args: ['perturb', 'xysinglesquare', '--out', fresh('p.npz')],
    code: 2,
    first: /^error: required option '--epsilon <e>' not specified/,
  },
  'bad choice of --device': {
    args: ['train', '--device', 'gpu'],
    code: 2,
    first: /^error: option '--device <device>' argument 'gpu' is invalid\. Allowed choices are cpu, cuda/,
  },
  'bad choice of --preset': {
    args: ['evaluate', RUN, '--preset', 'huge'],
    code: 2,
    first: /argument 'huge' is invalid\. Allowed choices are reference, quick/,
  },
  // ---- numbers (commander-level: exit 2 like every usage error)
  'not a number': { args: ['train', '--lr', 'abc'], code: 2, first: /'abc' is not a number/ },
  'infinite number': { args: ['train', '--beta', 'Infinity'], code: 2, first: /'Infinity' is not a number/ },
  'zero steps': { args: ['train', '--steps', '0'], code: 2, first: /'0' must be >= 1/ },
  'fractional steps': { args: ['train', '--steps', '1.5'], code: 2, first: /'1\.5' is not an integer/ },
  'empty seed': { args: ['train', '--seed', ''], code: 2, first: /'' is not an integer/ },
  'zero threads': { args: ['diagnose', RUN, '--threads', '0'], code: 2, first: /'0' must be >= 1/ },
  'unknown precision': {
    args: ['bench', 'step', '--precision', 'fp16'],
    code: 2,
    first: /argument 'fp16' is invalid\. Allowed choices are fp32, bf16/,
  },
  'bf16 on wasm (train)': {
    args: ['train', '--backend', 'wasm', '--precision', 'bf16', '--steps', '1', '--out', fresh('bf16-run')],
    code: 2,
    first: /--precision bf16 needs the torch backend .*use --backend torch, or --precision fp32/,
  },
  'bf16 on wasm (config)': {
    args: ['train', '--backend', 'wasm', '--set', 'train.precision=bf16', '--steps', '1', '--out', fresh('bf16-cfg')],
    code: 2,
    first: /--precision bf16 needs the torch backend/,
  },
  'bad precision in a config': {
    args: ['train', '--set', 'train.precision=half', '--out', fresh('half')],
    code: 2,
    first: /'train\.precision'/,
  },
  'precision on resume': {
    args: ['train', '--resume', RUN, '--precision', 'bf16'],
    code: 2,
    first: /--precision cannot be changed/,
  },
  'negative count': { args: ['evaluate', RUN, '--num-train', '-5'], code: 2, first: /'-5' must be >= 1/ },
  'zero traversals': { args: ['analyze', 'xysinglesquare', '--traversals', '0'], code: 2, first: /'0' must be >= 1/ },
  'zero grid images': {
    args: ['data', 'grid', 'xysinglesquare', '--num', '0', '--out', fresh('g.png')],
    code: 2,
    first: /'0' must be >= 1/,
  },
  'epsilon out of range': {
    args: ['perturb', 'xysinglesquare', '--epsilon', '2', '--out', fresh('p.npz')],
    code: 2,
    first: /^error: --epsilon must be in \(0, 1\], got 2/,
  },
  'index not a number': {
    args: ['data', 'export', 'xysinglesquare', '--indices', '1,abc', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: --indices: 'abc' is not a number/,
  },
  'index not whole': {
    args: ['data', 'export', 'xysinglesquare', '--indices', '1.5', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: --indices: '1\.5' is not a whole number/,
  },
  'index out of range': {
    args: ['data', 'export', 'xysinglesquare', '--indices', '1,999999', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: --indices: index 999999 is out of range: valid indices are 0 … 63/,
  },
  'negative index': {
    args: ['data', 'export', 'xysinglesquare', '--indices', '-1', '--out', fresh('e.npz')],
    code: 2,
    first: /index -1 is out of range/,
  },
  'empty index list': {
    args: ['data', 'export', 'xysinglesquare', '--indices', ',', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: --indices needs a comma-separated list/,
  },
  'indices and num': {
    args: ['data', 'export', 'xysinglesquare', '--indices', '1', '--num', '2', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: give either --indices or --num, not both/,
  },
  'neither indices nor num': {
    args: ['data', 'export', 'xysinglesquare', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: give --indices i,j,\.\.\. or --num N/,
  },
  'too many observations to export': {
    args: ['data', 'export', 'xysquares', '--num', '1000000000', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: --num 1000000000 would need \d+ GiB for the images: give at most 87,381 at this image size/,
  },
  'batch too large': {
    args: ['train', '--config', fx('tiny.json'), '--batch-size', '100000000', '--out', fresh('t')],
    code: 2,
    first: /^error: train\.batchSize 100000000 is too large for 16×16×1 observations \(over 1 GiB per batch\)/,
  },
  // ---- names
  'unknown dataset': {
    args: ['analyze', 'nope'],
    code: 2,
    first: /^error: unknown dataset 'nope': choose xysquares, /,
  },
  'unknown dataset in train': {
    args: ['train', '--dataset', 'nope', '--out', fresh('t')],
    code: 2,
    first: /^error: unknown dataset 'nope'/,
  },
  'unknown framework': {
    args: ['train', '--framework', 'nope', '--out', fresh('t')],
    code: 2,
    first: /^error: unknown framework 'nope': choose ae, vae, betavae, /,
  },
  'unknown loss': {
    args: ['analyze', 'xysinglesquare', '--loss', 'foo'],
    code: 2,
    first: /^error: unknown reconstruction loss 'foo': valid forms are mse, /,
  },
  'unknown kernel family in a loss spec': {
    args: ['analyze', 'xysinglesquare', '--loss', 'mse+blob3@1'],
    code: 2,
    first: /^error: unknown kernel 'blob3' in a loss spec: the families are box, gauss, pyr, dog, sep /,
  },
  'design-loss: unknown family': {
    args: ['design-loss', 'xysinglesquare', '--families', 'box,blob'],
    code: 2,
    first: /^error: unknown kernel family 'blob': choose box, gauss, pyr, dog or sep$/,
  },
  'design-loss: unknown base loss': {
    args: ['design-loss', 'xysinglesquare', '--base', 'huber'],
    code: 2,
    first: /^error: unknown base loss 'huber': choose mse, bce or l1$/,
  },
  'design-loss: budget 0': {
    args: ['design-loss', 'xysinglesquare', '--budget', '0'],
    code: 2,
    first: /'0' must be >= 1/,
  },
  'design-loss: time too short for one candidate': {
    args: [
      'design-loss',
      'xysinglesquare',
      '--set',
      'imageSize=16',
      '--set',
      'squareSize=4',
      '--time',
      '0.001',
      '--out',
      fresh('d'),
    ],
    code: 2,
    first: /^error: the time limit of 0\.001 s is too short for one candidate: .* give a longer time limit/,
  },
  'design-loss: factors with one value': {
    args: ['design-loss', 'xysquares', '--set', 'gridSize=1'],
    code: 2,
    first: /^error: dataset 'xysquares' has no factor with two or more values: there is nothing to order/,
  },
  'malformed loss spec': {
    args: ['train', '--loss', 'mse+box@', '--out', fresh('t')],
    code: 2,
    first: /loss spec 'mse\+box@'.*valid forms are/,
  },
  'unknown backend': {
    args: ['train', '--backend', 'foo', '--config', fx('tiny.json'), '--out', fresh('t')],
    code: 2,
    first: /^error: unknown backend 'foo': choose wasm, torch or cpu/,
  },
  'unknown metric': {
    args: ['metrics', '--train', fx('good.npz'), '--test', fx('good.npz'), '--metrics', 'foo'],
    code: 2,
    first: /^error: unknown metric 'foo': choose mig, .*\binfomec\b.*\bdci_es\b/,
  },
  'model metric on codes': {
    args: ['metrics', '--train', fx('good.npz'), '--test', fx('good.npz'), '--metrics', 'factorvae'],
    code: 2,
    first: /^error: unknown metric 'factorvae' \('factorvae' needs a trained model: use `disentangle evaluate`\)/,
  },
  'unknown metric in evaluate': {
    args: ['evaluate', RUN, '--metrics', 'mig,foo'],
    code: 2,
    first: /^error: unknown metric 'foo': choose mig, .*, factorvae or betavae$/,
  },
  'empty metric list': {
    args: ['metrics', '--train', fx('good.npz'), '--test', fx('good.npz'), '--metrics', ','],
    code: 2,
    first: /^error: --metrics ',' names no metric: choose from mig, /,
  },
  'pairs from a dataset where nothing varies': {
    args: [
      'train',
      '--config',
      fx('tiny.json'),
      '--framework',
      'adagvae',
      '--set',
      'dataset.gridSize=1',
      '--out',
      fresh('t'),
    ],
    code: 2,
    first:
      /^error: framework 'adagvae' trains on pairs that differ in a factor, but every factor of dataset 'xysinglesquare' has a single value/,
  },
  'unknown dataset parameter': {
    args: ['data', 'export', 'xysinglesquare', '--set', 'bogus=1', '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: dataset 'xysinglesquare': unknown parameter 'bogus' \(valid: squareSize, /,
  },
  'dataset parameter of the wrong type': {
    args: ['data', 'export', 'xysinglesquare', '--set', 'imageSize=abc', '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: dataset 'xysinglesquare': 'imageSize': .*expected number/,
  },
  '--set without a value': {
    args: ['data', 'export', 'xysinglesquare', '--set', 'imageSize', '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: --set expects key=value, got 'imageSize'/,
  },
  'inconsistent dataset parameters': {
    args: ['data', 'grid', 'xysquares', '--set', 'squareSize=100', '--set', 'imageSize=16', '--out', fresh('g.png')],
    code: 2,
    first: /^error: dataset 'xysquares': squareSize 100 must be ≤ imageSize 16/,
  },
  // ---- configs
  'config not JSON': {
    args: ['train', '--config', fx('bad.json'), '--out', fresh('t')],
    code: 2,
    first: /^error: .*bad\.json is not valid JSON/,
  },
  'config missing': {
    args: ['train', '--config', fx('nope.json'), '--out', fresh('t')],
    code: 2,
    first: /^error: config file not found: .*nope\.json/,
  },
  'config is a folder': {
    args: ['train', '--config', fx('run'), '--out', fresh('t')],
    code: 2,
    first: /^error: --config .* is a folder: give a \.json file/,
  },
  'config not an object': {
    args: ['train', '--config', fx('array.json'), '--out', fresh('t')],
    code: 2,
    first: /must hold one JSON object \(a run config, see configs\/\), not an array/,
  },
  'config with an unknown key': {
    args: ['train', '--config', fx('unknown-key.json'), '--out', fresh('t')],
    code: 2,
    first: /^error: bad config: unknown key 'foo'\. Allowed top-level keys: dataset, framework/,
  },
  'config value out of range': {
    args: ['train', '--set', 'train.steps=-3', '--out', fresh('t')],
    code: 2,
    first: /^error: bad config: .*train\.steps/,
  },
  'unknown nested config key': {
    args: ['train', '--set', 'model.bogus=1', '--out', fresh('t')],
    code: 2,
    first: /^error: bad config: unknown key 'model\.bogus'/,
  },
  'unknown architecture': {
    args: ['train', '--set', 'model.architecture=resnet', '--out', fresh('t')],
    code: 2,
    first: /model\.architecture/,
  },
  'unknown framework parameter': {
    args: ['train', '--set', 'framework.gamma=1', '--out', fresh('t')],
    code: 2,
    first: /^error: config framework 'betavae': unknown parameter 'gamma'/,
  },
  'bad --set path': { args: ['train', '--set', 'foo', '--out', fresh('t')], code: 2, first: /--set expects path/ },
  'config value of the wrong type': {
    args: ['train', '--set', 'loss.x=1', '--out', fresh('t')],
    code: 2,
    first: /^error: bad config: 'loss': .*expected string, received object/,
  },
  'config key through a value': {
    args: ['train', '--set', 'train.steps=5', '--set', 'train.steps.x=1', '--out', fresh('t')],
    code: 2,
    first: /^error: --set train\.steps\.x: 'steps' is not an object/,
  },
  // ---- run folders and --out
  'no --out': { args: ['train', '--config', fx('tiny.json')], code: 2, first: /^error: give --out DIR for a new run/ },
  '--out is a file': {
    args: ['train', '--config', fx('tiny.json'), '--out', fx('good.npz')],
    code: 2,
    first: /^error: --out .*good\.npz exists and is not a folder/,
  },
  "--out is someone else's folder": {
    args: ['train', '--config', fx('tiny.json'), '--out', fx('notes')],
    code: 2,
    first: /notes exists and is not a run folder: refusing to write into it/,
  },
  '--out is an existing run': {
    args: ['train', '--config', fx('tiny.json'), '--out', RUN],
    code: 2,
    first: /run already holds a run: continue it with `disentangle train --resume /,
  },
  'resume a missing folder': { args: ['train', '--resume', fx('nope')], code: 2, first: /^error: no run folder at / },
  'resume a file': {
    args: ['train', '--resume', fx('good.npz')],
    code: 2,
    first: /good\.npz is a file, not a run folder/,
  },
  'resume a folder that is not a run': {
    args: ['train', '--resume', fx('notes')],
    code: 2,
    first: /notes is not a run folder \(no config\.json and train\.jsonl\)/,
  },
  'resume with a changed setting': {
    args: ['train', '--resume', RUN, '--lr', '0.1', '--dataset', 'dsprites'],
    code: 2,
    first: /--resume continues a run with its own config\.json: --dataset, --lr cannot be changed/,
  },
  'resume with --out': {
    args: ['train', '--resume', RUN, '--out', fresh('t')],
    code: 2,
    first: /--out cannot be changed/,
  },
  'resume shortened': {
    args: ['train', '--resume', runCopy('run-shorten'), '--steps', '2'],
    code: 2,
    first: /--steps 2 is before the run's checkpoint \(step 6\): a run cannot be shortened/,
  },
  'resume a finished run': {
    args: ['train', '--resume', runCopy('run-finished')],
    code: 0,
    stdout: true,
    first: /run-finished is finished \(6 of 6 steps\): nothing to do, nothing changed/,
  },
  'resume a run another process writes': {
    args: [
      'train',
      '--resume',
      runCopy('run-locked', (d) => writeFileSync(join(d, '.lock'), lockOf(process.pid, hostname()))),
    ],
    code: 2,
    first: new RegExp(`run-locked is in use by process ${process.pid} on ${hostname()}, since .*: train \\(--out x\\)`),
  },
  'evaluate a run locked from another host': {
    args: ['evaluate', runCopy('run-locked-away', (d) => writeFileSync(join(d, '.lock'), lockOf(1, 'elsewhere')))],
    code: 2,
    first: /in use by process 1 on elsewhere, .*\(if it died on another host, delete .*\.lock\)/,
  },
  'evaluate a missing folder': { args: ['evaluate', fx('nope')], code: 2, first: /^error: no run folder at / },
  'diagnose a file': { args: ['diagnose', fx('good.npz')], code: 2, first: /good\.npz is a file, not a run folder/ },
  'evaluate a folder that is not a run': { args: ['evaluate', fx('notes')], code: 2, first: /is not a run folder/ },
  'evaluate with too few codes': {
    args: ['evaluate', runCopy('run-eval-small'), '--num-train', '5', '--metrics', 'mig'],
    code: 2,
    first: /^error: train codes have 5 rows: the metrics need at least 10 observations/,
  },
  // ---- broken run folders
  'checkpoint binary missing (evaluate)': {
    args: ['evaluate', runCopy('run-nobin', (d) => rmSync(checkpointFile(d)))],
    code: 2,
    first: /ckpt-6\.bin is missing \(.*checkpoint\.json names it\): the checkpoint cannot be read/,
  },
  'checkpoint binary missing (diagnose)': {
    args: ['diagnose', runCopy('run-nobin2', (d) => rmSync(checkpointFile(d)))],
    code: 2,
    first: /ckpt-6\.bin is missing/,
  },
  'checkpoint binary missing (resume)': {
    args: ['train', '--resume', runCopy('run-nobin3', (d) => rmSync(checkpointFile(d))), '--steps', '9'],
    code: 2,
    first: /ckpt-6\.bin is missing/,
  },
  'checkpoint binary truncated': {
    args: [
      'evaluate',
      runCopy('run-truncated', (d) =>
        writeFileSync(checkpointFile(d), readFileSync(checkpointFile(d)).subarray(0, 100)),
      ),
    ],
    code: 2,
    first: /ckpt-6\.bin is truncated: 100 bytes, expected \d+/,
  },
  'checkpoint with NaN weights': {
    args: ['diagnose', runCopy('run-nan', (d) => editWeights(d, (w) => (w[10] = NaN)))],
    code: 2,
    first: /ckpt-6\.bin holds NaN in 'var0': the checkpoint is corrupt/,
  },
  'diverged weights': {
    args: ['diagnose', runCopy('run-diverged', (d) => editWeights(d, (w) => w.fill(3e38)))],
    code: 2,
    first: /makes non-finite codes \(.*Infinity\): its weights have diverged/,
  },
  'checkpoint manifest not JSON': {
    args: ['evaluate', runCopy('run-manifest', (d) => writeFileSync(join(d, 'checkpoint.json'), '{"step": 6,'))],
    code: 2,
    first: /checkpoint\.json is corrupt \(not JSON\)/,
  },
  'checkpoint manifest malformed': {
    args: [
      'diagnose',
      runCopy('run-manifest2', (d) =>
        writeFileSync(join(d, 'checkpoint.json'), JSON.stringify({ format: 'disentangle-checkpoint-1', step: 6 })),
      ),
    ],
    code: 2,
    first: /checkpoint\.json is corrupt \(its step, file or tensor list is missing or malformed\)/,
  },
  'no checkpoint yet': {
    args: [
      'evaluate',
      runCopy('run-nockpt', (d) => {
        rmSync(checkpointFile(d));
        rmSync(join(d, 'checkpoint.json'));
      }),
    ],
    code: 2,
    first: /has no checkpoint yet: train it first/,
  },
  'run config not JSON': {
    args: ['train', '--resume', runCopy('run-badconfig', (d) => writeFileSync(join(d, 'config.json'), '{'))],
    code: 2,
    first: /config\.json is not valid JSON/,
  },
  'run config edited': {
    args: [
      'evaluate',
      runCopy('run-edited', (d) => {
        const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
        c.model.hidden = 8;
        writeFileSync(join(d, 'config.json'), JSON.stringify(c));
      }),
    ],
    code: 2,
    first: /checkpoint\.json does not match the run's config .*was config\.json edited/,
  },
  // ---- code files for `metrics`
  'no rows': {
    args: ['metrics', '--train', fx('zero.npz'), '--test', fx('good.npz')],
    code: 2,
    first: /^error: train codes have 0 rows: the metrics need at least 10 observations/,
  },
  'one row': {
    args: ['metrics', '--train', fx('good.npz'), '--test', fx('one.npz')],
    code: 2,
    first: /^error: test codes have 1 row: the metrics need at least 10 observations/,
  },
  'nine rows': {
    args: ['metrics', '--train', fx('nine.npz'), '--test', fx('good.npz')],
    code: 2,
    first: /train codes have 9 rows/,
  },
  'a factor with one value': {
    args: ['metrics', '--train', fx('const.npz'), '--test', fx('const.npz'), '--metrics', 'mig', '--json'],
    code: 0,
    first: /^warning: factor 1 has a single value \(0\) in the train codes: it is left out of every metric/,
  },
  'every factor with one value': {
    args: ['metrics', '--train', fx('allconst.npz'), '--test', fx('allconst.npz')],
    code: 2,
    first: /every factor has a single value in the train codes \(2 factors\)/,
  },
  'no codes array': {
    args: ['metrics', '--train', fx('nocodes.npz'), '--test', fx('good.npz')],
    code: 2,
    first: /nocodes\.npz has no 'codes' array/,
  },
  'not an npz': {
    args: ['metrics', '--train', fx('text.npz'), '--test', fx('good.npz')],
    code: 2,
    first: /text\.npz: not an \.npz \(zip\) file, or truncated/,
  },
  'truncated npz': {
    args: ['metrics', '--train', fx('good.npz'), '--test', fx('truncated.npz')],
    code: 2,
    first: /truncated\.npz: .*truncated/,
  },
  'npz is a folder': {
    args: ['metrics', '--train', fx('notes'), '--test', fx('good.npz')],
    code: 2,
    first: /cannot read .*notes: it is a folder, not an \.npz file/,
  },
  'npz missing': {
    args: ['metrics', '--train', fx('nope.npz'), '--test', fx('good.npz')],
    code: 2,
    first: /cannot read .*nope\.npz: no such file/,
  },
  'NaN codes': {
    args: ['metrics', '--train', fx('nan.npz'), '--test', fx('good.npz')],
    code: 2,
    first: /train codes contain NaN at row 0, dimension 0/,
  },
  '1-D codes': {
    args: ['metrics', '--train', fx('flat.npz'), '--test', fx('good.npz')],
    code: 2,
    first: /'codes' and 'factors' must be 2-D/,
  },
  'codes and factors of different lengths': {
    args: ['metrics', '--train', fx('mismatch.npz'), '--test', fx('good.npz')],
    code: 2,
    first: /20 codes but 19 factor rows/,
  },
  'fractional factor labels': {
    args: ['metrics', '--train', fx('float-factors.npz'), '--test', fx('good.npz')],
    code: 2,
    first: /factors must hold integer labels, found 0\.5/,
  },
  'train and test of different shapes': {
    args: ['metrics', '--train', fx('good.npz'), '--test', fx('wide.npz')],
    code: 2,
    first: /train and test differ in shape: 3 vs 4 codes/,
  },
  // ---- dataset files
  'byo with a NaN pixel': {
    args: ['data', 'export', 'byo', '--set', `path=${fx('byo-nan.npz')}`, '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /byo-nan\.npz: 'images' holds NaN at image 1, .*every pixel must be finite/,
  },
  'byo with 0–255 floats': {
    args: ['data', 'export', 'byo', '--set', `path=${fx('byo-255.npz')}`, '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /float images must lie in \[0, 1\] \(for 0–255 values, store them as uint8 or divide by 255\)/,
  },
  'byo without a path': {
    args: ['data', 'export', 'byo', '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: dataset 'byo': 'path'/,
  },
  'byo path missing': {
    args: ['data', 'export', 'byo', '--set', `path=${fx('nope.npz')}`, '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: byo: nothing at .*nope\.npz/,
  },
  'byo path is some other file': {
    args: ['data', 'export', 'byo', '--set', `path=${fx('bad.json')}`, '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /bad\.json is neither an \.npz file nor a folder/,
  },
  'corrupt .h5': {
    args: ['data', 'export', 'shapes3d', '--set', `path=${fx('corrupt.h5')}`, '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /corrupt\.h5: not a readable HDF5 file/,
  },
  'truncated .h5': {
    args: ['data', 'export', 'shapes3d', '--set', `path=${fx('truncated.h5')}`, '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /truncated\.h5: not a readable HDF5 file/,
  },
  'dataset file not downloaded': {
    args: ['data', 'export', 'shapes3d', '--num', '1', '--out', fresh('e.npz')],
    code: 2,
    first: /^error: shapes3d: file not found at .*3dshapes\.h5\. Put the file there/,
  },
  // ---- outputs
  'analyze into a run folder': {
    args: ['analyze', 'xysinglesquare', '--out', RUN],
    code: 2,
    first: /--out .*run is not empty and is not an earlier output of `disentangle analyze`/,
  },
  'analyze --out a file': {
    args: ['analyze', 'xysinglesquare', '--out', fx('good.npz')],
    code: 2,
    first: /--out .*good\.npz exists and is not a folder/,
  },
  "report into someone else's folder": {
    args: ['report', '--out', fx('notes')],
    code: 2,
    first: /notes is not empty and is not an earlier output of `disentangle report` \(it holds notes\.html/,
  },
  "perturb over someone else's page": {
    args: ['perturb', 'xysinglesquare', '--epsilon', '0.1', '--out', join(fx('notes'), 'notes.npz')],
    code: 2,
    first: /notes\.html exists and is not the report of an earlier `perturb --out/,
  },
  'perturb --out not .npz': {
    args: ['perturb', 'xysinglesquare', '--epsilon', '0.1', '--out', fresh('p.txt')],
    code: 2,
    first: /^error: --out must name a \.npz file/,
  },
  'export --out not .npz': {
    args: ['data', 'export', 'xysinglesquare', '--num', '1', '--out', fresh('e.txt')],
    code: 2,
    first: /^error: --out must name a \.npz file/,
  },
  'grid --out a folder': {
    args: ['data', 'grid', 'xysinglesquare', '--out', fx('folder.png')],
    code: 2,
    first: /--out .*folder\.png is a folder/,
  },
};

// ---- fixtures
const codes = (n: number, d = 3, seed = 1): NdArray => ({
  dtype: 'float32',
  shape: [n, d],
  data: Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.37 + seed)),
});
const factors = (n: number, sizes = [4, 5]): NdArray => ({
  dtype: 'int32',
  shape: [n, sizes.length],
  data: Int32Array.from({ length: n * sizes.length }, (_, i) => Math.floor(i / sizes.length) % sizes[i % sizes.length]),
});
const grid4 = { dtype: 'int32' as const, shape: [4, 2], data: Int32Array.of(0, 0, 0, 1, 1, 0, 1, 1) };

async function makeFixtures(): Promise<void> {
  mkdirSync(join(root, 'fx', 'notes'), { recursive: true });
  mkdirSync(join(root, 'fx', 'folder.png'));
  mkdirSync(join(root, 'new'));
  mkdirSync(scratch);
  writeFileSync(join(fx('notes'), 'notes.html'), '<p>my notes</p>');
  writeFileSync(fx('tiny.json'), JSON.stringify(tinyConfig));
  writeFileSync(fx('bad.json'), '{ "dataset": ');
  writeFileSync(fx('array.json'), '[1, 2]');
  writeFileSync(fx('unknown-key.json'), JSON.stringify({ ...tinyConfig, foo: 1 }));
  writeNpz(fx('good.npz'), { codes: codes(200), factors: factors(200) });
  writeNpz(fx('wide.npz'), { codes: codes(200, 4), factors: factors(200) });
  writeNpz(fx('zero.npz'), { codes: codes(0), factors: factors(0) });
  writeNpz(fx('one.npz'), { codes: codes(1), factors: factors(1) });
  writeNpz(fx('nine.npz'), { codes: codes(9), factors: factors(9) });
  writeNpz(fx('const.npz'), { codes: codes(200), factors: factors(200, [4, 1]) });
  writeNpz(fx('allconst.npz'), { codes: codes(200), factors: { ...factors(200), data: new Int32Array(400) } });
  writeNpz(fx('nocodes.npz'), { factors: factors(20) });
  writeNpz(fx('nan.npz'), { codes: { ...codes(20), data: new Float32Array(60).fill(NaN) }, factors: factors(20) });
  writeNpz(fx('flat.npz'), { codes: { ...codes(20), shape: [60] }, factors: factors(20) });
  writeNpz(fx('mismatch.npz'), { codes: codes(20), factors: factors(19) });
  writeNpz(fx('float-factors.npz'), {
    codes: codes(20),
    factors: {
      dtype: 'float32',
      shape: [20, 2],
      data: Float32Array.from({ length: 40 }, (_, i) => (i === 7 ? 0.5 : 0)),
    },
  });
  writeFileSync(fx('text.npz'), 'not a zip');
  writeFileSync(fx('truncated.npz'), readFileSync(fx('good.npz')).subarray(0, 1000));
  const pixels = (v: number) => Float32Array.from({ length: 4 * 4 * 4 }, (_, i) => (i === 20 ? v : 0.5));
  writeNpz(fx('byo-nan.npz'), { images: { dtype: 'float32', shape: [4, 4, 4], data: pixels(NaN) }, factors: grid4 });
  writeNpz(fx('byo-255.npz'), { images: { dtype: 'float32', shape: [4, 4, 4], data: pixels(255) }, factors: grid4 });
  writeFileSync(fx('corrupt.h5'), Buffer.alloc(5000, 7));
  const { default: h5 } = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(fx('valid.h5'), 'w');
  f.create_dataset({ name: 'images', data: new Uint8Array(4 * 64 * 64 * 3), shape: [4, 64, 64, 3], dtype: '<B' });
  f.create_dataset({ name: 'labels', data: new Float64Array(24), shape: [4, 6], dtype: '<d' });
  f.close();
  const valid = readFileSync(fx('valid.h5'));
  writeFileSync(fx('truncated.h5'), valid.subarray(0, Math.floor(valid.length / 2)));
  rmSync(fx('valid.h5'));

  const trained = await cli(['train', '--config', fx('tiny.json'), '--out', RUN, '--quiet']);
  if (trained.code !== 0) throw new Error(`fixture run failed: ${trained.stderr}`);
  for (const [name, change] of Object.entries(runCopies)) {
    cpSync(RUN, fx(name), { recursive: true });
    change(fx(name));
  }
}

describe(`${Object.keys(rows).length} bad inputs through the CLI`, () => {
  const results = new Map<string, CliResult>();
  let before: Record<string, string> = {};
  beforeAll(async () => {
    await makeFixtures();
    before = treeHash(root);
    const names = Object.keys(rows);
    const out = await pool(
      3,
      names.map(
        (n) => () =>
          cli(rows[n].args, { cwd: scratch, env: { DISENTANGLE_DATA_DIR: join(scratch, 'data') }, timeoutMs: 90_000 }),
      ),
    );
    names.forEach((n, i) => results.set(n, out[i]));
  }, 600_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(Object.keys(rows))('%s', (name) => {
    const row = rows[name];
    const r = results.get(name)!;
    const first = row.stdout ? (r.stdout.split('\n')[0] ?? '') : firstErrorLine(r.stderr);
    expect({ code: r.code, first }, `stderr:\n${r.stderr}`).toMatchObject({
      code: row.code,
      first: expect.stringMatching(row.first),
    });
    expect(hasStackTrace(r.stderr + r.stdout)).toBe(false);
    // one line of error (commander adds a hint line): no wall of diagnostics
    expect(r.stderr.split('\n').filter((l) => l.trim() && !/^backend: /.test(l)).length).toBeLessThanOrEqual(
      row.lines ?? 2,
    );
  });

  it('changed nothing on disk', () => {
    expect(treeHash(root)).toEqual(before);
    expect(readdirSync(join(root, 'new'))).toEqual([]);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
