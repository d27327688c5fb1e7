import { test, expect } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpz } from '../../dist/data/formats/npz.js';
import { cli, serve, type Served } from './helpers.js';

let served: Served;
const tmp = mkdtempSync(join(tmpdir(), 'web-datasets-'));
test.beforeAll(async () => {
  const t0 = Date.now();
  served = await serve([tmp]);
  console.log(`serve started in ${Date.now() - t0} ms`);
});
test.afterAll(async () => served?.stop());

/** The observation grid's canvas pixels and layout, as drawn. */
async function grid(page: import('@playwright/test').Page) {
  const g = await page.evaluate(() => {
    const c = document.querySelector('#obs-grid') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    // Bytes as base64: a plain array of a million numbers is slow to hand over.
    let bin = '';
    for (let i = 0; i < d.data.length; i += 8192) bin += String.fromCharCode(...d.data.subarray(i, i + 8192));
    return {
      width: c.width,
      rgba: btoa(bin),
      indices: c.dataset.indices!.split(',').map(Number),
      cols: Number(c.dataset.cols),
      pad: Number(c.dataset.pad),
    };
  });
  return { ...g, rgba: new Uint8Array(Buffer.from(g.rgba, 'base64')) };
}

for (const [label, params, seed] of [
  ['default parameters', [] as string[], 0],
  ['spacing 4, squares of 6', ['gridSpacing=4', 'squareSize=6'], 3],
] as const) {
  test(`XYSquares (${label}) in the page equals \`data export\` pixel for pixel`, async ({ page }) => {
    const q = params.map((p) => `&p.${p}`).join('');
    await page.goto(`${served.url}#/datasets?name=xysquares&seed=${seed}&n=12${q}`);
    await expect(page.locator('#obs-grid')).toBeVisible();
    const g = await grid(page);
    const npz = join(tmp, `export-${seed}.npz`);
    const t0 = Date.now();
    await cli([
      'data',
      'export',
      'xysquares',
      ...params.flatMap((p) => ['--set', p]),
      '--num',
      '12',
      '--seed',
      String(seed),
      '--out',
      npz,
    ]);
    console.log(`data export: ${Date.now() - t0} ms`);
    const a = readNpz(npz);
    // indices are exported as int64 (exact beyond 2^31), the page keeps plain numbers
    expect(g.indices).toEqual(Array.from(a.indices.data as ArrayLike<number | bigint>, (v) => Number(v)));
    const [n, h, w, c] = a.images.shape;
    expect(c).toBe(3);
    const images = a.images.data as Uint8Array;
    let compared = 0;
    let lit = 0;
    for (let k = 0; k < n; k++) {
      const x0 = g.pad + (k % g.cols) * (w + g.pad);
      const y0 = g.pad + Math.floor(k / g.cols) * (h + g.pad);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let ch = 0; ch < 3; ch++) {
            const page = g.rgba[((y0 + y) * g.width + x0 + x) * 4 + ch];
            const cliv = images[((k * h + y) * w + x) * c + ch];
            if (page !== cliv)
              throw new Error(`observation ${k} pixel (${y}, ${x}) channel ${ch}: page ${page}, CLI ${cliv}`);
            compared++;
            if (cliv) lit++;
          }
    }
    expect(compared).toBe(n * h * w * 3);
    expect(lit).toBeGreaterThan(0);
  });
}

test('parameters are validated by the dataset schema, with messages in the page', async ({ page }) => {
  await page.goto(`${served.url}#/datasets?name=xysquares`);
  await expect(page.locator('#obs-grid')).toBeVisible();
  const before = await page.locator('#obs-grid').getAttribute('data-indices');
  await page.locator('input[name="numSquares"]').fill('5');
  const numSquares = page.locator('.field', { has: page.locator('input[name="numSquares"]') });
  await expect(numSquares.locator('.field-error')).toContainText('Too big: expected number to be <=3');
  await expect(page.locator('.msg.error')).toContainText('numSquares: Too big');
  await expect(page.locator('.stale')).toHaveCount(1);
  await page.locator('input[name="numSquares"]').fill('2');
  await page.locator('input[name="squareSize"]').fill('abc');
  await expect(page.locator('.msg.error')).toContainText('squareSize');
  await page.locator('input[name="squareSize"]').fill('4');
  await expect(page.locator('.msg.error')).toHaveCount(0);
  await expect(page.locator('#obs-grid')).toBeVisible();
  // Two squares now: the grid shows the new dataset (same indices drawn, different pictures).
  expect(await page.locator('#obs-grid').getAttribute('data-indices')).not.toBeNull();
  expect(before).not.toBeNull();
  await expect(page.getByText('x_B')).toHaveCount(0);
});

test('every catalogue dataset is listed; file-based ones say what they need', async ({ page }) => {
  await page.goto(`${served.url}#/datasets`);
  const catalogue = JSON.parse(await cli(['datasets', '--json'])) as Array<{ name: string; kind: string }>;
  for (const d of catalogue) await expect(page.locator(`.list .item[data-name="${d.name}"]`)).toHaveCount(1);
  await page.locator('.list .item[data-name="shapes3d"]').click();
  await expect(page.locator('.msg.note')).toContainText('data/');
  await expect(page.locator('.msg.note')).toContainText('--set path=');
  await page.locator('.list .item[data-name="dsprites"]').click();
  await expect(page.locator('#obs-grid')).toBeVisible();
  await expect(page.getByText('orientation').first()).toBeVisible();
});
