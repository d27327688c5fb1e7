/**
 * Sweeps: a grid of run configs × seeds, trained as ordinary run folders by a local pool of processes or
 * by Slurm job arrays, resumable and idempotent, with results.csv and report.html. The CLI (`disentangle
 * sweep`) is a thin layer over these functions.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import { WriteFailed, writeFileAtomic } from '../util/fs.js';
import { openSweepFolder, paths, readRecord, readSweep, type SweepFile } from './folder.js';
import { lockFolder, pidAlive, readLock } from '../util/lock.js';
import { expandSpec, type SweepSpec } from './spec.js';
import { hasSpecFlags, specFromFlags, type SpecFlags } from './input.js';
import { sweepStatus, summaryLine, type RunStatus, type SweepStatus } from './status.js';
import { collectResults, readCurves, resultsCsv } from './results.js';
import { reportHtml } from './report.js';
import { runLocal } from './executors/local.js';
import { arrayScript, cancelJobs, requireSbatch, submit, type SlurmOptions } from './executors/slurm.js';
import { hostname } from 'node:os';

export { runOne, nameFromTaskList } from './run-one.js';
export { expandSpec, specDifference, gridText, type SweepSpec, type ExpandedRun } from './spec.js';
export { specFromFlags, specFromObject, readSpecFile, readDataFile, parseSeeds } from './input.js';
export { readSweep, type SweepFile, type RunRecord } from './folder.js';
export { sweepStatus, summaryLine, type SweepStatus, type RunStatus, type RunState } from './status.js';
export { runLocal, type LocalResult } from './executors/local.js';
export { parseScontrol, parseTaskIds } from './executors/slurm.js';

export interface SweepOptions extends SpecFlags, SlurmOptions {
  out: string;
  /** The sweep itself (library callers, e.g. experiments), instead of the command line's spec flags. */
  sweepSpec?: SweepSpec;
  executor: 'local' | 'slurm';
  workers?: number;
  retryFailed?: boolean;
  dryRun?: boolean;
  quiet?: boolean;
  backend?: string;
  threads: number;
  device: string;
  /** Seconds per run for the local executor (Slurm gets `time` as given). */
  timeLimitS?: number;
}

const log = (s: string) => process.stderr.write(s + '\n');

function engineArgs(o: SweepOptions): string[] {
  return [...(o.backend ? ['--backend', o.backend] : []), '--threads', String(o.threads), '--device', o.device];
}

/** Results and report from the folder as it is now. */
export async function writeReport(dir: string, sweep = readSweep(dir), status?: SweepStatus) {
  const st = status ?? (await sweepStatus(dir, sweep));
  const rows = collectResults(dir, sweep, st);
  writeFileAtomic(paths.results(dir), resultsCsv(sweep, rows));
  const curves = new Map(sweep.runs.map((r) => [r.name, readCurves(dir, r.name)]));
  writeFileAtomic(paths.report(dir), reportHtml(dir, sweep, rows, st, curves));
  return { results: paths.results(dir), report: paths.report(dir), status: st };
}

