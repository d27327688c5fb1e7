/**
 * Running the real CLI (the built dist/, as a user would: `node bin/disentangle.js …`) from tests, and
 * fingerprinting folders to show that a command changed nothing on disk.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'disentangle.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Called once the process is started (to signal it, say). */
  started?: (child: ChildProcess) => void;
  timeoutMs?: number;
}

/** Run `disentangle ...args` to its end (wasm backend unless env says otherwise). */
export function cli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: o.cwd ?? repoRoot,
      env: { ...process.env, DISENTANGLE_BACKEND: 'wasm', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 100_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
    o.started?.(child);
  });
}

/** The first line of stderr, past the engine's `backend: …` banner. */
export function firstErrorLine(stderr: string): string {
  return stderr.split('\n').find((l) => l.trim() !== '' && !/^backend: /.test(l)) ?? '';
}

/** A JavaScript stack frame (`    at f (file.js:1:2)`) anywhere in the text. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .*(:\d+:\d+\)?|\(native\))$/m.test(text);
}

/** Every file under `dir` (dot files included) → sha-256 of its bytes; folders as entries too. */
export function treeHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (statSync(p).isDirectory()) {
        out[rel + '/'] = 'dir';
        walk(p);
      } else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** Run `jobs` with at most `n` at a time; results in order. */
export async function pool<T>(n: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

/** Resolve once `path` has at least `lines` lines (polling; fs.watch misses appends on some file systems). */
export function waitForLines(path: string, lines: number, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((done, fail) => {
    const poll = () => {
      let n = 0;
      try {
        n = readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
      } catch {
        /* not there yet */
      }
      if (n >= lines) return done();
      if (Date.now() - t0 > timeoutMs) return fail(new Error(`${path} did not reach ${lines} lines`));
      setTimeout(poll, 10);
    };
    poll();
  });
}
