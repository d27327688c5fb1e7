/**
 * The web page's speed goals, measured in the system's Chromium (Playwright, a dev dependency):
 *  - first view drawn: milliseconds from navigation start until the opened view has drawn its first content
 *    (a cold load in a fresh browser context; goal < 2 s), for the runs view (the default) and the datasets view;
 *  - training step: the step benchmark of `bench step` (conv β-VAE, Adam) in a page worker on wasm, beside the
 *    same benchmark in this Node process on wasm (goal: browser ≤ 1.5× Node).
 */
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRoots, startServer } from '../serve/index.js';
import { benchStep, type StepBenchOptions, type StepBenchResult } from './step.js';
import { initEngine } from '../engine/index.js';
import { UserError } from '../util/errors.js';

export const webGoals = { firstViewMs: 2000, stepRatio: 1.5 } as const;

export interface WebBenchResult {
  chromium: string;
  first_view_ms: Record<string, number>;
  first_view_runs_ms: Record<string, number[]>;
  first_view_goal_ms: number;
  step: {
    batch: number;
    z: number;
    channels: number;
    steps: number;
    browser_ms: number;
    node_ms: number;
    ratio: number;
    goal_ratio: number;
  };
}

interface Browser {
  version(): string;
  newContext(): Promise<{
    newPage(): Promise<{
      goto(url: string): Promise<unknown>;
      waitForFunction(f: () => boolean, arg?: unknown, o?: { timeout: number }): Promise<unknown>;
      evaluate<T, A = undefined>(f: (a: A) => T | Promise<T>, arg?: A): Promise<T>;
    }>;
    close(): Promise<void>;
  }>;
  close(): Promise<void>;
}

/** What the page (web/src/main.ts) puts on `window.__bench` for this benchmark. */
declare global {
  interface Window {
    __bench?: {
      firstView?: number;
      step(o: StepBenchOptions): Promise<StepBenchResult & { error?: string }>;
    };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export async function benchWeb(o: StepBenchOptions & { loads: number }): Promise<WebBenchResult> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new UserError(`no Chromium at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  let chromium: { launch(o: { executablePath: string }): Promise<Browser> };
  try {
    const name = '@playwright/test';
    ({ chromium } = (await import(name)) as { chromium: typeof chromium });
  } catch {
    throw new UserError('bench web needs the dev dependencies (Playwright): run `npm ci` in the project');
  }
  const server = await startServer({
    roots: openRoots([mkdtempSync(join(tmpdir(), 'bench-web-'))]),
    port: 0,
    host: '127.0.0.1',
  });
  const browser = await chromium.launch({ executablePath });
  try {
    const first: Record<string, number[]> = { runs: [], datasets: [] };
    for (let i = 0; i < o.loads; i++)
      for (const view of Object.keys(first)) {
        const ctx = await browser.newContext();
        const page = await ctx.newPage();
        await page.goto(`${server.url}#/${view}`);
        await page.waitForFunction(() => window.__bench?.firstView !== undefined, undefined, { timeout: 60_000 });
        first[view].push(Math.round(await page.evaluate(() => window.__bench!.firstView!)));
        await ctx.close();
      }
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.__bench !== undefined, undefined, { timeout: 60_000 });
    // A function, not a string: the page's Content-Security-Policy forbids eval.
    const inPage = await page.evaluate((a) => window.__bench!.step(a), {
      batch: o.batch,
      z: o.z,
      channels: o.channels,
      steps: o.steps,
      warmup: o.warmup,
    });
    await ctx.close();
    if (inPage.error) throw new Error(`the page's step benchmark failed: ${inPage.error}`);
    await initEngine({ backend: 'wasm', quiet: true });
    const node = await benchStep(o);
    return {
      chromium: browser.version(),
      first_view_ms: Object.fromEntries(Object.entries(first).map(([k, v]) => [k, median(v)])),
      first_view_runs_ms: first,
      first_view_goal_ms: webGoals.firstViewMs,
      step: {
        batch: o.batch,
        z: o.z,
        channels: o.channels,
        steps: o.steps,
        browser_ms: inPage.ms_per_step,
        node_ms: node.ms_per_step,
        ratio: Math.round((inPage.ms_per_step / node.ms_per_step) * 100) / 100,
        goal_ratio: webGoals.stepRatio,
      },
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
