/** Reconstruction losses by spec string (a registry of base losses, composed with kernel families). */
export type { ReconstructionLoss } from './types.js';
export { losses, kernels } from './registry.js';
export { parseLoss, parseKernel, lossSpecForms, withReduction } from './parse.js';
export { defineLoss, type BaseLoss, type BaseLossDefinition } from './base.js';
export {
  applyKernel,
  blur,
  boxTaps,
  denseKernel,
  filterImage,
  gaussianTaps,
  separableBands,
  type BlurKind,
  type LinearKernel,
  type SeparableTerm,
} from './filter.js';
export { defineKernel, formatNumber, type KernelDefinition, type KernelInstance } from './kernels/define.js';
