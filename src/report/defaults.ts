/** The main job's defaults, in a module without tensors (the CLI shows them in --help before loading anything). */
export const headlineDefaults = {
  steps: 400,
  batchSize: 32,
  traversals: 16,
  pairs: 20000,
  seed: 0,
  numTrainCodes: 2000,
};
