/**
 * The write helpers: a refused write becomes a WriteFailed naming the path, the cause and the fix, and leaves
 * the file as it was (no temporary file, no partial line). Refusals come from the helpers' test hook, so that
 * every errno is reached without mounting anything (the real full disk is in test/cli/disk-full.test.ts).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { appendLines, asWriteFailure, setContinueHint, writeFileAtomic, WriteFailed } from '../../src/util/fs.js';
import { UserError } from '../../src/util/errors.js';

const root = mkdtempSync(join(tmpdir(), 'util-fs-'));
const flag = join(root, 'fault');
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.DISENTANGLE_TEST_WRITE_FAULT;
  rmSync(flag, { force: true });
});
const refuse = (code: string) => {
  process.env.DISENTANGLE_TEST_WRITE_FAULT = `${code}:${flag}`;
  writeFileSync(flag, '');
};
const errno = (code: string) => Object.assign(new Error(code), { code, syscall: 'write' });

describe('refused writes', () => {
  it('name the path, the cause and the fix, for each errno of a refused write', () => {
    const cases: Array<[string, RegExp]> = [
      ['ENOSPC', /^no space left on device writing \/x\/y: free space, then run the command again$/],
      ['EDQUOT', /^disk quota exceeded writing \/x\/y: free space within your quota/],
      ['EROFS', /^read-only file system writing \/x\/y: make the file system writable/],
      ['EACCES', /^permission denied writing \/x\/y: make the folder writable for you/],
    ];
    for (const [code, message] of cases) {
      const e = asWriteFailure(errno(code), '/x/y');
      expect(e).toBeInstanceOf(WriteFailed);
      expect(e).toBeInstanceOf(UserError); // the CLI prints it as one line, exit 2
      expect((e as WriteFailed).message).toMatch(message);
      expect((e as WriteFailed).code).toBe(code);
    }
    // anything else is not a refused write: passed on unchanged
    const other = errno('EIO');
    expect(asWriteFailure(other, '/x/y')).toBe(other);
    const reset = setContinueHint('disentangle train --resume /r');
    expect((asWriteFailure(errno('ENOSPC'), '/r/a') as Error).message).toBe(
      'no space left on device writing /r/a: free space, then `disentangle train --resume /r`',
    );
    reset();
    expect((asWriteFailure(errno('ENOSPC'), '/r/a') as Error).message).toMatch(/then run the command again$/);
  });

  it('an atomic write keeps the old file and leaves no temporary file', () => {
    const path = join(root, 'a.json');
    writeFileAtomic(path, 'old');
    refuse('ENOSPC');
    expect(() => writeFileAtomic(path, 'new')).toThrow(/^no space left on device writing .*a\.json: free space/);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an appended line is all or nothing', () => {
    const path = join(root, 'log.jsonl');
    appendLines(path, '{"step":1}\n');
    refuse('EDQUOT');
    expect(() => appendLines(path, '{"step":2}\n')).toThrow(WriteFailed);
    expect(readFileSync(path, 'utf8')).toBe('{"step":1}\n');
    const fresh = join(root, 'new.jsonl');
    expect(() => appendLines(fresh, '{"step":1}\n')).toThrow(/^disk quota exceeded writing/);
    expect(existsSync(fresh)).toBe(false);
  });
});
