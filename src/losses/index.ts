/** Reconstruction losses by spec string (a registry of base losses, composed with blur kernels). */
export type { ReconstructionLoss } from './types.js';
export { losses } from './registry.js';
export { parseLoss, lossSpecForms, withReduction } from './parse.js';
export { defineLoss, type BaseLoss, type BaseLossDefinition } from './base.js';
export { blur, gaussianTaps, type BlurKind } from './kernels.js';
