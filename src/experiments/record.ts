/** experiment.json, the record of an experiment folder: read by run, report, export and the prediction step. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import type { ScaleName } from './schema.js';

/** What experiment.json records: the experiment file as it was, and the scale. */
export interface ExperimentRecord {
  format: 'disentangle-experiment-1';
  experiment: string;
  scale: ScaleName;
  file: string;
  spec: unknown;
  created: string;
}

/** The experiment.json of folder `dir`: a clear error when there is none, or it is damaged. */
export function readExperimentRecord(dir: string): ExperimentRecord {
  const path = join(dir, 'experiment.json');
  if (!existsSync(path)) throw new UserError(`${dir} is not an experiment folder (no experiment.json)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UserError(`${path} is damaged (not JSON): move the folder away, or repair the file`);
  }
}
