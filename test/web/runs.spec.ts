import { test, expect } from '@playwright/test';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type Served } from './helpers.js';
import { logLine, writeRun } from './fixtures.js';

let served: Served;
const out = join(mkdtempSync(join(tmpdir(), 'web-runs-')), 'out');
test.beforeAll(async () => {
  writeRun(join(out, 'live'), { steps: 200, logged: 50 });
  writeRun(join(out, 'finished'), { steps: 200, eval: true, gridSpacing: 2 });
  served = await serve([out]);
});
test.afterAll(async () => served?.stop());

/** Number of points on the curve of the first series. */
async function curvePoints(page: import('@playwright/test').Page): Promise<number> {
  const d = await page.locator('#curves svg path').first().getAttribute('d');
  return (d ?? '').split(/[ML]/).filter(Boolean).length;
}

test('a served run shows its curve and updates when lines are appended', async ({ page }) => {
  await page.goto(`${served.url}#/runs?id=out/live`);
  await expect(page.locator('#run-header')).toContainText('50 / 200');
  await expect.poll(() => curvePoints(page)).toBe(5);
  const log = join(out, 'live', 'train.jsonl');
  // A half-written line is not drawn until its newline arrives.
  const next = logLine(60);
  appendFileSync(log, next.slice(0, 20));
  await page.waitForTimeout(2500);
  expect(await curvePoints(page)).toBe(5);
  appendFileSync(log, next.slice(20) + logLine(70) + '{"step": 80, "loss": truncated\n' + logLine(90));
  await expect(page.locator('#run-header')).toContainText('90 / 200');
  await expect.poll(() => curvePoints(page)).toBe(8);
  await expect(page.locator('#curves .msg.note')).toContainText('is not valid JSON');
});

test('runs overlay, and a finished run shows its metrics and matrices', async ({ page }) => {
  await page.goto(`${served.url}#/runs?id=out/finished`);
  await expect(page.locator('#eval-table')).toContainText('mig');
  // the 2023 metrics' keys (InfoMEC, DCI-ES) are shown as any other key of eval.json
  for (const key of ['infom', 'infoe', 'infoc', 'dci_es_explicitness', 'dci_es_size'])
    await expect(page.locator('#eval-table')).toContainText(key);
  await expect(page.locator('#run-metrics svg')).toHaveCount(1);
  await expect(page.locator('figure.heatmap')).toContainText('mutual information');
  await page.locator('.list .item[data-id="out/live"] input[type="checkbox"]').check();
  await expect(page.locator('#curves .legend .item')).toHaveCount(2);
  await page.locator('#curve-metric').selectOption('kl');
  await expect(page.locator('#curves svg text.label').last()).toContainText('kl');
});
