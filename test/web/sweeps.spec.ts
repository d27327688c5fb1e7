import { test, expect } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type Served } from './helpers.js';
import { SWEEP_BETAS, SWEEP_SEEDS, SWEEP_SPACINGS, writeSweep } from './fixtures.js';

let served: Served;
const out = join(mkdtempSync(join(tmpdir(), 'web-sweeps-')), 'out');
test.beforeAll(async () => {
  writeSweep(join(out, 'spacing'));
  served = await serve([out]);
});
test.afterAll(async () => served?.stop());

test('a sweep folder renders its plot: every seed a point, grouped, filtered, each point opens its run', async ({
  page,
}) => {
  await page.goto(`${served.url}#/sweeps`);
  const points = page.locator('#sweep-chart circle.pt');
  const all = SWEEP_SPACINGS.length * SWEEP_BETAS.length * SWEEP_SEEDS.length;
  // One run failed (no metric): every other run is a point.
  await expect(points).toHaveCount(all - 1);
  await expect(page.locator('#sweep-x')).toHaveValue('dataset.gridSpacing');
  await expect(page.locator('#sweep-y')).toHaveValue('mig');
  await expect(page.locator('#sweep-group')).toHaveValue('framework.beta');
  await expect(page.locator('#sweep-chart .legend .item')).toHaveCount(SWEEP_BETAS.length);
  await expect(page.locator('#sweep-table tbody tr')).toHaveCount(SWEEP_SPACINGS.length * SWEEP_BETAS.length);
  await page.locator('input[data-filter="framework.beta=4"]').uncheck();
  await expect(points).toHaveCount(SWEEP_SPACINGS.length * SWEEP_SEEDS.length);
  await page.locator('#sweep-y').selectOption('mig_max');
  await expect(page.locator('#sweep-chart')).toContainText('mig_max');
  await points.first().dispatchEvent('click');
  await expect(page).toHaveURL(/#\/runs\?id=out%2Fspacing%2Fruns%2FgridSpacing%3D1%2Cbeta%3D1%2Cseed%3D\d/);
  await expect(page.locator('#run-header')).toContainText('gridSpacing=1,beta=1');
});
