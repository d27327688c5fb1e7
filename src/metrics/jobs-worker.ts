/** Worker thread for parallel.ts: runs open jobs of its queue's kind until none is left. */
import { workerData } from 'node:worker_threads';
import { drainJobs, type JobFn, type JobQueue } from './parallel.js';
import { explicitnessJob } from './explicitness.js';

const kinds: Record<string, JobFn<never>> = { explicitness: explicitnessJob };
const q = workerData as JobQueue<never>;
drainJobs(kinds[q.kind], q);
