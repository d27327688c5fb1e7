import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseScalar, setPath } from '../../config/assignments.js';
import type { OpenRun } from '../../train/index.js';
import { UserError } from '../../util/errors.js';
import { checkNewRunFolder, checkRunFolder } from '../../train/folder-checks.js';
import { lockFolder } from '../../util/lock.js';
import { setContinueHint } from '../../util/fs.js';
import {
  collect,
  parseInteger,
  parseNumber,
  parsePositiveInteger,
  startEngine,
  withEngineOptions,
} from '../options.js';

/** The options that build a new run's config, with the config key each sets. */
const configFlags = {
  dataset: 'dataset.name',
  framework: 'framework.name',
  steps: 'train.steps',
  batchSize: 'train.batchSize',
  z: 'model.z',
  lr: 'optimizer.lr',
  beta: 'framework.beta',
  loss: 'loss',
  seed: 'train.seed',
  checkpointEvery: 'train.checkpointEvery',
  precision: 'train.precision',
} as const;

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Train an open run to its end (or a signal), print where things are, exit 130/143 after a signal. */
async function train(run: OpenRun, dir: string, quiet: boolean): Promise<void> {
  const { trainRun, closeRun } = await import('../../train/index.js');
  // a write refused part-way (a full disk): the error ends with how to continue the run
  const resetHint = setContinueHint(`disentangle train --resume ${dir}`);
  try {
    const r = await trainRun(run, { quiet });
    if (r.signal) {
      console.error(`stopped at step ${r.step} (checkpoint written); continue with: disentangle train --resume ${dir}`);
      process.exitCode = r.signal === 'SIGINT' ? 130 : 143;
      return;
    }
    const what =
      run.model.spec.decoder === false ? 'checkpoint (no decoder, so no pictures)' : 'pictures and checkpoint';
    console.log(`done: step ${r.step}, loss ${r.loss.toFixed(3)}; ${what} in ${dir}`);
  } finally {
    resetHint();
    closeRun(run);
  }
}

export function registerTrain(program: Command): void {
  withEngineOptions(
    program
      .command('train')
      .description('train a framework on a dataset; writes train.jsonl, checkpoints and pictures into --out')
      .option('--config <file.json>', 'a run config (see configs/)')
      .option('--dataset <name>', 'dataset (config dataset.name)')
      .option('--framework <name>', 'framework (config framework.name)')
      .option('--steps <n>', 'training steps (with --resume: extend the run to N steps)', parsePositiveInteger)
      .option('--batch-size <n>', 'batch size', parsePositiveInteger)
      .option('--z <n>', 'latent size', parsePositiveInteger)
      .option('--lr <x>', 'Adam learning rate', parseNumber)
      .option('--beta <x>', 'framework β (config framework.beta)', parseNumber)
      .option('--loss <spec>', "reconstruction loss spec, e.g. bce, mse, 'mse+box31@3969'")
      .option('--seed <n>', 'random seed', parseInteger)
      .option('--checkpoint-every <n>', 'steps between checkpoints', parsePositiveInteger)
      .option(
        '--set <path=value>',
        'override any config key, repeatable (e.g. --set dataset.gridSpacing=2)',
        collect,
        [],
      )
      .option('--out <dir>', 'run folder (new)')
      .option('--resume <dir>', 'continue a stopped run to its configured end (or to --steps N)')
      .option('--quiet', 'no progress bar'),
  ).action(async (opts) => {
    if (opts.resume) {
      const refused = [
        ...(opts.out ? ['--out'] : []),
        ...(opts.config ? ['--config'] : []),
        ...(opts.set.length ? ['--set'] : []),
        ...Object.keys(configFlags)
          .filter((k) => k !== 'steps' && opts[k] !== undefined)
          .map(flagName),
      ];
      if (refused.length)
        throw new UserError(
          `--resume continues a run with its own config.json: ${refused.join(', ')} cannot be changed ` +
            '(only --steps N, to extend it). Start a new run with --out to change settings',
        );
      checkRunFolder(opts.resume);
      // the lock first: a second writer is refused before anything is loaded (openRun takes this same lock)
      lockFolder(opts.resume, 'train --resume');
      await startEngine(opts);
      const { openRun, RunFinished } = await import('../../train/index.js');
      let run: OpenRun;
      try {
        run = await openRun(opts.resume, { steps: opts.steps });
      } catch (e) {
        if (e instanceof RunFinished) {
          console.log(e.message);
          return;
        }
        throw e;
      }
      console.error(`resuming ${opts.resume} at step ${run.step} of ${run.config.train.steps}`);
      await train(run, opts.resume, !!opts.quiet);
      return;
    }
    if (!opts.out) throw new UserError('give --out DIR for a new run (or --resume DIR to continue one)');
    let cfg: Record<string, unknown> = {};
    if (opts.config) cfg = readConfigFile(opts.config);
    for (const [key, path] of Object.entries(configFlags)) if (opts[key] !== undefined) setPath(cfg, path, opts[key]);
    for (const a of opts.set as string[]) {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new UserError(`--set expects path.to.key=value, got '${a}'`);
      setPath(cfg, a.slice(0, eq), parseScalar(a.slice(eq + 1)));
    }
    // everything that can be checked without tensors is checked before the engine starts
    checkNewRunFolder(opts.out);
    const { validateConfig } = await import('../../config/index.js');
    const config = await validateConfig(cfg);
    // the run's precision (bf16 on a backend without it is refused here, before the run folder exists)
    await startEngine({ ...opts, precision: config.train.precision });
    const { startRun } = await import('../../train/index.js');
    await train(await startRun(opts.out, config), opts.out, !!opts.quiet);
  });
}

/** A run config from a JSON file: a clear error for a missing file, bad JSON or anything but an object. */
function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UserError(`config file not found: ${path}`);
  if (statSync(path).isDirectory()) throw new UserError(`--config ${path} is a folder: give a .json file`);
  let cfg: unknown;
  try {
    cfg = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg))
    throw new UserError(
      `${path} must hold one JSON object (a run config, see configs/), not ${Array.isArray(cfg) ? 'an array' : cfg === null ? 'null' : typeof cfg}`,
    );
  return cfg as Record<string, unknown>;
}
