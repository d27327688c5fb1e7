import { test, expect } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, lastJson, serve, type Served } from './helpers.js';

let served: Served;
test.beforeAll(async () => {
  served = await serve([mkdtempSync(join(tmpdir(), 'web-distances-'))]);
});
test.afterAll(async () => served?.stop());

/** The JSON the page shows its results from (the same object as `analyze --json`, less the timing). */
async function pageSummary(page: import('@playwright/test').Page, loss: string) {
  const result = page.locator('#pd-result');
  await expect(result).toHaveAttribute('data-json', new RegExp(`"loss":"${loss.replace(/[+]/g, '\\+')}"`), {
    timeout: 180_000,
  });
  return JSON.parse((await result.getAttribute('data-json'))!);
}

test("the page's perceived distances equal `analyze --json` for the same settings", async ({ page }) => {
  const settings = { traversals: 8, pairs: 3000, randomPairs: 400, seed: 5 };
  const loss = 'mse+box3@49';
  await page.goto(
    `${served.url}#/distances?dataset=xysquares&p.gridSpacing=4&loss=${encodeURIComponent(loss)}` +
      `&traversals=${settings.traversals}&pairs=${settings.pairs}&randomPairs=${settings.randomPairs}&seed=${settings.seed}`,
  );
  const fromPage = await pageSummary(page, loss);
  const { seconds, ...fromCli } = lastJson(
    await cli([
      'analyze',
      'xysquares',
      '--set',
      'gridSpacing=4',
      '--loss',
      loss,
      '--traversals',
      String(settings.traversals),
      '--pairs',
      String(settings.pairs),
      '--random-pairs',
      String(settings.randomPairs),
      '--seed',
      String(settings.seed),
      '--backend',
      'wasm',
      '--json',
    ]),
  );
  expect(seconds).toBeGreaterThan(0);
  expect(fromPage).toEqual(fromCli);
  expect(fromPage.factors).toHaveLength(6);
  // The table shows the same numbers.
  const row = page.locator('#pd-table tr[data-factor="x_R"] td');
  await expect(row.nth(2)).toHaveText(fromCli.factors[0].mean.toFixed(4));
  await expect(row.nth(4)).toHaveText(fromCli.factors[0].rankCorrelation.toFixed(3));
  await expect(row.nth(6)).toHaveText(fromCli.factors[0].verdict);
  // Every factor has a perceived matrix beside its ground truth.
  await expect(page.locator('.pair')).toHaveCount(6);
  await expect(page.locator('.pair').first().locator('canvas.heat')).toHaveCount(2);
});

test('changing the spacing or the blur radius recomputes the matrices', async ({ page }) => {
  await page.goto(`${served.url}#/distances?dataset=xysquares&loss=mse&traversals=4&pairs=500&randomPairs=100`);
  const mse = await pageSummary(page, 'mse');
  // Spacing 8 under MSE: every factor adversarial (constant distances, Michlo et al.).
  expect(mse.factors.every((f: { verdict: string }) => f.verdict === 'adversarial')).toBe(true);
  await page.locator('#pd-kernel').selectOption('box');
  await page.locator('#pd-radius').fill('31');
  await expect(page.locator('#pd-loss')).toHaveValue('mse+box31@3969');
  const box = await pageSummary(page, 'mse+box31@3969');
  expect(box.factors.every((f: { verdict: string }) => f.verdict !== 'adversarial')).toBe(true);
  await page.locator('input[name="gridSpacing"]').fill('2');
  await expect(page.locator('#pd-result')).toHaveAttribute('data-json', /"gridSpacing":2/, { timeout: 180_000 });
  const spaced = JSON.parse((await page.locator('#pd-result').getAttribute('data-json'))!);
  expect(spaced.factors[0].size).toBe(29);
  await page.locator('#pd-loss').fill('nonsense');
  await expect(page.locator('.msg.error')).toContainText("unknown reconstruction loss 'nonsense': valid forms are");
});
