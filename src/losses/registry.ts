/** The base reconstruction losses by name; spec strings (`parseLoss`) compose them with blur kernels. */
import { Registry } from '../registry/index.js';
import type { BaseLossDefinition } from './base.js';

export const losses = new Registry<BaseLossDefinition>('reconstruction loss')
  .add('mse', () => import('./base.js').then((m) => m.mse))
  .add('mae', () => import('./base.js').then((m) => m.mae))
  .add('bce', () => import('./base.js').then((m) => m.bce))
  .add('bernoulli', () => import('./base.js').then((m) => m.bernoulli))
  .add('cbernoulli', () => import('./base.js').then((m) => m.cbernoulli))
  .add('normal', () => import('./base.js').then((m) => m.normal))
  .add('laplace', () => import('./base.js').then((m) => m.laplace));
