import { defineConfig } from 'vitest/config';

export default defineConfig({
  // src/engine's `./all-gradients.js` is a bundle the build writes into dist/ for Node (scripts/bundle-gradients.mjs);
  // tests run the sources, where Vite resolves tfjs-core's own ESM file directly.
  resolve: {
    alias: [{ find: /^\.\/all-gradients\.js$/, replacement: '@tensorflow/tfjs-core/dist/register_all_gradients.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs keeps one global engine per process: isolate files in forks.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test/plain-summary-reporter.ts'],
  },
});
