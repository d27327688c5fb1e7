/** The main job's defaults, in a module without tensors (the CLI shows them in --help before loading anything). */
import type { OutputFolder } from '../util/out-dir.js';

export const headlineDefaults = {
  steps: 400,
  batchSize: 32,
  traversals: 16,
  pairs: 20000,
  seed: 0,
  numTrainCodes: 2000,
};

/** What the main job writes into its --out folder (an earlier report, marked by report.json, is replaced). */
export const reportOutput: OutputFolder = {
  command: 'report',
  names: ['report.html', 'report.json', 'betavae-spacing8', 'betavae-spacing1'],
  marker: 'report.json',
};
