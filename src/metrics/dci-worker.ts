/** Worker thread for DCI (see dci-jobs.ts): takes factors from the shared queue until none is left. */
import { workerData } from 'node:worker_threads';
import { drainDciJobs, type DciJobs } from './dci-jobs.js';

drainDciJobs(workerData as DciJobs);
