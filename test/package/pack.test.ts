/**
 * The package as a user gets it: `npm pack`, installed into a scratch project (dependencies from npm's cache
 * when it has them), then the README's library example run from there, and a TypeScript file type-checked
 * against the installed declarations through the package's `exports` map — once as a quick check of our own
 * types, once strictly (`skipLibCheck: false`, every subpath): a consumer's strict build must see 0 errors in the
 * declarations of disentangle and of everything it installs.
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

  it('a strict check (skipLibCheck: false) of a project importing every subpath has 0 errors', async () => {
    const subpaths = Object.keys(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).exports)
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? 'disentangle' : `disentangle/${k.slice(2)}`));
    expect(subpaths).toContain('disentangle/interop');
    writeFileSync(
      join(scratch, 'strict.ts'),
      [
        ...subpaths.map((s, i) => `import * as m${i} from '${s}';`),
        `export const all = [${subpaths.map((_, i) => `m${i}`).join(', ')}];`,
        "export const n: number = (await m0.createDataset('xysquares')).size;",
      ].join('\n'),
    );
    writeFileSync(
      join(scratch, 'tsconfig.strict.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          lib: ['ES2022', 'DOM'],
        },
        files: ['strict.ts'],
      }),
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const out = await run(process.execPath, [tsc, '-p', 'tsconfig.strict.json'], {
      cwd: scratch,
      encoding: 'utf8',
      timeout: 300_000,
    }).then(
      (r) => r.stdout + r.stderr,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout}${e.stderr}`,
    );
    expect(out).toBe('');
    // and no tfjs umbrella, layers, converter or data package came with it
    const tf = readdirSync(join(scratch, 'node_modules', '@tensorflow')).sort();
    expect(tf).toEqual(['tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-core']);
  }, 320_000);
});
