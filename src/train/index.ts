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
export { trainRun, stepSeeds, type TrainOptions, type TrainResult } from './trainer.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  saveRunCheckpoint,
  restoreRunCheckpoint,
  type CheckpointManifest,
} from './checkpoint.js';
export { writeModelPictures, reconstructionImages, traversalImages } from './pictures.js';
export { loadRun, type LoadedRun } from './encode.js';
