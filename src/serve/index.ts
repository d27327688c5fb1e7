/** `disentangle serve`: the web page and a read-only JSON API over run and sweep folders. */
export { startServer, defaultPageDir, type ServeOptions, type RunningServer } from './server.js';
export { openRoots, type Root } from './paths.js';
export { readTail, type TailResult } from './tail.js';
export { scan, type RunSummary, type SweepSummary } from './folders.js';
