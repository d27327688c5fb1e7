/**
 * Output folders of commands that write several files (`analyze --out`, `report --out`): a folder is written
 * only if it is new, empty, or holds nothing but an earlier output of the same command (its marker file and
 * its own names). Anything else is someone's work, and is refused rather than overwritten.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { makeDir } from './fs.js';
import { UserError } from './errors.js';
import { LOCK_FILE } from './lock.js';

export interface OutputFolder {
  /** The command, for messages ('analyze'). */
  command: string;
  /** Every name the command writes into the folder. */
  names: readonly string[];
  /** The file whose presence marks an earlier output of the command (one of `names`). */
  marker: string;
}

/** Refuse `dir` unless the command may write into it (see the module comment); nothing is created. */
export function checkOutputFolder(dir: string, o: OutputFolder): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UserError(`--out ${dir} exists and is not a folder`);
  // temporary files of an interrupted atomic write (.name.pid.time.tmp) and the lock are not anyone's work
  const entries = readdirSync(dir).filter((f) => f !== LOCK_FILE && !/^\..*\.tmp$/.test(f));
  if (entries.length === 0) return;
  const foreign = entries.filter((f) => !o.names.includes(f));
  if (foreign.length === 0 && entries.includes(o.marker)) return;
  const shown = (foreign.length ? foreign : entries).slice(0, 4).join(', ');
  throw new UserError(
    `--out ${dir} is not empty and is not an earlier output of \`disentangle ${o.command}\` (it holds ${shown}` +
      `${entries.length > 4 ? ', …' : ''}): refusing to overwrite it; choose an empty or new folder`,
  );
}

/** `checkOutputFolder`, then create the folder. */
export function prepareOutputFolder(dir: string, o: OutputFolder): void {
  checkOutputFolder(dir, o);
  makeDir(dir);
}
