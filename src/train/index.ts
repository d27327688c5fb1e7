/** Training: run folders, the shared step, checkpoints, resume, pictures, and the encoding API. */
export { startRun, openRun, trainRun, disposeRun, type Run, type TrainOptions } from './trainer.js';
export { saveCheckpoint, loadCheckpoint, type CheckpointManifest } from './checkpoint.js';
export { writeModelPictures, reconstructionImages, traversalImages } from './pictures.js';
export { loadRun, type LoadedRun } from './encode.js';
export { afterStep, maybeEvaluate, onTrainStep, scoreModel, metricsLogName, type StepEvent } from './periodic.js';
