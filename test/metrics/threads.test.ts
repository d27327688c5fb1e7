/**
 * DCI and explicitness split their work across worker threads, which load the compiled modules (dist/,
 * built by `npm ci` / `npm run build`); from the TypeScript sources they run on the calling thread only.
 * So this test runs the compiled metrics in a child process: with 1 and with 2 threads the results must be
 * identical, and the workers must start and finish without an error (a worker that fails is otherwise
 * covered for silently by the calling thread, which would hide a broken parallel path).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const script = `
import { dci, explicitness } from './dist/metrics/index.js';
let started = 0, failed = [];
process.on('worker', (w) => {
  w.on('online', () => { started++; });
  w.on('error', (e) => { failed.push(String(e && e.stack || e)); });
});
// 2 factors of 6 and 9 values, 5 codes: two informative, one a mix, two noise (deterministic LCG noise)
let s = 12345;
const u = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
const make = (n) => {
  const F = 2, D = 5, factors = new Int32Array(n * F), codes = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const a = Math.floor(u() * 6), b = Math.floor(u() * 9);
    factors[i * F] = a; factors[i * F + 1] = b;
    const r = [a / 6 + 0.2 * u(), b / 9 + 0.2 * u(), (a + b) / 15 + 0.3 * u(), u(), u()];
    codes.set(r, i * D);
  }
  return { codes, factors, n, numCodes: D, numFactors: F };
};
const train = make(1500), test = make(600);
const out = {};
for (const threads of [1, 2]) {
  const d = dci(train, test, { threads });
  out['dci' + threads] = { ...d, importance: Array.from(d.importance) };
  out['explicitness' + threads] = explicitness(train, test, threads);
}
await new Promise((r) => setTimeout(r, 200)); // let terminated workers report
console.log(JSON.stringify({ ...out, started, failed }));
`;

describe('metrics on worker threads (compiled dist/)', () => {
  it('DCI and explicitness give identical results on 1 and 2 threads, and the workers run without error', async () => {
    expect(existsSync('dist/metrics/dci-worker.js'), 'dist/ is missing: run `npm run build`').toBe(true);
    expect(existsSync('dist/metrics/jobs-worker.js'), 'dist/ is missing: run `npm run build`').toBe(true);
    // run as `node --input-type=module -e`, whose options the workers must not inherit
    const { stdout: out } = await promisify(execFile)('node', ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.failed).toEqual([]);
    // one DCI helper and one explicitness helper (2 factors → at most one worker)
    expect(r.started).toBe(2);
    expect(r.dci2).toEqual(r.dci1);
    expect(r.explicitness2).toEqual(r.explicitness1);
    // and the fit is meaningful (not a degenerate model that would agree trivially)
    expect(r.dci1.informativeness_train).toBeGreaterThan(0.5);
    expect(r.dci1.disentanglement).toBeGreaterThan(0.2);
    expect(r.explicitness1.explicitness_test).toBeGreaterThan(0.7);
  });
});
