/** An experiment's sweep results, read from its folder. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSweep, sweepStatus } from '../sweep/index.js';
import { collectResults } from '../sweep/results.js';
import type { SweepResults } from './claims.js';

/** Read the results of a sweep step (null before it has a sweep folder). */
export async function sweepResults(out: string, name: string): Promise<SweepResults | undefined> {
  const dir = join(out, name);
  if (!existsSync(join(dir, 'sweep.json'))) return undefined;
  const sweep = readSweep(dir);
  const status = await sweepStatus(dir, sweep);
  return { sweep, rows: collectResults(dir, sweep, status) };
}
