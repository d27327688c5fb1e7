/** Benchmarks (speed and memory goals live here, never in timed tests). */
export { benchStep, type StepBenchOptions, type StepBenchResult } from './step.js';
export {
  benchData,
  benchMetrics,
  benchAnalyze,
  benchDesignLoss,
  benchMigConventions,
  vaeLikeCodes,
  type MigConvention,
} from './suites.js';
