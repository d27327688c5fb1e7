/**
 * The shipped experiments: one YAML file each under `experiments/` at the toolkit's root, discovered here
 * (each file read and validated on first use). `disentangle experiment list` and the CLI's other experiment
 * commands list them from this registry; a file of your own runs with `--file`.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry, parseParams, type Definition } from '../registry/index.js';
import { readDataFile } from '../sweep/index.js';
import { experimentSchema, type ExperimentFile } from './schema.js';
import { checkExperimentReferences } from './check.js';

export interface ExperimentDefinition extends Definition {
  /** The YAML file it was read from; relative paths in it (configs) are resolved from its folder. */
  file: string;
  spec: ExperimentFile;
}

/** `experiments/` beside `dist/` (or `src/`) in the toolkit's root. */
export const experimentsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'experiments');

/** Read and validate an experiment file. */
export function readExperiment(file: string): ExperimentDefinition {
  const spec = parseParams(`experiment ${file}`, experimentSchema, readDataFile(file, 'experiment file'));
  checkExperimentReferences(file, spec);
  return { name: basename(file).replace(/\.ya?ml$/, ''), description: spec.title, file, spec };
}

function listFiles(): string[] {
  try {
    return readdirSync(experimentsDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch {
    return [];
  }
}

export const experiments = new Registry<ExperimentDefinition>('experiment', ' (see `disentangle experiment list`)');
for (const f of listFiles())
  experiments.add(f.replace(/\.ya?ml$/, ''), async () => readExperiment(join(experimentsDir, f)));
