/**
 * Run folders: `config.json`, the live log `train.jsonl` (one JSON line per logged step), checkpoints, pictures,
 * `summary.json` when finished. One writer at a time (a lock naming the holder); a new run never writes into
 * someone else's folder; reopening a run drops log lines past its checkpoint, so the log is one clean sequence.
 */
import { existsSync, readFileSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig, type RunConfig } from '../config/index.js';
import { UserError } from '../util/errors.js';
import { makeDir, writeFileAtomic } from '../util/fs.js';
import { lockFolder, type FolderLock } from '../util/lock.js';
import { checkNewRunFolder, checkRunFolder } from './folder-checks.js';

export { isRunDir, checkNewRunFolder, checkRunFolder } from './folder-checks.js';
import { assemble, disposeRun, type Run } from './assemble.js';
import { restoreRunCheckpoint } from './checkpoint.js';

/** A run with the lock of its folder (released by `closeRun`). */
export interface OpenRun extends Run {
  lock: FolderLock;
}

/**
 * Start a new run in `dir` (which must not exist, or be empty). If it cannot start, what it made is removed:
 * a failed start leaves the disk as it was.
 */
export async function startRun(dir: string, rawConfig: unknown): Promise<OpenRun> {
  const config = await validateConfig(rawConfig);
  checkNewRunFolder(dir);
  const made = !existsSync(dir);
  makeDir(dir);
  // a folder we made is removed again only while empty: another process may have won it meanwhile
  const unmake = () => {
    if (made) rmdirQuietly(dir);
  };
  let lock: FolderLock;
  try {
    lock = lockFolder(dir, 'train');
  } catch (e) {
    unmake();
    throw e;
  }
  try {
    const run = await assemble(dir, config);
    writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2));
    writeFileAtomic(join(dir, 'train.jsonl'), '');
    return { ...run, lock };
  } catch (e) {
    // the files written so far are ours (the folder was new or empty, and we hold its lock): a write refused
    // half-way (a full disk) leaves the folder as it was
    for (const f of ['config.json', 'train.jsonl']) rmSync(join(dir, f), { force: true });
    lock.release();
    unmake();
    throw e;
  }
}

function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* not empty (someone else's now), or gone */
  }
}

/** Read and validate a run folder's config. */
export async function readRunConfig(dir: string): Promise<RunConfig> {
  checkRunFolder(dir);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  } catch {
    throw new UserError(`${join(dir, 'config.json')} is not valid JSON`);
  }
  return validateConfig(raw);
}

/** The step of a run folder's checkpoint (0 without one), read from the manifest alone. */
export function checkpointStep(dir: string): number {
  const path = join(dir, 'checkpoint.json');
  if (!existsSync(path)) return 0;
  try {
    const step = JSON.parse(readFileSync(path, 'utf8')).step;
    return Number.isInteger(step) ? step : 0;
  } catch {
    return 0;
  }
}

/** A run is finished when its checkpoint is at its configured end and its summary was written. */
export function isFinished(dir: string, config: RunConfig): boolean {
  return checkpointStep(dir) >= config.train.steps && existsSync(join(dir, 'summary.json'));
}

/** Keep the lines of a JSON-lines log whose `step` is at most `step` (drops half-written lines too). */
export function trimLog(path: string, step: number): void {
  if (!existsSync(path)) return;
  const lines = readFileSync(path, 'utf8').split('\n');
  const kept = lines.filter((l) => {
    try {
      return l.trim() !== '' && JSON.parse(l).step <= step;
    } catch {
      return false;
    }
  });
  if (kept.length !== lines.filter((l) => l.trim()).length) writeFileAtomic(path, kept.map((l) => l + '\n').join(''));
}

export interface OpenOptions {
  /** Train to this many steps instead of the configured end (must be beyond it; written to config.json). */
  steps?: number;
}

/**
 * Reopen a run folder to continue training at its last checkpoint. A finished run is reported (UserError with
 * `finished` set) and nothing is changed; `steps` beyond the configured end extends it.
 */
export async function openRun(dir: string, o: OpenOptions = {}): Promise<OpenRun> {
  let config = await readRunConfig(dir);
  const lock = lockFolder(dir, 'train --resume');
  try {
    const done = checkpointStep(dir);
    const steps = o.steps ?? config.train.steps;
    if (steps < done)
      throw new UserError(`--steps ${steps} is before the run's checkpoint (step ${done}): a run cannot be shortened`);
    if (steps === config.train.steps && isFinished(dir, config)) throw new RunFinished(dir, steps);
    const extended = steps !== config.train.steps;
    if (extended) config = { ...config, train: { ...config.train, steps } };
    const run = await assemble(dir, config);
    try {
      await restoreRunCheckpoint(run);
    } catch (e) {
      disposeRun(run);
      throw e;
    }
    // written only once the run is known to open: a resume that fails changes nothing
    if (extended) writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2));
    trimLog(join(dir, 'train.jsonl'), run.step);
    return { ...run, lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** `--resume` on a run that has nothing left to do. */
export class RunFinished extends UserError {
  constructor(
    readonly dir: string,
    readonly steps: number,
  ) {
    super(
      `${dir} is finished (${steps} of ${steps} steps): nothing to do, nothing changed. ` +
        `To train it further: disentangle train --resume ${dir} --steps N (N > ${steps})`,
    );
    this.name = 'RunFinished';
  }
}

/** Release the run's objects and its folder's lock. */
export function closeRun(run: OpenRun): void {
  disposeRun(run);
  run.lock.release();
}
