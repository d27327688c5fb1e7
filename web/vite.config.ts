/** Builds the web page (web/) into dist/web/, served by `disentangle serve`. */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { nodeShims } from './node-shims.js';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [nodeShims()],
  // src/engine's `./all-gradients.js` is the bundle the build writes into dist/ for Node
  // (scripts/bundle-gradients.mjs); the page resolves tfjs-core's own ESM file, as Vitest does
  resolve: {
    alias: [{ find: /^\.\/all-gradients\.js$/, replacement: '@tensorflow/tfjs-core/dist/register_all_gradients.js' }],
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2500,
    reportCompressedSize: false,
    rollupOptions: {
      // zod's sources carry /*#__PURE__*/ comments in places Rollup cannot use; it drops them, harmlessly.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
  worker: { format: 'es', plugins: () => [nodeShims()] },
  logLevel: 'warn',
});
