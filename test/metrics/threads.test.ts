/**
 * DCI, explicitness, InfoMEC and DCI-ES split their work across helper threads (src/metrics/threads.ts), which load the
 * compiled modules (dist/, built by `npm run build`, which `npm test` runs first); from the TypeScript
 * sources they run on the calling thread only. So these tests run the compiled metrics in a child process.
 *
 * A helper that fails is covered for silently by the calling thread (the results stay right), which would
 * hide a broken parallel path; so the tests read the mechanism's own counts (helperStats: helpers started,
 * loaded, work redone), which shared memory keeps exact whatever the machine's load. Events ('online') are
 * not used: the calling thread blocks while the helpers run, so they arrive late or, for a helper ended
 * before it got going, never.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Runs an ES module script with `node --input-type=module -e`, whose options the helpers must not inherit. */
async function runScript(body: string): Promise<Record<string, any>> {
  expect(existsSync('dist/metrics/helper-worker.js'), 'dist/ is missing: run `npm run build`').toBe(true);
  const script = `
let failed = [];
process.on('worker', (w) => w.on('error', (e) => failed.push(String((e && e.stack) || e))));
// 2 factors of 6 and 9 values, 5 codes: two informative, one a mix, two noise (deterministic LCG noise)
let s = 12345;
const u = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
const make = (n) => {
  const F = 2, D = 5, factors = new Int32Array(n * F), codes = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const a = Math.floor(u() * 6), b = Math.floor(u() * 9);
    factors[i * F] = a; factors[i * F + 1] = b;
    codes.set([a / 6 + 0.2 * u(), b / 9 + 0.2 * u(), (a + b) / 15 + 0.3 * u(), u(), u()], i * D);
  }
  return { codes, factors, n, numCodes: D, numFactors: F };
};
const train = make(1500), test = make(600);
const out = {};
${body}
await new Promise((r) => setTimeout(r, 200)); // let the helpers' error events, if any, arrive
console.log(JSON.stringify({ ...out, failed }));
`;
  const { stdout } = await promisify(execFile)('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('metrics on helper threads (compiled dist/)', () => {
  it('DCI and explicitness give identical results on 1 and 2 threads; the DCI helper fits its share', async () => {
    const r = await runScript(`
const { dci, explicitness } = await import('./dist/metrics/index.js');
const { helperStats } = await import('./dist/metrics/threads.js');
for (const threads of [1, 2]) {
  const d = dci(train, test, { threads });
  out['dci' + threads] = { ...d, importance: Array.from(d.importance) };
  out['afterDci' + threads] = helperStats();
  out['explicitness' + threads] = explicitness(train, test, threads);
  out['afterExplicitness' + threads] = helperStats();
}`);
    expect(r.failed).toEqual([]);
    // one thread: no helper
    expect(r.afterExplicitness1).toEqual({ started: 0, loaded: 0, redone: 0 });
    // two threads: DCI's helper must load (each model's team waits for it at its barriers) and fit its share
    // of both models without a failure that the calling thread would have covered for
    expect(r.afterDci2).toEqual({ started: 1, loaded: 1, redone: 0 });
    // explicitness starts one helper (2 factors); whether it takes a job before the calling thread has done
    // both depends on timing (the next test runs its jobs on a helper alone); none of its jobs may fail
    expect(r.afterExplicitness2.started).toBe(2);
    expect(r.afterExplicitness2.redone).toBe(0);
    expect(r.dci2).toEqual(r.dci1);
    expect(r.explicitness2).toEqual(r.explicitness1);
    // and the fit is meaningful (not a degenerate model that would agree trivially)
    expect(r.dci1.informativeness_train).toBeGreaterThan(0.5);
    expect(r.dci1.disentanglement).toBeGreaterThan(0.2);
    expect(r.explicitness1.explicitness_test).toBeGreaterThan(0.7);
  });

  it('InfoMEC and DCI-ES give identical results on 1 and 2 threads, with no helper job failing', async () => {
    const r = await runScript(`
const { infomec, dciEs } = await import('./dist/metrics/index.js');
const { helperStats } = await import('./dist/metrics/threads.js');
for (const threads of [1, 2]) {
  const i = infomec(train, {}, threads);
  out['infomec' + threads] = { ...i, nmi: Array.from(i.nmi) };
  out['dciEs' + threads] = dciEs(train, test, {}, threads);
}
out.stats = helperStats();`);
    expect(r.failed).toEqual([]);
    // one helper each on 2 threads (none on 1); whether it takes a job first depends on timing; none may fail
    expect(r.stats.started).toBe(2);
    expect(r.stats.redone).toBe(0);
    expect(r.infomec2).toEqual(r.infomec1);
    expect(r.dciEs2).toEqual(r.dciEs1);
    expect(r.infomec1.infom).toBeGreaterThan(0.3);
    expect(r.dciEs1.explicitness).toBeGreaterThan(0.5);
  });

  it('a job queue given to a helper alone is done there, with the results of the calling thread', async () => {
    const r = await runScript(`
const { explicitnessData, explicitnessJob } = await import('./dist/metrics/explicitness.js');
const { Helpers, helperStats, jobQueue, DONE } = await import('./dist/metrics/threads.js');
const data = explicitnessData(train, test);
const q = jobQueue(data, [1, 0], 2);
const helpers = new Helpers('explicitness', 1, undefined);
helpers.post(() => q);
// the calling thread takes no job: it waits (a minute at most) for the helper to finish both
const deadline = Date.now() + 30000;
for (const k of [0, 1]) while (Atomics.load(q.status, k) !== DONE && Date.now() < deadline) Atomics.wait(q.status, k, Atomics.load(q.status, k), 100);
out.status = Array.from(q.status);
helpers.close();
out.stats = helperStats();
out.helper = Array.from(q.results);
out.here = [...explicitnessJob(data, 0), ...explicitnessJob(data, 1)];`);
    expect(r.failed).toEqual([]);
    expect(r.status).toEqual([2, 2]); // DONE
    expect(r.stats).toEqual({ started: 1, loaded: 1, redone: 0 });
    expect(r.helper).toEqual(r.here);
    expect(r.here.every((v: number) => v > 0.5 && v <= 1)).toBe(true);
  });

  it("the helpers load only their kind's modules: no dataset module, no tfjs", () => {
    // every module reachable from the helper entry, following static and dynamic imports of relative paths
    const seen = new Set<string>(),
      packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        if (m[1].startsWith('.')) visit(resolve(dirname(file), m[1]));
        else packages.add(m[1]);
      }
    };
    visit(resolve('dist/metrics/helper-worker.js'));
    const modules = [...seen].map((f) => f.slice(resolve('dist').length + 1)).sort();
    // the entry reaches both kinds' modules (each helper loads one of them)
    expect(modules).toContain(join('metrics', 'explicitness.js'));
    expect(modules).toContain(join('metrics', 'dci-team.js'));
    expect(modules).toContain(join('metrics', 'infomec.js'));
    expect(modules).toContain(join('metrics', 'dci-es.js'));
    expect(modules.filter((f) => !f.startsWith('metrics') && !f.startsWith('util'))).toEqual([]);
    expect(modules.filter((f) => /data|dataset|index\.js$/.test(f))).toEqual([]);
    expect([...packages].filter((p) => !p.startsWith('node:'))).toEqual([]);
  });
});
