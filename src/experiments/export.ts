/**
 * An experiment folder's results without its weights, to commit or share (`disentangle experiment export`):
 * the reports, claims, every sweep's results.csv and sweep.json, and each run's config.json, eval.json,
 * metrics.jsonl, train.jsonl, status/summary and reconstructions — not checkpoints, traversal pictures or
 * logs (anyone can re-run one run from its config.json and get the same numbers on the same backend).
 * The destination is new, or an earlier export of the same experiment and scale, which is replaced whole
 * (written beside it first, then swapped in, so a stopped export leaves the old one intact).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { UserError } from '../util/errors.js';
import { asWriteFailure, makeDir } from '../util/fs.js';
import { LOCK_FILE } from '../util/lock.js';
import { readExperimentRecord } from './record.js';

/** Files an export leaves behind: weights, their index, big or per-run pictures, logs, locks. */
const LEFT_OUT = [/^ckpt-.*\.bin$/, /^checkpoint\.json$/, /^traversals\.png$/, /^eval\.html$/, /\.lock$/, /\.tmp$/];
const LEFT_OUT_DIRS = new Set(['logs', 'slurm']);

/** Copy the results of experiment folder `dir` to `dest`; returns the number of files copied. */
export function exportExperiment(dir: string, dest: string): number {
  const from = readExperimentRecord(dir);
  const inside = relative(dir, dest);
  if (!inside || (!inside.startsWith('..') && !inside.startsWith('/')))
    throw new UserError(`--to ${dest} is inside the experiment folder ${dir}: choose a folder outside it`);
  if (existsSync(dest)) {
    if (!statSync(dest).isDirectory() || !existsSync(join(dest, 'experiment.json')))
      throw new UserError(`${dest} exists and is not an earlier export: choose a new folder`);
    const to = readExperimentRecord(dest);
    if (to.experiment !== from.experiment || to.scale !== from.scale)
      throw new UserError(
        `${dest} holds experiment '${to.experiment}' at scale '${to.scale}', not '${from.experiment}' at ` +
          `'${from.scale}': choose another folder`,
      );
  }
  makeDir(dirname(dest));
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.export`);
  rmSync(tmp, { recursive: true, force: true });
  let files = 0;
  const copy = (src: string) => {
    for (const name of readdirSync(src)) {
      const path = join(src, name);
      if (statSync(path).isDirectory()) {
        if (!LEFT_OUT_DIRS.has(name)) copy(path);
      } else if (name !== LOCK_FILE && !LEFT_OUT.some((re) => re.test(name))) {
        const target = join(tmp, relative(dir, path));
        mkdirSync(dirname(target), { recursive: true });
        cpSync(path, target);
        files++;
      }
    }
  };
  try {
    copy(dir);
    writeFileSync(join(tmp, 'README.md'), readme(dir, from));
    const old = `${tmp}.old`;
    if (existsSync(dest)) renameSync(dest, old);
    renameSync(tmp, dest);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    // a full disk part-way: the copy beside `dest` is removed below, and an earlier export stays as it was
    throw asWriteFailure(e, dest);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return files;
}

/** README.md of an export: the experiment's summary (claims, ours beside published) and how to reproduce it. */
function readme(dir: string, rec: { experiment: string; scale: string }): string {
  const summary = existsSync(join(dir, 'summary.md')) ? readFileSync(join(dir, 'summary.md'), 'utf8').trim() : '';
  const sweeps = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'sweep.json')));
  const oneRun = sweeps
    .flatMap((s) =>
      existsSync(join(dir, s, 'runs')) ? readdirSync(join(dir, s, 'runs')).map((r) => join(s, 'runs', r)) : [],
    )
    .find((r) => existsSync(join(dir, r, 'eval.json')));
  const lines = [
    summary,
    '',
    '## Reproduce',
    '',
    'Everything (resumable: run it again to continue; add `--executor slurm` on a cluster):',
    '',
    '```sh',
    `disentangle experiment run ${rec.experiment} --scale ${rec.scale} --out studies/${rec.experiment}`,
    '```',
    '',
  ];
  if (oneRun) {
    lines.push(
      'This folder holds no checkpoints: each run keeps its `config.json` (the exact settings and seed), its ' +
        'scores (`eval.json`, `metrics.jsonl` during training) and its training log. One run again, from its ' +
        'config, gives the same numbers on the same backend:',
      '',
    );
    const config = JSON.parse(readFileSync(join(dir, oneRun, 'config.json'), 'utf8'));
    const ev = config.eval ?? {};
    const status = existsSync(join(dir, oneRun, 'status.json'))
      ? JSON.parse(readFileSync(join(dir, oneRun, 'status.json'), 'utf8'))
      : {};
    const backend = status.backend ?? 'torch';
    lines.push(
      '```sh',
      `disentangle train --config 'results/${rec.experiment}/${oneRun}/config.json' --out rerun --backend ${backend}`,
      `disentangle evaluate rerun --backend ${backend}` +
        (ev.metrics ? ` --metrics ${ev.metrics.join(',')}` : '') +
        (ev.numTrain ? ` --num-train ${ev.numTrain}` : '') +
        (ev.numTest ? ` --num-test ${ev.numTest}` : '') +
        (ev.seed !== undefined ? ` --seed ${ev.seed}` : '') +
        '   # the same numbers as eval.json beside that config',
      '```',
      '',
    );
  }
  return lines.join('\n') + '\n';
}
