#!/usr/bin/env node
/**
 * Bundles tfjs-core's gradient registrations into dist/engine/all-gradients.js (part of `npm run build`).
 *
 * Why: tfjs-core registers no gradients by itself (the @tensorflow/tfjs umbrella did, from its own bundle), and
 * its `dist/register_all_gradients.js` is ESM with extensionless relative imports, which Node's loader refuses.
 * Vite and Vitest resolve it as it is (they alias `./all-gradients.js` to it); plain Node loads this bundle. The
 * bundle carries its own copy of the ops the gradients use: they run on the one global tfjs engine and registry
 * (tfjs keeps both on the global object, and recognises tensors of any copy), as the umbrella's bundle did.
 */
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
const outfile = fileURLToPath(new URL('../dist/engine/all-gradients.js', import.meta.url));
await build({
  entryPoints: [entry],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile,
  legalComments: 'inline',
  logLevel: 'warning',
});
