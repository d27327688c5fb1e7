/**
 * The framework registry (frameworks.md): one line per framework, each importing its module on first use.
 * Each framework is a loss on the trainer's shared step.
 */
import { Registry } from '../registry/index.js';
import type { FrameworkDefinition } from './define.js';
import type { Framework, FrameworkFactoryArgs } from './types.js';

export const frameworks = new Registry<FrameworkDefinition>('framework')
  .add('ae', () => import('./ae.js').then((m) => m.ae))
  .add('vae', () => import('./vae.js').then((m) => m.vae))
  .add('betavae', () => import('./vae.js').then((m) => m.betavae))
  .add('annealedvae', () => import('./annealedvae.js').then((m) => m.annealedvae))
  .add('factorvae', () => import('./factorvae.js').then((m) => m.factorvae))
  .add('betatcvae', () => import('./betatcvae.js').then((m) => m.betatcvae))
  .add('dipvae1', () => import('./dipvae.js').then((m) => m.dipvae1))
  .add('dipvae2', () => import('./dipvae.js').then((m) => m.dipvae2))
  .add('infovae', () => import('./infovae.js').then((m) => m.infovae))
  .add('adagvae', () => import('./ada.js').then((m) => m.adagvae))
  .add('adamlvae', () => import('./ada.js').then((m) => m.adamlvae))
  .add('decomposition', () => import('./decomposition.js').then((m) => m.decomposition))
  .add('slowvae', () => import('./slowvae.js').then((m) => m.slowvae))
  .add('pcl', () => import('./pcl.js').then((m) => m.pcl));

/** Build framework `name` (its hyper-parameters in `args.params`, validated by its schema). */
export async function createFramework(name: string, args: FrameworkFactoryArgs): Promise<Framework> {
  return (await frameworks.get(name)).create(args);
}
