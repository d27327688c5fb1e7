/**
 * Ground-truth data: the dataset registry, the state space, samplers, and rendering into batches.
 * Datasets are loaded lazily: importing this module imports no dataset.
 */
export type { GroundTruthDataset, FactorSpec, StateSpace as StateSpaceContract } from './types.js';
export { StateSpace } from './state-space.js';
export { datasets, createDataset, datasetCatalogue, type CatalogueEntry } from './registry.js';
export { defineDataset, type DatasetDefinition, type DatasetFiles } from './define.js';
export { renderObservations, batchTensor } from './render.js';
export {
  samplePairs,
  sampleBatch,
  type PairSampling,
  sampleWithFixedFactor,
  sampleTriplets,
  sampleTraversal,
  batchStream,
  type BatchKindName,
} from './samplers.js';
export { sampleTemporalPairs, temporalStepProbabilities } from './temporal.js';
export { TableDataset, labelsFromValues, type ImageSource } from './loaders/table.js';
export { dataDir } from './loaders/common.js';
export { readNpz, writeNpz, type NdArray } from './formats/npz.js';
export {
  applyPerturbation,
  applyUniformNoise,
  perturbationField,
  savePerturbation,
  loadPerturbation,
  type Perturbation,
} from './perturbed.js';
