/** Helpers for the sweep tests: the real CLI (dist/, built by `npm test`'s pretest), folder snapshots. */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const cli = join(process.cwd(), 'bin', 'disentangle.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}): CliResult {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking the test process (for runs watched while they go). */
export function startCli(args: string[], env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '',
    stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** Every file under a folder → a hash of its contents (for "nothing on disk changed"). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p, `${rel}${f}/`);
      else out[`${rel}${f}`] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

export async function waitFor<T>(
  what: string,
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The tiny config of the sweep tests: 16×16 single squares, a small conv VAE, a few steps. */
export function writeTinyConfig(path: string, train: Record<string, unknown> = {}): string {
  writeFileSync(
    path,
    JSON.stringify({
      dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4, gridSpacing: 2 },
      framework: { name: 'betavae', beta: 2 },
      model: { architecture: 'conv64', z: 3 },
      loss: 'bce',
      optimizer: { lr: 0.001 },
      train: { steps: 20, batchSize: 8, checkpointEvery: 10, logEvery: 5, ...train },
    }),
  );
  return path;
}

/** results.csv → rows of cells (no quoted commas in the compared columns; errors are compared whole). */
export function readCsv(path: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [],
    cell = '',
    quoted = false;
  const text = readFileSync(path, 'utf8');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === '\n') {
      row.push(cell);
      cell = '';
      if (ch === '\n') {
        rows.push(row);
        row = [];
      }
    } else cell += ch;
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