/** `disentangle sweep …`: returns the exit code (0 all done or submitted, 1 some failed, 130/143 stopped). */
export async function sweepCommand(o: SweepOptions): Promise<number> {
  const dir = o.out;
  let spec;
  if (o.sweepSpec) spec = o.sweepSpec;
  else if (hasSpecFlags(o)) spec = specFromFlags(o);
  else if (existsSync(paths.sweep(dir))) spec = readSweep(dir).spec;
  else
    throw new UserError(
      'give a sweep: --config FILE with --grid key=v1,v2 … (or --spec FILE), or --out an existing sweep folder alone to continue it',
    );
  const runs = await expandSpec(spec);
  const engine = {
    backend: o.backend ?? process.env.DISENTANGLE_BACKEND ?? 'auto',
    threads: o.threads,
    device: o.device,
  };
  const workers = o.workers ?? Math.max(1, Math.floor(availableParallelism() / o.threads));
  if (o.dryRun) return dryRun(dir, runs, o, workers);
  if (o.executor === 'slurm') requireSbatch();
  const { sweep, created } = openSweepFolder(dir, spec, runs, engine);
  const lock = lockFolder(dir, `sweep --executor ${o.executor}`, {
    file: 'sweep.lock',
    hint: `wait for it to end, or stop it (Ctrl-C there, or \`disentangle sweep --out ${dir} --cancel\`)`,
  });
  if (!created && (sweep.engine.backend !== engine.backend || sweep.engine.threads !== engine.threads))
    log(
      `note: ${dir} was started with backend ${sweep.engine.backend}, ${sweep.engine.threads} thread(s); continuing with ${engine.backend}, ${engine.threads}`,
    );
  try {
    const status = await sweepStatus(dir, sweep);
    const slurmBusy = status.runs.filter((r) => r.busy && r.job);
    if (status.scheduler === 'unreachable' && slurmBusy.length)
      throw new UserError(
        `${slurmBusy.length} run(s) of ${dir} were submitted to Slurm (task ${slurmBusy[0].job}, …) and the scheduler ` +
          `cannot be asked now (no scontrol here, or the controller is down): run this where Slurm answers; if those ` +
          `jobs are gone for good, move ${dir}/slurm/jobs.jsonl away`,
      );
    if (o.executor === 'local' && slurmBusy.length)
      throw new UserError(
        `${slurmBusy.length} run(s) of ${dir} are queued or running on Slurm (task ${slurmBusy[0].job}, …): wait for them, ` +
          `or cancel them with \`disentangle sweep --out ${dir} --cancel\`, before running the sweep here`,
      );
    // seed-major: every setting's first seed before any setting's second, so a sweep stopped early (or read while
    // it runs) already covers every setting
    const seedRank = new Map(sweep.runs.map((r) => [r.id, sweep.spec.seeds.indexOf(r.seed)]));
    const pick = (st: SweepStatus, skip: ReadonlySet<string> = new Set()) =>
      st.runs
        .filter(
          (r) =>
            !r.busy &&
            !skip.has(r.name) &&
            (r.state === 'pending' || (o.retryFailed && (r.state === 'failed' || r.state === 'lost'))),
        )
        .sort((a, b) => seedRank.get(a.id)! - seedRank.get(b.id)! || a.id - b.id);
    const todo = pick(status);
    const busy = status.runs.filter((r) => r.busy);
    log(
      `sweep ${dir}: ${summaryLine(status)}; ${todo.length} to ${o.executor === 'slurm' ? 'submit' : 'run'}` +
        (busy.length ? ` (${busy.length} already queued or running elsewhere)` : ''),
    );
    if (o.executor === 'slurm') {
      const failedLeft = status.runs.filter((r) => r.state === 'failed' || r.state === 'lost').length;
      if (!todo.length) {
        if (failedLeft && !o.retryFailed) log(`${failedLeft} failed: run again with --retry-failed to resume them`);
        return failedLeft && !busy.length ? 1 : 0;
      }
      const names = todo.map((r) => r.name);
      const sub = await submit(dir, names, engineArgs(o), o);
      console.log(
        `submitted ${names.length} run(s) as Slurm job array ${sub.job}${o.parallel ? ` (${o.parallel} at a time)` : ''}; ` +
          `follow with \`disentangle sweep status ${dir}\`, then \`disentangle sweep report ${dir}\``,
      );
      return 0;
    }
    return await runUntilFinished(dir, sweep, status, pick, o, workers);
  } finally {
    lock.release();
  }
}

/** The live process on this host that holds run `name` now: its recorded worker, or its run folder's lock holder. */
function localHolder(dir: string, name: string): number | null {
  const host = hostname();
  const rec = readRecord(dir, name);
  const last = rec?.state === 'running' ? rec.attempts[rec.attempts.length - 1] : undefined;
  if (last && !last.job && last.host === host && last.pid !== process.pid && pidAlive(last.pid)) return last.pid;
  const l = readLock(paths.run(dir, name));
  if (l && l.host === host && l.pid !== process.pid && pidAlive(l.pid)) return l.pid;
  return null;
}

