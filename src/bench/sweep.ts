/**
 * `disentangle bench sweep`: the sweep machinery's goals, measured.
 *  - local throughput: 4 equal runs on 2 workers vs the same runs one after another (goal ratio ≤ 0.55);
 *  - the sweep's own overhead per run: the one-worker sweep's wall time less the runs' training and
 *    evaluation time as the workers measured it (process start, loading, engine, bookkeeping; goal < 2 s);
 *  - on Slurm (where sbatch reaches a scheduler): submission to the first run started (goal ≤ 5 s), and the
 *    status of a 100-run sweep whose tasks are queued (goal < 1 s), in-process and through the CLI.
 * The machine's load average is printed beside the numbers: on a shared machine they say as much about it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSweep, sweepCommand, sweepStatus, type SweepOptions } from '../sweep/index.js';
import { cliPath, readRecord } from '../sweep/folder.js';
import { cancelJobs, findCommand, queryJobs, readSubmissions } from '../sweep/executors/slurm.js';

export interface BenchSweepOptions {
  steps: number;
  backend?: string;
  slurm: boolean;
  keep?: boolean;
}

const round = (x: number, d = 3) => Number(x.toFixed(d));

function config(dir: string, steps: number): string {
  const p = join(dir, 'bench.json');
  writeFileSync(
    p,
    JSON.stringify({
      dataset: { name: 'xysinglesquare', imageSize: 32, squareSize: 4, gridSpacing: 2 },
      framework: { name: 'betavae', beta: 2 },
      model: { architecture: 'conv64', z: 4 },
      optimizer: { lr: 0.001 },
      train: { steps, batchSize: 32, checkpointEvery: steps, logEvery: 10 },
    }),
  );
  return p;
}

async function timed(o: SweepOptions): Promise<number> {
  const t0 = performance.now();
  await sweepCommand(o);
  return (performance.now() - t0) / 1000;
}

/** Over a sweep's attempts: seconds of training and evaluation (wall), and CPU seconds outside them. */
function workSeconds(dir: string): { work: number; overheadCpu: number } {
  let work = 0,
    overheadCpu = 0;
  for (const r of readSweep(dir).runs)
    for (const a of readRecord(dir, r.name)?.attempts ?? []) {
      work += (a.train_s ?? 0) + (a.eval_s ?? 0);
      overheadCpu += (a.cpu_s ?? 0) - (a.train_cpu_s ?? 0) - (a.eval_cpu_s ?? 0);
    }
  return { work, overheadCpu };
}

export async function benchSweep(o: BenchSweepOptions): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  const cfg = config(root, o.steps);
  const base = {
    config: cfg,
    seeds: '4',
    metrics: 'mig',
    numTrain: 1000,
    numTest: 500,
    executor: 'local' as const,
    quiet: true,
    backend: o.backend,
    threads: 1,
    device: 'cpu',
    set: [],
    grid: [],
    zip: [],
  };
  const out: Record<string, unknown> = {
    bench: 'sweep',
    cores: availableParallelism(),
    load_average_before: round(loadavg()[0], 2),
  };
  try {
    const serial = await timed({ ...base, out: join(root, 'serial'), workers: 1 });
    const parallel = await timed({ ...base, out: join(root, 'parallel'), workers: 2 });
    const { work, overheadCpu } = workSeconds(join(root, 'serial'));
    out.local = {
      runs: 4,
      steps: o.steps,
      serial_s: round(serial, 2),
      two_workers_s: round(parallel, 2),
      ratio: round(parallel / serial),
      goal_ratio: 0.55,
      train_and_eval_s: round(work, 2),
      overhead_per_run_s: round((serial - work) / 4),
      // load-independent: CPU seconds each worker spends outside training and evaluation
      overhead_cpu_per_run_s: round(overheadCpu / 4),
      goal_overhead_per_run_s: 2,
    };
    out.slurm = o.slurm ? await benchSlurm(root, base) : { skipped: 'not asked (--slurm)' };
  } finally {
    if (!o.keep) rmSync(root, { recursive: true, force: true });
    else out.folder = root;
  }
  out.load_average_after = round(loadavg()[0], 2);
  return out;
}

async function benchSlurm(root: string, base: Omit<SweepOptions, 'out'>): Promise<Record<string, unknown>> {
  if (!findCommand('sbatch')) return { skipped: 'sbatch not on PATH' };
  if ((await queryJobs(['1'])) === null) return { skipped: 'the Slurm controller cannot be reached' };
  // submission to the first run started: a tiny sweep on the cluster
  const dir = join(root, 'slurm');
  const t0 = Date.now();
  await sweepCommand({ ...base, config: config(root, 20), out: dir, executor: 'slurm' } as SweepOptions);
  const submitS = (Date.now() - t0) / 1000;
  const sweep = readSweep(dir);
  let first = Infinity,
    launched = Infinity;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const attempts = sweep.runs.map((r) => readRecord(dir, r.name)?.attempts[0]).filter((a) => !!a);
    if (attempts.length) {
      first = Math.min(...attempts.map((a) => Date.parse(a.started)));
      launched = Math.min(...attempts.map((a) => Date.parse(a.launched ?? a.started)));
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // status of a 100-run sweep whose tasks are all queued (held)
  const big = join(root, 'slurm100');
  await sweepCommand({ ...base, seeds: '100', out: big, executor: 'slurm', sbatchArgs: ['--hold'] } as SweepOptions);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await sweepStatus(big);
    times.push((performance.now() - t) / 1000);
  }
  const t = performance.now();
  spawnSync(process.execPath, [cliPath, 'sweep', 'status', big, '--json'], { stdio: 'ignore' });
  const cliS = (performance.now() - t) / 1000;
  cancelJobs(readSubmissions(big).map((s) => s.job));
  // let the tiny sweep end before its folder goes
  while (Date.now() < deadline && sweep.runs.some((r) => readRecord(dir, r.name)?.state !== 'done'))
    await new Promise((r) => setTimeout(r, 200));
  cancelJobs(readSubmissions(dir).map((s) => s.job));
  times.sort((a, b) => a - b);
  return {
    submit_command_s: round(submitS, 2),
    // the task's process began (Slurm's part), then had loaded the toolkit and opened its run
    submit_to_first_task_process_s: Number.isFinite(launched) ? round((launched - t0) / 1000, 2) : null,
    submit_to_first_run_started_s: Number.isFinite(first) ? round((first - t0) / 1000, 2) : null,
    goal_submit_to_start_s: 5,
    status_100_runs_s: round(times[2]),
    status_100_runs_cli_s: round(cliS, 2),
    goal_status_s: 1,
  };
}
