/**
 * How a dataset is declared: `defineDataset({ name, description, schema, create })`, where `create` receives
 * the parameters as parsed by the dataset's zod schema. The definition validates at the door (a UserError
 * naming the bad key) and turns a RangeError from the constructor into one.
 */
import type { z } from 'zod';
import { parseParams, type Definition } from '../registry/index.js';
import { UserError } from '../util/errors.js';
import type { FactorSpec, GroundTruthDataset } from './types.js';

/** What a file-based dataset holds, known without opening its files. */
export interface DatasetFiles {
  /** The field's factors, or null where they come from the file (your own data). */
  factors: FactorSpec[] | null;
  /** [H, W, C], or null where it comes from the file. */
  shape: [number, number, number] | null;
  /** What to put where, for listings and error messages. */
  needs: string;
}

export interface DatasetDefinition extends Definition {
  readonly kind: 'procedural' | 'file';
  /** The parameters (a strict zod object with defaults): the CLI's `--set`, configs and the web page's controls. */
  readonly schema: z.ZodObject;
  /** File-based datasets only. */
  readonly files?: DatasetFiles;
  /** Validate `params` and build the dataset. */
  create(params?: unknown): Promise<GroundTruthDataset>;
}

export function defineDataset<S extends z.ZodObject>(d: {
  name: string;
  description: string;
  schema: S;
  files?: DatasetFiles;
  create: (params: z.output<S>) => GroundTruthDataset | Promise<GroundTruthDataset>;
}): DatasetDefinition {
  const what = `dataset '${d.name}'`;
  return {
    name: d.name,
    description: d.description,
    kind: d.files ? 'file' : 'procedural',
    schema: d.schema,
    files: d.files,
    async create(params) {
      const p = parseParams(what, d.schema, params);
      try {
        return await d.create(p);
      } catch (e) {
        if (e instanceof RangeError) throw new UserError(`${what}: ${e.message}`);
        throw e;
      }
    },
  };
}
