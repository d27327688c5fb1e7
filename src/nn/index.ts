/** Neural-network building blocks: layers on plain tf.Variables and the field's encoder/decoder architectures. */
export { makeModel, architectureNames, type ArchitectureName, type ModelSpec, type EncoderDecoder } from './models.js';
export {
  dense,
  conv2d,
  conv2dTranspose,
  channelNorm,
  initNames,
  type InitName,
  activate,
  sequential,
  type Layer,
  type Activation,
} from './layers.js';
export {
  latentDistribution,
  logNormal,
  latentNames,
  normalLatent,
  laplaceLatent,
  type LatentDistribution,
  type LatentName,
} from './latents.js';
