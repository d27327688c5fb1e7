/**
 * The package as a user gets it: `npm pack`, installed into a scratch project (dependencies from npm's cache
 * when it has them), then the README's library example run from there, and a TypeScript file type-checked
 * against the installed declarations through the package's `exports` map.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve('.');
const scratch = mkdtempSync(join(tmpdir(), 'pack-'));
// asynchronous, so that the test worker stays responsive while npm and node run
const run = promisify(execFile);
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, encoding: 'utf8', timeout: 240_000 });

/** The README's example, verbatim: the js block after "## Use as a library". */
function readmeExample(): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use as a library'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README has no js example under "## Use as a library"');
  return m[1];
}

beforeAll(async () => {
  expect(existsSync(join(repo, 'dist', 'index.js'))).toBe(true); // `npm test` builds first
  await npm(['pack', '--ignore-scripts', '--pack-destination', scratch], repo);
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  await npm(
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', `./${tarball}`],
    scratch,
  );
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packed package', () => {
  it("runs the README's library example: a dataset, MIG on arrays, a few training steps", async () => {
    writeFileSync(join(scratch, 'example.mjs'), readmeExample());
    const { stdout: out } = await run(process.execPath, ['example.mjs'], {
      cwd: scratch,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('x_R(15) y_R(15) x_G(15) y_G(15) x_B(15) y_B(15) 36864');
    expect(Number(lines[1].split(' ')[1])).toBeGreaterThan(0.9);
    expect(lines[2]).toMatch(/^trained 5 steps, loss \d+\.\d$/);
    expect(existsSync(join(scratch, 'lib-demo-run', 'checkpoint.json'))).toBe(true);
  });

  it('type-checks a TypeScript file against the installed declarations (subpath exports included)', async () => {
    writeFileSync(
      join(scratch, 'check.ts'),
      [
        "import { createDataset, computeArrayMetrics, type CodesAndFactors } from 'disentangle';",
        "import { datasets } from 'disentangle/data';",
        "import { mig } from 'disentangle/metrics';",
        "import { frameworks } from 'disentangle/frameworks';",
        'const ds = await createDataset(datasets.names()[0]);',
        'const n: number = ds.size;',
        'const d: CodesAndFactors = { codes: new Float64Array(4), factors: new Int32Array(4), n: 4, numCodes: 1, numFactors: 1 };',
        'const m: number = mig(d).mig;',
        'const s: Record<string, number> = (await computeArrayMetrics(d, d, ["mig"])).scores;',
        'const f: string[] = frameworks.names();',
        '// @ts-expect-error: the registry returns definitions, not numbers',
        'const wrong: number = await datasets.get("xysquares");',
        'export { n, m, s, f, wrong };',
      ].join('\n'),
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          lib: ['ES2022', 'DOM'],
        },
        files: ['check.ts'],
      }),
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const out = await run(process.execPath, [tsc, '-p', '.'], { cwd: scratch, encoding: 'utf8' }).then(
      (r) => r.stdout + r.stderr,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout}${e.stderr}`,
    );
    expect(out).toBe('');
  });
});
