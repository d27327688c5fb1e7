/**
 * The dataset registry: one place where the CLI, configs and the web page discover datasets.
 * Parameters are validated with each dataset's zod schema; bad input becomes a UserError that lists
 * what is valid.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { UserError, listChoices } from '../util/errors.js';
import type { GroundTruthDataset } from './types.js';

export interface DatasetEntry {
  name: string;
  description: string;
  kind: 'procedural' | 'file';
  /** Parameter schema (a strict zod object with defaults). */
  schema: z.ZodObject<any>;
  create(params: Record<string, unknown>): GroundTruthDataset;
  /** For file-based datasets (not opened by the catalogue): the field's factors and shape. */
  describe?(): { factors: Array<{ name: string; size: number }>; shape: [number, number, number] };
  /** Asynchronous set-up needed before `create` (e.g. loading the HDF5 library). */
  prepare?(): Promise<void>;
}

const entries = new Map<string, DatasetEntry>();

export function registerDataset(entry: DatasetEntry): void {
  entries.set(entry.name, entry);
}

export function datasetNames(): string[] {
  return [...entries.keys()];
}

export function getDatasetEntry(name: string): DatasetEntry {
  const e = entries.get(name);
  if (!e)
    throw new UserError(
      `unknown dataset '${name}': choose ${listChoices(datasetNames())} (see \`disentangle datasets\`)`,
    );
  return e;
}

/** Turn a zod error into a message naming the parameter and what is allowed. */
export function describeSchemaError(what: string, schema: z.ZodObject<any>, err: z.ZodError): string {
  const keys = Object.keys(schema.shape);
  const msgs = err.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return `unknown parameter${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}; valid parameters: ${keys.join(', ')}`;
    }
    const path = i.path.join('.');
    return `parameter '${path}': ${i.message}`;
  });
  return `${what}: ${msgs.join('; ')}`;
}

/** Run a dataset's asynchronous set-up (if any) so that `createDataset` can open it. */
export async function prepareDataset(name: string): Promise<void> {
  await getDatasetEntry(name).prepare?.();
}

export function createDataset(name: string, params: Record<string, unknown> = {}): GroundTruthDataset {
  const entry = getDatasetEntry(name);
  const parsed = entry.schema.safeParse(params);
  if (!parsed.success) throw new UserError(describeSchemaError(`dataset '${name}'`, entry.schema, parsed.error));
  try {
    return entry.create(parsed.data);
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (e instanceof RangeError) throw new UserError(`dataset '${name}': ${e.message}`);
    throw e;
  }
}

export interface CatalogueEntry {
  name: string;
  description: string;
  kind: 'procedural' | 'file';
  factors: Array<{ name: string; size: number }>;
  shape: [number, number, number];
  params: Record<string, unknown>;
}

export function datasetCatalogue(): CatalogueEntry[] {
  return [...entries.values()].map((e) => {
    const defaults = e.schema.safeParse({});
    const params = defaults.success ? defaults.data : {};
    if (e.describe) return { name: e.name, description: e.description, kind: e.kind, ...e.describe(), params };
    const ds = e.create(params);
    return {
      name: e.name,
      description: e.description,
      kind: e.kind,
      factors: ds.factors.map((f) => ({ name: f.name, size: f.size })),
      shape: [...ds.obsShape] as [number, number, number],
      params: { ...ds.params },
    };
  });
}

/** `['gridSpacing=4', 'rgb=false']` → `{gridSpacing: 4, rgb: false}` (numbers, booleans and null parsed). */
export function parseParamAssignments(assignments: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UserError(`--set expects key=value, got '${a}'`);
    out[a.slice(0, eq).trim()] = parseScalar(a.slice(eq + 1).trim());
  }
  return out;
}

export function parseScalar(v: string): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null' || v === 'none') return null;
  if (v !== '' && Number.isFinite(Number(v))) return Number(v);
  if ((v.startsWith('{') && v.endsWith('}')) || (v.startsWith('[') && v.endsWith(']'))) {
    try {
      return JSON.parse(v);
    } catch {
      /* fall through: a plain string */
    }
  }
  return v;
}

/** Render observations (N·H·W·C float32 in [0, 1]). */
export function renderObservations(
  ds: GroundTruthDataset,
  indices: ArrayLike<number>,
  out?: Float32Array,
): Float32Array {
  const D = ds.obsShape[0] * ds.obsShape[1] * ds.obsShape[2];
  const buf = out ?? new Float32Array(indices.length * D);
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i];
    if (!(idx >= 0 && idx < ds.size))
      throw new UserError(`index ${idx} is out of range for '${ds.name}' (0 … ${ds.size - 1})`);
    ds.renderInto(idx, buf, i * D);
  }
  return buf;
}

/** A batch of observations as an NHWC tensor. */
export function batchTensor(ds: GroundTruthDataset, indices: ArrayLike<number>): tf.Tensor4D {
  return tf.tensor4d(renderObservations(ds, indices), [indices.length, ...ds.obsShape] as [
    number,
    number,
    number,
    number,
  ]);
}
