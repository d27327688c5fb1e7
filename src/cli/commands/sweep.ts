import { Command, InvalidArgumentError, Option } from 'commander';
import { UserError } from '../../util/errors.js';
import { collect, parsePositiveInteger, parseInteger, withEngineOptions } from '../options.js';
import {
  cancelSweep,
  nameFromTaskList,
  readSweep,
  runOne,
  statusText,
  sweepCommand,
  sweepStatus,
  writeReport,
} from '../../sweep/index.js';

/** Slurm's time formats (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S) → seconds. */
export function parseTimeLimit(value: string): number {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`'${value}' is not a time limit (e.g. 90, 1:30:00 or 2-00:00:00).`);
  const [d, a, b, c] = [m[1], m[2], m[3], m[4]].map((x) => (x === undefined ? undefined : Number(x)));
  let s: number;
  if (d !== undefined) s = d * 86400 + a! * 3600 + (b ?? 0) * 60 + (c ?? 0);
  else if (c !== undefined) s = a! * 3600 + b! * 60 + c;
  else if (b !== undefined) s = a! * 60 + b;
  else s = a! * 60;
  if (s <= 0) throw new InvalidArgumentError(`'${value}' must be longer than zero.`);
  return s;
}

/** The options of everything that runs a sweep (`sweep`, `experiment run`): executor, Slurm, engine. */
export function withExecutorOptions(cmd: Command): Command {
  return withEngineOptions(
    cmd
      .addOption(
        new Option('--executor <name>', 'where the runs go: local (a pool of processes) or slurm (job arrays)')
          .choices(['local', 'slurm'])
          .default('local'),
      )
      .option(
        '--workers <n>',
        'runs at once (local: processes, default cores ÷ threads; slurm: the array %P)',
        parsePositiveInteger,
      )
      .option('--retry-failed', 'also resume the runs that failed (or were lost)')
      .option('--dry-run', 'validate every run and print them; write nothing')
      .option('--time <limit>', 'time limit per run (Slurm format: 90, 1:30:00, 2-00:00:00)', (v: string) => {
        parseTimeLimit(v); // checked here, passed to Slurm as written
        return v;
      })
      .option('--partition <name>', 'Slurm partition')
      .option('--cpus-per-task <n>', 'Slurm CPUs per run (default: --threads)', parsePositiveInteger)
      .option('--mem <size>', 'Slurm memory per run (e.g. 8G)')
      .option('--gres <spec>', 'Slurm generic resources (e.g. gpu:1 with --device cuda)')
      .option('--sbatch-arg <arg>', 'an extra #SBATCH line, repeatable (e.g. --sbatch-arg=--qos=short)', collect, [])
      .option('--quiet', 'no progress display'),
  );
}

/** Parsed executor flags → the sweep options they set. */
export function executorOptions(opts: {
  executor: string;
  workers?: number;
  time?: string;
  sbatchArg: string[];
  cpusPerTask?: number;
  threads: number;
}) {
  const timeLimitS = opts.time ? parseTimeLimit(opts.time) : undefined;
  return {
    sbatchArgs: opts.sbatchArg,
    cpusPerTask: opts.cpusPerTask ?? opts.threads,
    parallel: opts.executor === 'slurm' ? opts.workers : undefined,
    timeLimitS: opts.executor === 'local' ? timeLimitS : undefined,
  };
}

export function registerSweep(program: Command): void {
  // Usage errors in these nested commands must reach runCli (exit 2) instead of exiting 1 on their own.
  const sweep = program
    .command('sweep')
    .exitOverride()
    .description('a grid of runs × seeds, on this machine or on Slurm, resumable; status, results.csv and report.html');

  withExecutorOptions(
    sweep
      .command('run', { isDefault: true })
      .exitOverride()
      .description('run (or continue) a sweep: `disentangle sweep [run] --config F --grid key=v1,v2 … --out DIR`')
      .option('--spec <file>', 'a sweep spec (JSON or YAML: config/base, set, grid, zip, seeds, evaluate)')
      .option('--config <file>', 'the base run config (JSON or YAML, see configs/)')
      .option(
        '--set <key=value>',
        'fix a config key for every run, repeatable (e.g. --set train.steps=3000)',
        collect,
        [],
      )
      .option('--grid <key=v1,v2,…>', 'vary a key (one axis of the grid), repeatable', collect, [])
      .option('--zip <key=v1,v2,…>', 'vary keys together: all --zip keys form one axis (equal lengths)', collect, [])
      .option('--seeds <n|list>', 'seeds: a count (5 → 0…4), a range 0..4 or a list 0,3,7')
      .option('--metrics <list>', 'metrics at the end of each run (default mig), e.g. mig,dci,factorvae')
      .option('--eval-every <k>', 'also score every K steps during training (metrics.jsonl)', parseInteger)
      .option('--num-train <n>', 'observations for the train codes of each evaluation', parsePositiveInteger)
      .option('--num-test <n>', 'observations for the test codes of each evaluation', parsePositiveInteger)
      .requiredOption('--out <dir>', 'the sweep folder (new, or the one to continue)')
      .option('--cancel', 'stop the sweep: cancel its Slurm jobs, stop its local pool (all stays resumable)'),
  ).action(async (opts) => {
    if (opts.cancel) {
      process.exitCode = await cancelSweep(opts.out);
      return;
    }
    process.exitCode = await sweepCommand({ ...opts, ...executorOptions(opts) });
  });

  sweep
    .command('status')
    .exitOverride()
    .description('where each run stands: pending, running, done, failed, lost (run folders joined with Slurm)')
    .argument('<dir>', 'a sweep folder')
    .option('--json', 'one JSON object')
    .action(async (dir: string, opts) => {
      const sw = readSweep(dir);
      const s = await sweepStatus(dir, sw);
      if (opts.json) console.log(JSON.stringify(s));
      else console.log(statusText(s, sw));
    });

  sweep
    .command('report')
    .exitOverride()
    .description('write results.csv (one row per run) and report.html (plots, medians, correlations, curves)')
    .argument('<dir>', 'a sweep folder')
    .action(async (dir: string) => {
      const r = await writeReport(dir);
      console.log(`wrote ${r.results} and ${r.report}`);
    });

  withEngineOptions(
    sweep
      .command('run-one', { hidden: true })
      .exitOverride()
      .description('internal: train and evaluate one run of a sweep in this process (used by the executors)')
      .argument('<dir>', 'a sweep folder')
      .argument('[name]', 'the run; or --list with $SLURM_ARRAY_TASK_ID')
      .option('--list <file>', 'task list of a Slurm array: line $SLURM_ARRAY_TASK_ID is the run')
      .option('--quiet', 'accepted for symmetry; workers print only start and end'),
  ).action(async (dir: string, name: string | undefined, opts) => {
    if (!name && !opts.list) throw new UserError('sweep run-one needs a run NAME or --list FILE');
    const code = await runOne(dir, name ?? nameFromTaskList(opts.list), opts);
    process.exit(code);
  });
}
