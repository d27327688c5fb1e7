import { test, expect } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { cli, lastJson, serve, type Served } from './helpers.js';

let served: Served;
const tmp = mkdtempSync(join(tmpdir(), 'web-train-'));
test.beforeAll(async () => {
  served = await serve([tmp]);
});
test.afterAll(async () => served?.stop());

const records = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; loss: number });

test('a browser training lowers the loss, pauses and continues, and its run folder evaluates with the CLI', async ({
  page,
}) => {
  const steps = 24;
  await page.goto(`${served.url}#/train?dataset=xysquares&framework=betavae&steps=${steps}&batch=16&lr=0.001&z=6`);
  await page.locator('#tr-start').click();
  await expect(page.locator('#tr-state')).toHaveText('running', { timeout: 120_000 });
  // Pause: the step count stands still; continue: it goes on.
  await expect(page.locator('#tr-step .v')).toHaveText(/^([4-9]|1\d) \//, { timeout: 120_000 });
  await page.locator('#tr-pause').click();
  await expect(page.locator('#tr-state')).toHaveText('paused');
  const held = await page.locator('#tr-step .v').textContent();
  await page.waitForTimeout(2000);
  await expect(page.locator('#tr-step .v')).toHaveText(held!);
  await page.locator('#tr-pause').click();
  await expect(page.locator('#tr-state')).toHaveText('done', { timeout: 180_000 });
  await expect(page.locator('#train-pictures canvas')).toHaveCount(2);

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#tr-download').click()]);
  const zip = join(tmp, download.suggestedFilename());
  await download.saveAs(zip);
  const files = unzipSync(new Uint8Array(readFileSync(zip)));
  const folder = join(tmp, 'unzipped');
  for (const [name, bytes] of Object.entries(files)) {
    if (name.endsWith('/')) continue; // a folder entry
    mkdirSync(join(folder, name, '..'), { recursive: true });
    writeFileSync(join(folder, name), bytes);
  }
  const run = join(folder, download.suggestedFilename().replace(/\.zip$/, ''));
  for (const f of [
    'config.json',
    'train.jsonl',
    'checkpoint.json',
    `ckpt-${steps}.bin`,
    'summary.json',
    'traversals.png',
  ])
    expect(existsSync(join(run, f)), f).toBe(true);
  const log = records(readFileSync(join(run, 'train.jsonl'), 'utf8'));
  expect(log.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
  expect(log[steps - 1].loss).toBeLessThan(0.8 * log[0].loss);

  // The browser took the CLI trainer's own steps: the same config trained by the CLI logs the same losses.
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  config.train.steps = 3;
  writeFileSync(join(tmp, 'same.json'), JSON.stringify(config));
  await cli(['train', '--config', join(tmp, 'same.json'), '--backend', 'wasm', '--out', join(tmp, 'cli-run')]);
  expect(records(readFileSync(join(tmp, 'cli-run', 'train.jsonl'), 'utf8'))).toEqual(log.slice(0, 3));

  const scores = lastJson(
    await cli(['evaluate', run, '--metrics', 'mig', '--num-train', '400', '--num-test', '200', '--json']),
  );
  expect(Number.isFinite(scores.mig)).toBe(true);
  expect(JSON.parse(readFileSync(join(run, 'eval.json'), 'utf8')).step).toBe(steps);
});
