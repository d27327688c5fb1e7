/** Checks of run folders that load nothing (the CLI runs them before starting the engine). */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { LOCK_FILE } from '../util/lock.js';

/** The files that make a folder a run folder. */
export function isRunDir(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'train.jsonl'));
}

/**
 * Check that `dir` can hold a new run: absent, or an empty folder (one holding only a lock file counts as
 * empty: a run killed while it started; the lock then names a live holder, or is taken over).
 */
export function checkNewRunFolder(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UserError(`--out ${dir} exists and is not a folder`);
  if (isRunDir(dir))
    throw new UserError(
      `${dir} already holds a run: continue it with \`disentangle train --resume ${dir}\`, or choose another --out`,
    );
  if (readdirSync(dir).some((f) => f !== LOCK_FILE))
    throw new UserError(
      `${dir} exists and is not a run folder: refusing to write into it (choose an empty or new --out)`,
    );
}

/** Check that `dir` is a run folder (before anything is loaded). */
export function checkRunFolder(dir: string): void {
  if (!existsSync(dir)) throw new UserError(`no run folder at ${dir}`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} is a file, not a run folder`);
  if (!isRunDir(dir)) throw new UserError(`${dir} is not a run folder (no config.json and train.jsonl)`);
}
