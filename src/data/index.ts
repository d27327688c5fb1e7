/**
 * Ground-truth data: the state space, the dataset registry, rendering into batches.
 * Importing this module registers the built-in datasets.
 */
import './catalogue.js';
import './loaders/index.js';

export type { GroundTruthDataset, FactorSpec, StateSpace as StateSpaceContract } from './types.js';
export { StateSpace } from './state-space.js';
export {
  registerDataset,
  createDataset,
  prepareDataset,
  datasetNames,
  datasetCatalogue,
  getDatasetEntry,
  parseParamAssignments,
  parseScalar,
  renderObservations,
  batchTensor,
  describeSchemaError,
  type DatasetEntry,
  type CatalogueEntry,
} from './registry.js';
export { XYSquares, XYSingleSquare, XColumns } from './procedural/xysquares.js';
export { DSprites } from './procedural/dsprites.js';
export {
  samplePairs,
  sampleBatch,
  sampleWithFixedFactor,
  sampleTriplets,
  sampleTraversal,
  batchStream,
} from './samplers.js';
export { XYObject, Pinwheel } from './procedural/xyobject.js';
export { applyPerturbation, applyUniformNoise } from '../analysis/perturbation.js';
export { TableDataset, labelsFromValues } from './loaders/table.js';
export { readNorbMatrix, dataDir } from './loaders/files.js';
