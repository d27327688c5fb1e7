/**
 * Every gradient of tfjs-core, registered once (tfjs-core alone registers none; the tfjs umbrella package did).
 * They ship only as ES-module files with extensionless imports, so under plain Node (the built CLI and library)
 * a resolution hook (./tfjs-esm-resolve.ts) is installed first; under a bundler or vitest (.ts sources) the
 * bundler resolves them itself.
 */
import { register } from 'node:module';

if (import.meta.url.endsWith('.js')) register('./tfjs-esm-resolve.js', import.meta.url);
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
