/** Start `disentangle serve` and run CLI commands from browser tests. */
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Served {
  url: string;
  stop(): Promise<void>;
}

/** `disentangle serve DIRS --port 0`; resolves with the URL it prints. */
export function serve(dirs: string[], extra: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, ['bin/disentangle.js', 'serve', ...dirs, '--port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start in 30 s: ${out}${err}`)), 30_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({
          url: m[1],
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`serve exited with ${code}: ${out}${err}`));
    });
  });
}

/** Run the CLI; resolves with stdout (rejects with stderr on a non-zero exit). */
export async function cli(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['bin/disentangle.js', ...args], {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, DISENTANGLE_BACKEND: 'wasm' },
  });
  return stdout;
}

/** The last line of a `--json` command's output, parsed. */
export function lastJson(stdout: string): any {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
