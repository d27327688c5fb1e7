/**
 * The browser tests (test/web/*.spec.ts, Playwright in Chromium) as part of `npm test`: Playwright runs once,
 * while this file is collected, and each of its tests becomes one test here — so the closing
 * "N passed, N failed" line counts them, and a failure shows Playwright's message (screenshots and traces of
 * failures stay under test-results/web/).
 */
import { describe, test } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface PwResult {
  status: string;
  error?: { message?: string };
  errors?: Array<{ message?: string }>;
  duration: number;
}
interface PwSpec {
  title: string;
  file: string;
  tests: Array<{ status: string; results: PwResult[] }>;
}
interface PwSuite {
  title: string;
  specs?: PwSpec[];
  suites?: PwSuite[];
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function runPlaywright(): Promise<{ specs: PwSpec[]; problem?: string }> {
  if (!existsSync(chromium))
    return {
      specs: [],
      problem: `no Chromium at ${chromium}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
    };
  const report = join(mkdtempSync(join(tmpdir(), 'playwright-')), 'report.json');
  // Asynchronously: this worker's event loop stays free to talk to vitest while the browser tests run.
  const child = spawn(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '--reporter=line,json'], {
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((done) => {
    child.once('exit', (c) => done(c));
    child.once('error', () => done(null));
  });
  if (!existsSync(report))
    return {
      specs: [],
      problem: `Playwright wrote no report (exit ${code})`,
    };
  const json = JSON.parse(readFileSync(report, 'utf8')) as { suites: PwSuite[]; errors?: Array<{ message?: string }> };
  const specs: PwSpec[] = [];
  const walk = (s: PwSuite) => {
    specs.push(...(s.specs ?? []));
    (s.suites ?? []).forEach(walk);
  };
  json.suites.forEach(walk);
  const global = (json.errors ?? []).map((e) => e.message).join('\n');
  return { specs, problem: specs.length ? undefined : `Playwright ran no tests. ${global}` };
}

const { specs, problem } = await runPlaywright();

describe('web page in Chromium (Playwright)', () => {
  if (problem)
    test('browser tests ran', () => {
      throw new Error(problem);
    });
  for (const spec of specs) {
    test(`${spec.file.replace(/^.*\//, '')} › ${spec.title}`, () => {
      for (const t of spec.tests) {
        if (t.status === 'expected' || t.status === 'flaky') continue;
        const last = t.results[t.results.length - 1];
        const msg = last?.error?.message ?? last?.errors?.map((e) => e.message).join('\n') ?? t.status;
        // Playwright's messages carry terminal colours.
        throw new Error(msg.replace(/\u001b\[[0-9;]*m/g, ''));
      }
    });
  }
});
