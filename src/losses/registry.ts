/** The base reconstruction losses and the augment's kernel families by name; spec strings (`parseLoss`) compose them. */
import { Registry } from '../registry/index.js';
import type { BaseLossDefinition } from './base.js';
import type { KernelDefinition } from './kernels/define.js';

export const losses = new Registry<BaseLossDefinition>('reconstruction loss')
  .add('mse', () => import('./base.js').then((m) => m.mse))
  .add('mae', () => import('./base.js').then((m) => m.mae))
  .add('bce', () => import('./base.js').then((m) => m.bce))
  .add('bernoulli', () => import('./base.js').then((m) => m.bernoulli))
  .add('cbernoulli', () => import('./base.js').then((m) => m.cbernoulli))
  .add('normal', () => import('./base.js').then((m) => m.normal))
  .add('laplace', () => import('./base.js').then((m) => m.laplace));

/** Kernel families of the augment term `<base>+<kernel>@<weight>`, one file each in kernels/. */
export const kernels = new Registry<KernelDefinition>('loss kernel family')
  .add('box', () => import('./kernels/box.js').then((m) => m.box))
  .add('gauss', () => import('./kernels/gauss.js').then((m) => m.gauss))
  .add('pyr', () => import('./kernels/pyramid.js').then((m) => m.pyr))
  .add('dog', () => import('./kernels/dog.js').then((m) => m.dog))
  .add('sep', () => import('./kernels/sep.js').then((m) => m.sep));