/** Wait until one of `pids` has ended; a Ctrl-C or SIGTERM meanwhile ends the wait and is returned. */
function waitForAnyExit(pids: number[]): Promise<'SIGINT' | 'SIGTERM' | null> {
  return new Promise((done) => {
    const end = (sig: 'SIGINT' | 'SIGTERM' | null) => {
      clearInterval(timer);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done(sig);
    };
    const onInt = () => end('SIGINT');
    const onTerm = () => end('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const timer = setInterval(() => pids.some((p) => !pidAlive(p)) && end(null), 200);
  });
}

/** Times a run may come back busy, with no process on this host to wait for, before this command leaves it. */
const BUSY_TRIES = 3;

/**
 * The local executor until the sweep is finished: run what is to run; a run held by a live process on this
 * host (a worker of a sweep command killed a moment ago, still writing its checkpoint; a `train --resume` of
 * its folder) is waited for and taken over once that process ends. Exit 0 only when every run is done: a run
 * left unfinished is named, with why (exit 1), as are failed ones.
 */
async function runUntilFinished(
  dir: string,
  sweep: SweepFile,
  first: SweepStatus,
  pick: (st: SweepStatus, skip?: ReadonlySet<string>) => RunStatus[],
  o: SweepOptions,
  workers: number,
): Promise<number> {
  let status = first;
  const busyTimes = new Map<string, number>();
  const leftBusy = new Set<string>();
  // runs this command launched are not launched again (a failed run is retried once, with --retry-failed), except
  // those that were held by another process: taken over once it ends, or left after BUSY_TRIES
  const leftAlone = new Set<string>();
  const announced = new Set<string>();
  let writeFailed: string | undefined;
  for (;;) {
    const todo = pick(status, leftAlone);
    if (todo.length) {
      const r = await runLocal(
        dir,
        sweep,
        todo.map((t) => t.name),
        {
          workers,
          engineArgs: engineArgs(o),
          quiet: o.quiet,
          timeLimitS: o.timeLimitS,
        },
      );
      if (r.signal) {
        const after = await writeReport(dir, sweep);
        console.log(`${dir}: ${summaryLine(after.status)}; results in ${after.results}, report in ${after.report}`);
        log(
          `stopped: run the same command again to continue (${r.stopped.length} run(s) resume from their checkpoints)`,
        );
        return r.signal === 'SIGINT' ? 130 : 143;
      }
      for (const t of todo) if (!r.busy.includes(t.name)) leftAlone.add(t.name);
      for (const name of r.busy) {
        busyTimes.set(name, (busyTimes.get(name) ?? 0) + 1);
        if (busyTimes.get(name)! >= BUSY_TRIES && localHolder(dir, name) === null) {
          leftAlone.add(name);
          leftBusy.add(name);
        }
      }
      status = await sweepStatus(dir, sweep);
      if (r.writeFailed) {
        writeFailed = r.writeFailed;
        break;
      }
      continue;
    }
    const held = status.runs
      .filter((r) => r.state !== 'done' && r.state !== 'failed' && r.state !== 'lost')
      .map((r) => ({ name: r.name, pid: localHolder(dir, r.name) }))
      .filter((h): h is { name: string; pid: number } => h.pid !== null);
    if (!held.length) break;
    for (const h of held)
      if (!announced.has(`${h.name}:${h.pid}`)) {
        announced.add(`${h.name}:${h.pid}`);
        log(
          `waiting for ${h.name}: process ${h.pid} on this host has it (a worker of an earlier sweep command stopping, or a train --resume); it is taken over once that process ends`,
        );
      }
    const sig = await waitForAnyExit(held.map((h) => h.pid));
    if (sig) {
      log(`${sig === 'SIGINT' ? 'Ctrl-C' : sig}: stopped while waiting; run the same command again to continue`);
      return sig === 'SIGINT' ? 130 : 143;
    }
    status = await sweepStatus(dir, sweep);
  }
  let final = status;
  try {
    const after = await writeReport(dir, sweep);
    final = after.status;
    console.log(`${dir}: ${summaryLine(after.status)}; results in ${after.results}, report in ${after.report}`);
  } catch (e) {
    if (!(e instanceof WriteFailed) || !writeFailed) throw e; // the same full disk: its message is below
  }
  const failed = final.counts.failed + final.counts.lost;
  const unfinished = final.runs.filter((r) => r.state === 'pending' || r.state === 'running');
  if (writeFailed) log(`error: ${writeFailed}`);
  if (failed)
    log(
      o.retryFailed
        ? `${failed} run(s) failed (see the report); --retry-failed resumes them`
        : `${failed} failed: run again with --retry-failed to resume them (see the report)`,
    );
  if (unfinished.length) {
    const why = (r: RunStatus) =>
      writeFailed && r.state === 'pending'
        ? 'not finished: a write was refused (above)'
        : leftBusy.has(r.name)
          ? `its folder is in use by another process (see logs/${r.name}.log)`
          : r.detail;
    log(
      `${unfinished.length} run(s) not finished: ` +
        unfinished
          .slice(0, 8)
          .map((r) => `${r.name} (${why(r)})`)
          .join('; ') +
        (unfinished.length > 8 ? '; …' : '') +
        `; run the same command again to continue`,
    );
  }
  return failed || unfinished.length ? 1 : 0;
}

function dryRun(dir: string, runs: Awaited<ReturnType<typeof expandSpec>>, o: SweepOptions, workers: number): number {
  const keys = runs.length ? Object.keys(runs[0].values) : [];
  console.log(
    `${runs.length} run(s), each config valid; executor ${o.executor}` +
      (o.executor === 'local' ? ` with ${workers} worker(s)` : '') +
      `; folder ${dir}${existsSync(paths.sweep(dir)) ? ' (exists: finished runs would be skipped)' : ''}`,
  );
  for (const r of runs)
    console.log(
      `  ${String(r.id).padStart(3)}  ${r.name}` +
        (keys.length
          ? `   (${keys.map((k) => `${k}=${JSON.stringify(r.values[k])}`).join(', ')}, seed ${r.seed})`
          : ''),
    );
  if (o.executor === 'slurm') {
    console.log('\nslurm/array.sbatch would be:\n');
    console.log(arrayScript(dir, `${dir}/slurm/tasks-K.txt`, runs.length, engineArgs(o), o));
  }
  console.log('nothing was written (--dry-run)');
  return 0;
}

/** `--cancel`: cancel the sweep's Slurm jobs and stop its local pool; everything stays resumable. */
export async function cancelSweep(dir: string): Promise<number> {
  const sweep = readSweep(dir);
  const status = await sweepStatus(dir, sweep);
  const jobs = [...new Set(status.runs.filter((r) => r.busy && r.job).map((r) => r.job!.split('_')[0]))];
  let did = false;
  if (jobs.length) {
    const n = status.runs.filter((r) => r.busy && r.job).length;
    const complaint = cancelJobs(jobs);
    console.log(
      `cancelled Slurm job array ${jobs.join(', ')} (${n} run(s) queued or running)${complaint ? `: ${complaint}` : ''}`,
    );
    did = true;
  }
  const lock = readLock(dir, 'sweep.lock');
  if (lock && lock.host === hostname() && pidAlive(lock.pid) && lock.pid !== process.pid) {
    process.kill(lock.pid, 'SIGTERM');
    console.log(
      `asked the sweep command working on ${dir} (pid ${lock.pid}) to stop; its workers write their checkpoints`,
    );
    did = true;
  } else if (lock && lock.host !== hostname()) {
    console.log(`${dir} is locked by a sweep command on ${lock.host} (pid ${lock.pid}): stop it there`);
  }
  if (!did) console.log(`nothing to cancel: no run of ${dir} is queued or running`);
  else console.log('the next `disentangle sweep` command on this folder continues the stopped runs');
  return 0;
}

export function statusText(s: SweepStatus, sweep: SweepFile): string {
  const w = Math.max(...sweep.runs.map((r) => r.name.length), 4);
  const lines = s.runs.map(
    (r) => `${r.name.padEnd(w)}  ${r.state.padEnd(7)}  ${`${r.step}/${r.steps}`.padStart(11)}  ${r.detail}`,
  );
  const sched = s.scheduler === 'unreachable' ? ' (Slurm cannot be asked now: states from the run folders only)' : '';
  return [`${'run'.padEnd(w)}  state    ${'step'.padStart(11)}  detail`, ...lines, `${summaryLine(s)}${sched}`].join(
    '\n',
  );
}
