/**
 * One writer per folder: a lock file holding who writes (PID, host, start time, command). A second writer is
 * refused with a message naming the holder; a lock left by a dead process on this host is taken over with a
 * notice. The lock is created with O_EXCL, so two processes racing for it cannot both win. Used for run
 * folders (`.lock`) and sweep folders (`sweep.lock`).
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from './errors.js';
import { asWriteFailure } from './fs.js';

export interface LockInfo {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export interface FolderLock {
  readonly path: string;
  release(): void;
}

/** The folder is held by another live process (a UserError, so the CLI prints it on one line). */
export class FolderBusy extends UserError {
  constructor(
    message: string,
    readonly holder: LockInfo | null,
  ) {
    super(message);
    this.name = 'FolderBusy';
  }
}

/** The lock file's name in a locked run folder. */
export const LOCK_FILE = '.lock';

const held = new Map<string, FolderLock>();

/** Whether a process runs on this host (signal 0 tests without touching it). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // a zombie (ended, not yet reaped: an orphan where PID 1 does not reap) answers signal 0 too
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (not Linux): signal 0's answer stands
  }
}

/** Who holds the lock `file` of `dir`, or null (no lock, or one being written). */
export function readLock(dir: string, file = LOCK_FILE): LockInfo | null {
  try {
    const l = JSON.parse(readFileSync(join(dir, file), 'utf8')) as LockInfo;
    return Number.isInteger(l?.pid) && typeof l.host === 'string' ? l : null;
  } catch {
    return null;
  }
}

/** A lock file nobody finished writing within this long was left by a process that died creating it. */
const UNWRITTEN_LOCK_S = 10;

export interface LockOptions {
  /** The lock file's name in the folder. */
  file?: string;
  /** How to get the holder out of the way, appended to the refusal. */
  hint?: string;
}

/**
 * Take the lock of `dir` for `what` (e.g. 'train'), or throw FolderBusy naming its holder. Re-entrant within
 * one process (a second acquire of a held lock returns the same lock). Released on exit.
 */
export function lockFolder(dir: string, what: string, o: LockOptions = {}): FolderLock {
  const file = o.file ?? LOCK_FILE;
  const path = join(dir, file);
  const mine = held.get(path);
  if (mine) return mine;
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    command: `${what} (${process.argv.slice(2).join(' ') || 'library'})`,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`no folder at ${dir}`);
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
        throw new UserError(`cannot write into ${dir} (${code}): it needs to be writable`);
      if (code !== 'EEXIST') throw asWriteFailure(e, path);
      const other = readLock(dir, file);
      if (other && other.host === info.host && !pidAlive(other.pid)) {
        process.stderr.write(
          `note: taking over the lock of ${dir}, left by process ${other.pid} (${other.command}), which is no longer running\n`,
        );
        // remove it only if it is still that same stale lock (another process may have taken it over already)
        const now = readLock(dir, file);
        if (now && now.pid === other.pid && now.started === other.started) rmSync(path, { force: true });
        continue;
      }
      if (!other && ageSeconds(path) > UNWRITTEN_LOCK_S) {
        // writing a lock takes microseconds: one unreadable for this long was left by a crash while written
        process.stderr.write(`note: taking over the lock of ${dir}, an unreadable lock file left by a crash\n`);
        rmSync(path, { force: true });
        continue;
      }
      const who = other
        ? `process ${other.pid} on ${other.host}, since ${other.started}: ${other.command}`
        : 'another process (its lock file is being written or is unreadable)';
      throw new FolderBusy(
        `${dir} is in use by ${who}. One writer per folder: ${o.hint ?? 'wait for it to finish or stop it'}` +
          (other && other.host !== info.host ? ` (if it died on another host, delete ${path})` : ''),
        other,
      );
    }
    try {
      writeSync(fd, JSON.stringify(info, null, 1));
    } catch (e) {
      // an empty lock would hold the folder for a while: a full disk leaves none
      closeSync(fd);
      rmSync(path, { force: true });
      throw asWriteFailure(e, path);
    }
    closeSync(fd);
    const lock: FolderLock = {
      path,
      release() {
        if (!held.delete(path)) return;
        const now = readLock(dir, file);
        if (now && now.pid === info.pid && now.host === info.host) rmSync(path, { force: true });
      },
    };
    held.set(path, lock);
    releaseOnExit();
    return lock;
  }
  throw new UserError(`could not take the lock of ${dir}: it changed hands while we tried; try again`);
}

function ageSeconds(path: string): number {
  try {
    return (Date.now() - statSync(path).mtimeMs) / 1000;
  } catch {
    return Infinity;
  }
}

let exitHook = false;
/** Release every lock this process holds when it exits (installed on the first lock, not at import). */
function releaseOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const lock of [...held.values()]) lock.release();
  });
}
