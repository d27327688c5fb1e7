import type { Command } from 'commander';
import { registerBackends } from './backends.js';
import { registerReport } from './report.js';
import { registerBench } from './bench.js';
import { registerAnalyze } from './analyze.js';
import { registerDesignLoss } from './design-loss.js';
import { registerData } from './data.js';
import { registerTrain } from './train.js';
import { registerMetrics } from './metrics.js';
import { registerDiagnose } from './diagnose.js';
import { registerSweep } from './sweep.js';
import { registerExperiment } from './experiment.js';
import { registerServe } from './serve.js';

/**
 * Every CLI command, in the order `--help` lists them. A command module exports one
 * `register*(program)` function; add it here.
 */
export const commandRegistrars: Array<(program: Command) => void> = [
  registerReport,
  registerData,
  registerAnalyze,
  registerDesignLoss,
  registerTrain,
  registerMetrics,
  registerDiagnose,
  registerSweep,
  registerExperiment,
  registerServe,
  registerBench,
  registerBackends,
];
