/**
 * The page's one door to the toolkit's registries (datasets, frameworks, losses): the same lazy registries the
 * CLI and configs use, so the page lists what exists and validates with the same schemas and messages.
 */
import type { z } from 'zod';
import {
  createDataset,
  datasetCatalogue,
  datasets as datasetRegistry,
  type CatalogueEntry,
  type GroundTruthDataset,
} from '../../../src/data/index.js';
import { frameworks as frameworkRegistry } from '../../../src/frameworks/index.js';
import { parseLoss, lossSpecForms, type ReconstructionLoss } from '../../../src/losses/index.js';
import { architectureNames } from '../../../src/nn/index.js';

export type { CatalogueEntry, GroundTruthDataset, ReconstructionLoss };

export async function datasets(): Promise<CatalogueEntry[]> {
  return await datasetCatalogue();
}

export async function datasetSchema(name: string): Promise<z.ZodObject> {
  return (await datasetRegistry.get(name)).schema;
}

/** Validated by the dataset's schema; a bad parameter throws the CLI's UserError message. */
export async function makeDataset(name: string, params: Record<string, unknown>): Promise<GroundTruthDataset> {
  return await createDataset(name, params);
}

export async function frameworks(): Promise<Array<{ name: string; description: string }>> {
  return (await frameworkRegistry.all()).map((f) => ({ name: f.name, description: f.description }));
}

export async function frameworkSchema(name: string): Promise<z.ZodObject> {
  return (await frameworkRegistry.get(name)).schema;
}

export async function loss(spec: string): Promise<ReconstructionLoss> {
  return await parseLoss(spec);
}

export const lossForms: readonly string[] = lossSpecForms;
export const architectures: readonly string[] = architectureNames;
