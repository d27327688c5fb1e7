/** The main job's defaults, in a module without tensors (the CLI shows them in --help before loading anything). */
import type { OutputFolder } from '../util/out-dir.js';

export const headlineDefaults = {
  // 350 steps: the spacing-1 run leaves the collapse plateau at ≈ 200 steps (seed 0) and scores MIG 0.46 /
  // DCI 0.84 by 350, against 0.04 / 0.07 at spacing 8; both runs take ≈ 9 min on wasm (≈ 0.75 s a step).
  steps: 350,
  batchSize: 64,
  traversals: 16,
  pairs: 20000,
  seed: 0,
  numTrainCodes: 2000,
};

/**
 * The main job's two training runs: the Michlo paper's Ada-GVAE settings (MSE, disent's mean reduction with
 * β = 0.001, z = 9, Adam lr 1e-3, batch 64) on the one-square XYSquares (XYSingleSquare, grid 8 × 8): the same
 * construction — at spacing 8 every step along x or y has the same perceived distance — that leaves the
 * posterior-collapse plateau within a hundred steps at spacing 1. On the three-square XYSquares these settings
 * stay collapsed for thousands of steps on a CPU (results/michlo2023-spacing), too long for a ten-minute job.
 */
export const headlineTraining = {
  dataset: 'xysinglesquare',
  framework: { name: 'adagvae', beta: 0.001 },
  model: { architecture: 'conv64', z: 9 },
  loss: 'mse',
  lossReduction: 'mean',
  optimizer: { lr: 1e-3 },
} as const;

/** What the main job writes into its --out folder (an earlier report, marked by report.json, is replaced). */
export const reportOutput: OutputFolder = {
  command: 'report',
  names: ['report.html', 'report.json', 'adagvae-spacing8', 'adagvae-spacing1', 'betavae-spacing8', 'betavae-spacing1'],
  marker: 'report.json',
};
