import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { lockFolder } from '../../src/util/lock.js';
import { UserError } from '../../src/util/errors.js';

const root = mkdtempSync(join(tmpdir(), 'lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function folder(lock?: string | object): string {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  if (lock !== undefined) writeFileSync(join(d, '.lock'), typeof lock === 'string' ? lock : JSON.stringify(lock));
  return d;
}
const holder = (pid: number, host = hostname()) => ({
  pid,
  host,
  started: '2025-01-01T00:00:00Z',
  command: 'train (x)',
});

describe('one writer per folder', () => {
  it('writes who holds it, is re-entrant in one process, and is removed on release', () => {
    const d = folder();
    const lock = lockFolder(d, 'evaluate');
    expect(JSON.parse(readFileSync(join(d, '.lock'), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(lockFolder(d, 'evaluate')).toBe(lock);
    lock.release();
    expect(existsSync(join(d, '.lock'))).toBe(false);
  });

  it('refuses a folder held by a live process, naming it, and leaves its lock alone', () => {
    const d = folder(holder(process.ppid));
    expect(() => lockFolder(d, 'train')).toThrow(
      new RegExp(`is in use by process ${process.ppid} on ${hostname()}, since 2025-01-01T00:00:00Z: train \\(x\\)`),
    );
    expect(JSON.parse(readFileSync(join(d, '.lock'), 'utf8')).pid).toBe(process.ppid);
  });

  it('refuses a lock from another host (it cannot tell whether that process lives) and says how to clear it', () => {
    const d = folder(holder(1, 'elsewhere'));
    expect(() => lockFolder(d, 'train')).toThrow(UserError);
    expect(() => lockFolder(d, 'train')).toThrow(/on elsewhere.*if it died on another host, delete .*\.lock/);
  });

  it('takes over a lock left by a dead process on this host, with a notice', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const d = folder(holder(dead));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const lock = lockFolder(d, 'train');
    const notes = err.mock.calls.map((c) => String(c[0])).join('');
    err.mockRestore();
    expect(notes).toMatch(new RegExp(`note: taking over the lock of .*, left by process ${dead} \\(train \\(x\\)\\)`));
    expect(JSON.parse(readFileSync(join(d, '.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('an unreadable lock: refused while it may be being written, taken over once it is old', () => {
    const d = folder('');
    expect(() => lockFolder(d, 'train')).toThrow(/its lock file is being written or is unreadable/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(d, '.lock'), old, old);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    lockFolder(d, 'train').release();
    err.mockRestore();
  });

  it('a missing folder is a clear error', () => {
    expect(() => lockFolder(join(root, 'nope'), 'evaluate')).toThrow(/^no folder at /);
  });
});
