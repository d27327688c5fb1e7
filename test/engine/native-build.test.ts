/**
 * `npm ci` runs `node native/build.mjs --if-available` (the package's `prepare`): a machine without libtorch
 * must still install (exit 0, a line saying why and how to get the native backend), while the explicit
 * `npm run build:native` must fail loudly. A LIBTORCH_DIR without headers stops both before any compiling.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const script = join(import.meta.dirname, '..', '..', 'native', 'build.mjs');
const env = { ...process.env, LIBTORCH_DIR: mkdtempSync(join(tmpdir(), 'no-libtorch-')) };

it('--if-available skips without libtorch and says how to build it', async () => {
  const r = await run(process.execPath, [script, '--if-available'], { env, encoding: 'utf8' });
  expect(r.stderr).toMatch(/build:native: skipped — LIBTORCH_DIR=.* has no include\/ATen\/ATen\.h/);
  expect(r.stderr).toMatch(/wasm backend.*npm run build:native/);
});

it('without --if-available a missing libtorch fails with the fix', async () => {
  const err = await run(process.execPath, [script], { env, encoding: 'utf8' }).then(
    () => null,
    (e: { code: number; stderr: string }) => e,
  );
  expect(err?.code).toBe(1);
  expect(err?.stderr).toMatch(/has no include\/ATen\/ATen\.h: point it at a libtorch folder/);
});
