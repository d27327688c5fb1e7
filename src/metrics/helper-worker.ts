/**
 * A helper thread (threads.ts): loads the module of its kind, and only that one, counts itself loaded, then
 * handles the messages the calling thread posts. Its failures reach the calling thread through the shared
 * memory of its work (a job marked failed, a team aborted) or as a helper that never loaded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { HelperFactory, HelperKind, HelperStart } from './threads.js';

const kinds: Record<HelperKind, () => Promise<HelperFactory<never, never>>> = {
  explicitness: async () => (await import('./explicitness.js')).explicitnessHelper,
  dci: async () => (await import('./dci-team.js')).dciHelper,
  infomec: async () => (await import('./infomec.js')).infomecHelper,
  dci_es: async () => (await import('./dci-es.js')).dciEsHelper,
};

const { kind, init, loaded } = workerData as HelperStart;
const factory = await kinds[kind]();
Atomics.add(loaded, 0, 1); // before its start-up work: "loaded" means its code runs
// the calling thread posts this kind's messages only
parentPort!.on('message', factory(init as never) as (message: unknown) => void);
