import type { Command } from 'commander';
import { join } from 'node:path';
import { parseParamAssignments } from '../../config/assignments.js';
import { perceivedDefaults } from '../../analysis/defaults.js';
import { UserError } from '../../util/errors.js';
import { checkOutputFolder, prepareOutputFolder, type OutputFolder } from '../../util/out-dir.js';
import { writeOutputs } from '../../util/signals.js';
import {
  collect,
  parseInteger,
  parseNumber,
  parsePositiveInteger,
  startEngine,
  withEngineOptions,
} from '../options.js';

/** What `design-loss --out` writes (an earlier output, marked by design.json, may be replaced). */
const designOutput: OutputFolder = {
  command: 'design-loss',
  names: ['report.html', 'design.json'],
  marker: 'design.json',
};

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const g3 = (x: number) => String(Number(x.toPrecision(3)));

export function registerDesignLoss(program: Command): void {
  withEngineOptions(
    program
      .command('design-loss')
      .description(
        'search the reconstruction loss (base + α·base of a filtered pair) whose perceived distances follow the factors',
      )
      .argument('<dataset>', 'dataset name (see `disentangle datasets`)')
      .option('--set <key=value>', 'dataset parameter, repeatable (e.g. --set gridSpacing=8)', collect, [])
      .option('--base <loss>', 'base pixel loss: mse, bce or l1', 'mse')
      .option('--families <list>', 'kernel families, comma-separated (box,gauss,pyr,dog,sep; default all)')
      .option('--time <s>', 'time limit in seconds', parseNumber, 300)
      .option('--budget <n>', 'at most this many candidates', parsePositiveInteger)
      .option(
        '--traversals <n>',
        'random traversals per factor (as analyze)',
        parsePositiveInteger,
        perceivedDefaults.traversals,
      )
      .option(
        '--pairs <n>',
        'pairs per factor for the correlations (as analyze)',
        parsePositiveInteger,
        perceivedDefaults.pairs,
      )
      .option('--random-pairs <n>', "random pairs for each loss's scale", parsePositiveInteger, 256)
      .option('--beta <b>', 'the β you train with under the base loss (reported β = this × scale)', parseNumber, 1)
      .option(
        '--min-share <f>',
        'the smallest share of the loss (over random pairs) the augment must carry: 1 − 1/scale',
        parseNumber,
        0.5,
      )
      .option('--learn-steps <n>', 'gradient steps for the free separable kernel, at most (0: none)', parseInteger, 400)
      .option('--seed <n>', 'random seed', parseInteger, 0)
      .option('--json', 'last line is one JSON object')
      .option('--out <dir>', 'write report.html and design.json into this folder'),
  ).action(async (name: string, opts) => {
    if (opts.out) checkOutputFolder(opts.out, designOutput);
    if (!(opts.time > 0)) throw new UserError(`--time must be > 0 seconds, got ${opts.time}`);
    if (!(opts.beta > 0)) throw new UserError(`--beta must be > 0, got ${opts.beta}`);
    if (opts.learnSteps < 0) throw new UserError(`--learn-steps must be ≥ 0, got ${opts.learnSteps}`);
    const families: string[] | undefined =
      opts.families === undefined
        ? undefined
        : String(opts.families)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    const params = parseParamAssignments(opts.set);
    const { checkDesignOptions } = await import('../../analysis/design-loss.js');
    const options = {
      base: String(opts.base),
      families,
      timeSeconds: opts.time as number,
      budget: opts.budget as number | undefined,
      traversals: opts.traversals as number,
      pairs: opts.pairs as number,
      randomPairs: opts.randomPairs as number,
      betaBase: opts.beta as number,
      minShare: opts.minShare as number,
      learnSteps: opts.learnSteps as number,
      seed: opts.seed as number,
    };
    checkDesignOptions(options);
    const { createDataset } = await import('../../data/registry.js');
    const ds = await createDataset(name, params);
    checkDesignOptions(options, ds);
    await startEngine(opts);
    const { designLoss, designReportHtml } = await import('../../analysis/index.js');
    const { ProgressBar } = await import('../../util/progress.js');
    const { writeFileAtomic } = await import('../../util/fs.js');
    let bar: InstanceType<typeof ProgressBar> | null = null;
    const result = await designLoss(ds, {
      ...options,
      onProgress: (p) => {
        if (p.phase === 'setup') {
          // on a terminal only: in a pipe, an error from the setup stays the first line
          if (process.stderr.isTTY) process.stderr.write('design-loss: rendering the traversals and the base loss…\n');
          return;
        }
        // started at the first report: the paper's weights come at once (free, its kernel was filtered for the baseline)
        bar ??= new ProgressBar({ total: p.total, start: p.candidates, label: 'design-loss', unit: 'cand' });
        const best = p.best
          ? `best ${p.best.spec.length > 48 ? p.best.spec.slice(0, 45) + '…' : p.best.spec} ${f3(p.best.score)}`
          : '';
        bar.update(p.candidates, `${p.phase === 'learn' ? 'learning sep; ' : ''}${best}`);
      },
    });
    (bar as InstanceType<typeof ProgressBar> | null)?.finish();
    const pick = (c: (typeof result)['best']) => ({
      spec: c.spec,
      score: c.score,
      mean: c.mean,
      factors: c.factors,
      scale: c.scale,
      beta: c.beta,
    });
    const summary = {
      dataset: result.dataset,
      params: result.params,
      base: result.base,
      candidates: result.candidates,
      seconds: Math.round(result.seconds * 100) / 100,
      partial: result.partial,
      best: pick(result.best),
      baseline: pick(result.baseline),
      paper: pick(result.paper),
      top: result.ranked.slice(0, 10).map(pick),
      sampling: result.sampling,
      notes: result.notes,
    };
    if (opts.out) {
      const out: string = opts.out;
      const html = designReportHtml(result);
      const json = JSON.stringify(
        { ...summary, ranked: result.ranked, bySize: result.bySize, matrices: result.matrices },
        null,
        1,
      );
      await writeOutputs(() => {
        prepareOutputFolder(out, designOutput);
        writeFileAtomic(join(out, 'report.html'), html);
        writeFileAtomic(join(out, 'design.json'), json);
      });
    }
    if (opts.json) {
      console.log(JSON.stringify(summary));
      return;
    }
    const factors = Object.keys(result.best.factors);
    const width = Math.min(60, Math.max(12, ...result.ranked.slice(0, 10).map((c) => c.spec.length))) + 2;
    console.log(
      `${result.dataset} ${JSON.stringify(result.params)}: ${result.candidates} candidates in ${result.seconds.toFixed(1)} s` +
        (result.partial ? ' (stopped at the time limit or budget: partial)' : ''),
    );
    console.log(
      'loss'.padEnd(width) +
        'score'.padStart(7) +
        'mean'.padStart(7) +
        factors.map((f) => f.slice(0, 8).padStart(9)).join('') +
        'scale'.padStart(9) +
        'β'.padStart(9),
    );
    const row = (c: (typeof result)['best'], label = '') =>
      console.log(
        (c.spec.length > width - 2 ? c.spec.slice(0, width - 3) + '…' : c.spec).padEnd(width) +
          f3(c.score).padStart(7) +
          f3(c.mean).padStart(7) +
          factors.map((f) => f3(c.factors[f]).padStart(9)).join('') +
          g3(c.scale).padStart(9) +
          g3(c.beta).padStart(9) +
          label,
      );
    result.ranked.slice(0, 10).forEach((c) => row(c));
    row(result.paper, '  (the paper)');
    row(result.baseline, '  (base loss alone)');
    for (const n of result.notes) console.log(`note: ${n}`);
    if (opts.out) console.log(`report: ${join(opts.out, 'report.html')}`);
    console.log(`best: ${result.best.spec}`);
  });
}
