/**
 * The page's one door to the toolkit's registries (datasets, frameworks, losses). Every call is awaited, so
 * the lazy registries of the library (where these become async) slot in here without touching the views.
 */
import type { z } from 'zod';
import {
  createDataset,
  datasetCatalogue,
  getDatasetEntry,
  type CatalogueEntry,
  type GroundTruthDataset,
} from '../../../src/data/index.js';
import { frameworkDescriptions, frameworkParamsSchema } from '../../../src/frameworks/index.js';
import { parseLoss, lossSpecForms, type ReconstructionLoss } from '../../../src/losses/index.js';
import { architectureNames } from '../../../src/nn/index.js';

export type { CatalogueEntry, GroundTruthDataset, ReconstructionLoss };

export async function datasets(): Promise<CatalogueEntry[]> {
  return await datasetCatalogue();
}

export async function datasetSchema(name: string): Promise<z.ZodObject<any>> {
  return (await getDatasetEntry(name)).schema;
}

/** Validated by the dataset's schema; a bad parameter throws the CLI's UserError message. */
export async function makeDataset(name: string, params: Record<string, unknown>): Promise<GroundTruthDataset> {
  return await createDataset(name, params);
}

export async function frameworks(): Promise<Array<{ name: string; description: string }>> {
  return (await frameworkDescriptions()).map((f) => ({ name: f.name, description: f.description }));
}

export async function frameworkSchema(name: string): Promise<z.ZodObject<any>> {
  return await frameworkParamsSchema(name);
}

export async function loss(spec: string): Promise<ReconstructionLoss> {
  return await parseLoss(spec);
}

export const lossForms: readonly string[] = lossSpecForms;
export const architectures: readonly string[] = architectureNames;
