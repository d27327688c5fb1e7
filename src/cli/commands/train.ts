import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { parseScalar } from '../../data/index.js';
import { setPath } from '../../config/index.js';
import { startRun, openRun, trainRun, disposeRun } from '../../train/index.js';
import { UserError } from '../../util/errors.js';
import {
  collect,
  parseInteger,
  parseNumber,
  parsePositiveInteger,
  startEngine,
  withEngineOptions,
} from '../options.js';

export function registerTrain(program: Command): void {
  withEngineOptions(
    program
      .command('train')
      .description('train a framework on a dataset; writes train.jsonl, checkpoints and pictures into --out')
      .option('--config <file.json>', 'a run config (see configs/)')
      .option('--dataset <name>', 'dataset (config dataset.name)')
      .option('--framework <name>', 'framework (config framework.name)')
      .option('--steps <n>', 'training steps', parsePositiveInteger)
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
      .option('--resume <dir>', 'continue a stopped run to its configured end')
      .option('--quiet', 'no progress bar'),
  ).action(async (opts) => {
    if (opts.resume) {
      if (opts.out || opts.config || opts.set.length)
        throw new UserError('--resume takes the run folder alone (its config.json is used)');
      await startEngine(opts);
      const run = await openRun(opts.resume);
      console.error(`resuming ${opts.resume} at step ${run.step} of ${run.config.train.steps}`);
      const r = await trainRun(run, { quiet: opts.quiet });
      console.log(`done: step ${r.step}, loss ${r.loss.toFixed(3)}; pictures and checkpoint in ${opts.resume}`);
      disposeRun(run);
      return;
    }
    if (!opts.out) throw new UserError('give --out DIR for a new run (or --resume DIR to continue one)');
    let cfg: Record<string, any> = {};
    if (opts.config) {
      if (!existsSync(opts.config)) throw new UserError(`config file not found: ${opts.config}`);
      try {
        cfg = JSON.parse(readFileSync(opts.config, 'utf8'));
      } catch (e) {
        throw new UserError(`${opts.config} is not valid JSON: ${(e as Error).message}`);
      }
    }
    const flag = (path: string, v: unknown) => {
      if (v !== undefined) setPath(cfg, path, v);
    };
    flag('dataset.name', opts.dataset);
    flag('framework.name', opts.framework);
    flag('train.steps', opts.steps);
    flag('train.batchSize', opts.batchSize);
    flag('model.z', opts.z);
    flag('optimizer.lr', opts.lr);
    flag('framework.beta', opts.beta);
    flag('loss', opts.loss);
    flag('train.seed', opts.seed);
    flag('train.checkpointEvery', opts.checkpointEvery);
    for (const a of opts.set as string[]) {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new UserError(`--set expects path.to.key=value, got '${a}'`);
      setPath(cfg, a.slice(0, eq), parseScalar(a.slice(eq + 1)));
    }
    if (cfg.dataset && !cfg.dataset.name) cfg.dataset.name = 'xysquares';
    if (cfg.framework && !cfg.framework.name) cfg.framework.name = 'betavae';
    await startEngine(opts);
    const run = await startRun(opts.out, cfg);
    const r = await trainRun(run, { quiet: opts.quiet });
    console.log(`done: step ${r.step}, loss ${r.loss.toFixed(3)}; pictures and checkpoint in ${opts.out}`);
    disposeRun(run);
  });
}
