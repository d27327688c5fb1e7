import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import {
  experiments,
  exportExperiment,
  readExperimentRecord,
  planExperiment,
  readExperiment,
  runExperiment,
  scaleNames,
  writeExperimentReport,
  formatSeconds,
  type ExperimentDefinition,
  type ScaleName,
} from '../../experiments/index.js';
import { UserError } from '../../util/errors.js';
import { startEngine } from '../options.js';
import { executorOptions, withExecutorOptions } from './sweep.js';

async function definition(name: string | undefined, file: string | undefined): Promise<ExperimentDefinition> {
  if (file) return readExperiment(file);
  if (!name) throw new UserError('name an experiment (see `disentangle experiment list`), or give --file F.yaml');
  return experiments.get(name);
}

export function registerExperiment(program: Command): void {
  const exp = program
    .command('experiment')
    .exitOverride()
    .description("the papers' studies as shipped experiments: list, run at a scale (smoke, cpu, paper), report");

  exp
    .command('list')
    .exitOverride()
    .description('the shipped experiments, with each scale and its estimated time')
    .option('--json', 'one JSON array')
    .action(async (opts) => {
      const rows = [];
      for (const def of await experiments.all()) {
        const scales: Record<string, { description: string; estimate_s: number; budgetHours?: number; runs: number }> =
          {};
        for (const s of scaleNames) {
          const plan = await planExperiment(def, s, '/tmp/plan', 2);
          const runs = plan.steps.reduce((a, p) => a + ('runs' in p ? p.runs.length : 0), 0);
          scales[s] = {
            description: plan.description,
            estimate_s: Math.round(plan.seconds),
            budgetHours: plan.budgetHours,
            runs,
          };
        }
        rows.push({ name: def.name, title: def.spec.title, paper: def.spec.paper, scales });
      }
      if (opts.json) {
        console.log(JSON.stringify(rows));
        return;
      }
      for (const r of rows) {
        console.log(`${r.name}  —  ${r.title}\n  ${r.paper}`);
        for (const [s, v] of Object.entries(r.scales))
          console.log(
            `  ${s.padEnd(6)} ${String(v.runs).padStart(4)} runs  ≈ ${formatSeconds(v.estimate_s).padEnd(10)} ${v.description}`,
          );
      }
    });

  withExecutorOptions(
    exp
      .command('run')
      .exitOverride()
      .description('run (or continue) an experiment at a scale into a folder; then its report')
      .argument('[name]', 'a shipped experiment (see `experiment list`)')
      .option('--file <experiment.yaml>', 'an experiment file of your own instead of a shipped one')
      .addOption(
        new Option('--scale <scale>', 'how big: smoke (CI), cpu (this machine), paper')
          .choices(scaleNames)
          .default('smoke'),
      )
      .requiredOption('--out <dir>', 'the experiment folder (new, or the one to continue)'),
  ).action(async (name: string | undefined, opts) => {
    const def = await definition(name, opts.file);
    if (!opts.dryRun) await startEngine(opts);
    process.exitCode = await runExperiment(def, {
      ...opts,
      ...executorOptions(opts),
      scale: opts.scale as ScaleName,
      workers: opts.workers,
    });
  });

  exp
    .command('export')
    .exitOverride()
    .description(
      "copy an experiment folder's results to commit or share: reports, claims, results.csv, each run's config.json, " +
        'eval.json and logs of its metrics — no checkpoints',
    )
    .argument('<dir>', 'an experiment folder')
    .requiredOption('--to <dest>', 'a new folder, or an earlier export of the same experiment and scale (replaced)')
    .action(async (dir: string, opts: { to: string }) => {
      const n = exportExperiment(dir, opts.to);
      console.log(`exported ${n} files of ${dir} to ${opts.to}`);
    });

  exp
    .command('report')
    .exitOverride()
    .description("rewrite an experiment folder's report (claims.json, summary.md, report.html) from its runs")
    .argument('<dir>', 'an experiment folder')
    .action(async (dir: string) => {
      const rec = readExperimentRecord(dir);
      const def = existsSync(rec.file) ? readExperiment(rec.file) : await experiments.get(rec.experiment);
      const plan = await planExperiment(def, rec.scale, dir, 2);
      console.log(`wrote ${await writeExperimentReport(def, dir, plan)}`);
    });
}
