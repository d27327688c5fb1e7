/**
 * Every file the toolkit writes goes through these helpers: an atomic write (whole files), a line appended to a
 * log, a folder made. A write the file system refuses for a reason that is the user's to fix (a full disk, a
 * quota, a read-only mount, permissions) becomes a `WriteFailed` — one line naming the path, the cause and the
 * fix, which the CLI prints without a stack trace — and leaves no partial file behind.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { UserError } from './errors.js';

/** Causes of a refused write, by errno code: what happened, and what frees the way. */
const writeCauses: Record<string, { what: string; fix: string }> = {
  ENOSPC: { what: 'no space left on device', fix: 'free space' },
  EDQUOT: { what: 'disk quota exceeded', fix: 'free space within your quota (or have it raised)' },
  EROFS: { what: 'read-only file system', fix: 'make the file system writable or use a folder on a writable one' },
  EACCES: { what: 'permission denied', fix: 'make the folder writable for you or use another one' },
  EPERM: { what: 'operation not permitted', fix: 'make the folder writable for you or use another one' },
};

/** A write refused by the file system (see `writeCauses`): a UserError, so the CLI prints its one line. */
export class WriteFailed extends UserError {
  constructor(
    readonly path: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WriteFailed';
  }
}

let continueWith: string | undefined;

/**
 * How the user continues once the cause of a refused write is fixed (e.g. `disentangle train --resume DIR`),
 * named in the error; until it is reset, and by default, "run the command again". Returns the reset.
 */
export function setContinueHint(command: string): () => void {
  const before = continueWith;
  continueWith = command;
  return () => {
    continueWith = before;
  };
}

/** `e` as a WriteFailed when it is a refused write of `path` (see `writeCauses`), else `e` unchanged. */
export function asWriteFailure(e: unknown, path: string): unknown {
  if (e instanceof WriteFailed) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const cause = typeof code === 'string' ? writeCauses[code] : undefined;
  if (!cause) return e;
  const then = continueWith ? `\`${continueWith}\`` : 'run the command again';
  return new WriteFailed(path, code!, `${cause.what} writing ${path}: ${cause.fix}, then ${then}`);
}

/**
 * A test hook for machines where a small file system cannot be mounted: while the file named by
 * DISENTANGLE_TEST_WRITE_FAULT=CODE:FILE exists, every write through these helpers fails with CODE.
 */
function injectedFault(path: string): void {
  const hook = process.env.DISENTANGLE_TEST_WRITE_FAULT;
  if (!hook) return;
  const i = hook.indexOf(':');
  const [code, flag] = [hook.slice(0, i), hook.slice(i + 1)];
  if (i > 0 && existsSync(flag))
    throw Object.assign(new Error(`${code}: injected write fault, write '${path}'`), { code, path, syscall: 'write' });
}

/** Make a folder (and its parents), or throw WriteFailed. */
export function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw asWriteFailure(e, dir);
  }
}

/**
 * Write a file atomically: write to a temporary file in the same folder, fsync, then rename.
 * A crash or kill leaves either the old file or the new one, never a partial one; so does a refused write
 * (the temporary file is removed, and a WriteFailed names the path).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDir(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    injectedFault(path);
    const fd = openSync(tmp, 'w');
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw asWriteFailure(e, path);
  }
}

/**
 * Append text (whole lines) to a log. A refused write leaves the log as it was (what part of the text got
 * written is cut off again) and throws WriteFailed.
 */
export function appendLines(path: string, text: string): void {
  let size = -1;
  try {
    size = existsSync(path) ? statSync(path).size : -1;
    injectedFault(path);
    appendFileSync(path, text);
  } catch (e) {
    try {
      if (size >= 0) truncateSync(path, size);
      else rmSync(path, { force: true });
    } catch {
      /* the log is unchanged or a partial line remains; readers of logs skip partial lines */
    }
    throw asWriteFailure(e, path);
  }
}
