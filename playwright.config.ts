/**
 * Browser tests of the web page (test/web/*.spec.ts) in Debian's Chromium (`apt-get install chromium`;
 * another binary with CHROMIUM_PATH). Each spec starts its own `disentangle serve` on a free port over
 * fixture folders. Screenshots (and traces) of failed tests are kept under test-results/web/.
 * `npm test` runs these through test/web/browser.test.ts; `npx playwright test` runs them alone.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/web',
  testMatch: '*.spec.ts',
  outputDir: 'test-results/web',
  // The machine is small and the page trains models: one test at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 240_000,
  expect: { timeout: 60_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    viewport: { width: 1400, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    acceptDownloads: true,
  },
});
