/** Training: run folders, the shared step, checkpoints, resume, pictures, and the encoding API. */
export { startRun, openRun, trainRun, trainStep, disposeRun, type Run, type TrainOptions } from './trainer.js';
export { saveCheckpoint, loadCheckpoint, encodeCheckpoint, type CheckpointManifest } from './checkpoint.js';
export { writeModelPictures, reconstructionImages, traversalImages } from './pictures.js';
export { loadRun, type LoadedRun } from './encode.js';
