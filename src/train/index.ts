/** Training: run folders, the shared step, checkpoints, resume, pictures, and trained runs as functions. */
export { assemble, disposeRun, trainableVariables, type Run } from './assemble.js';
export {
  startRun,
  openRun,
  closeRun,
  readRunConfig,
  isRunDir,
  checkRunFolder,
  checkNewRunFolder,
  isFinished,
  checkpointStep,
  trimLog,
  RunFinished,
  type OpenRun,
  type OpenOptions,
} from './run-folder.js';
export { trainRun, trainStep, stepSeeds, type TrainOptions, type TrainResult, type StepOutput } from './trainer.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  saveRunCheckpoint,
  restoreRunCheckpoint,
  runCheckpointTensors,
  encodeCheckpoint,
  type CheckpointManifest,
} from './checkpoint.js';
export { writeModelPictures, reconstructionImages, traversalImages } from './pictures.js';
export { loadRun, representationOf, type LoadedRun } from './encode.js';
export { afterStep, maybeEvaluate, onTrainStep, metricsLogName, type StepEvent } from './periodic.js';
