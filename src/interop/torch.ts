/**
 * Runs to and from PyTorch state dicts in safetensors (disent's module names; layouts in torch-layout.ts).
 * Export reads a run folder and writes one file; import checks a state dict against a config's model in full
 * before it writes anything, then makes a run folder at step 0 (no optimiser state: fine-tuning starts a fresh
 * Adam) that every command taking a run folder accepts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { validateConfig, type RunConfig } from '../config/index.js';
import { assemble, disposeRun, loadRun, runCheckpointTensors, saveCheckpoint } from '../train/index.js';
import { checkNewRunFolder } from '../train/folder-checks.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { encodeSafetensors, readSafetensors, type NamedTensor } from './safetensors.js';
import { exportTorchTensors, fromTorch, torchLayout } from './torch-layout.js';

/** The run's weights as safetensors bytes: disent's state dict, the run's config and step in `__metadata__`. */
export async function runToSafetensors(dir: string): Promise<{ bytes: Uint8Array; keys: number; step: number }> {
  const loaded = await loadRun(dir);
  try {
    const { run } = loaded;
    const tensors = exportTorchTensors(run.model);
    const metadata = {
      format: 'pt',
      source: 'disentangle',
      architecture: run.config.model.architecture,
      step: String(run.step),
      config: JSON.stringify(run.config),
    };
    return { bytes: encodeSafetensors(tensors, metadata), keys: tensors.length, step: run.step };
  } finally {
    loaded.dispose();
  }
}

/** Write `dir`'s weights to `to` (.safetensors), atomically. */
export async function exportSafetensors(dir: string, to: string): Promise<{ keys: number; step: number }> {
  const { bytes, keys, step } = await runToSafetensors(dir);
  writeFileAtomic(to, bytes);
  return { keys, step };
}

/** "a, b, c and 4 more" */
function listSome(names: string[], max = 6): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Check a state dict against the expected entries: every key present, no others, each shape equal. */
export function checkStateDict(
  file: string,
  tensors: NamedTensor[],
  expected: Array<{ key: string; torchShape: number[] }>,
  what: string,
): void {
  const have = new Map(tensors.map((t) => [t.name, t]));
  const want = new Set(expected.map((e) => e.key));
  const missing = expected.filter((e) => !have.has(e.key)).map((e) => e.key);
  const extra = tensors.filter((t) => !want.has(t.name)).map((t) => t.name);
  if (missing.length || extra.length)
    throw new UserError(
      `${file} does not match ${what}: ` +
        [
          missing.length ? `missing keys ${listSome(missing)}` : '',
          extra.length ? `unexpected keys ${listSome(extra)}` : '',
        ]
          .filter(Boolean)
          .join('; ') +
        " (the keys of disent's AutoEncoder(EncoderConv64(z_multiplier=2), DecoderConv64) are expected; check the config's model and framework)",
    );
  for (const e of expected) {
    const t = have.get(e.key)!;
    if (t.shape.join() !== e.torchShape.join())
      throw new UserError(
        `${file}: '${e.key}' has shape [${t.shape.join(', ')}], ${what} needs [${e.torchShape.join(', ')}] ` +
          "(check the config's model.z, the dataset's image size and channels, and the framework)",
      );
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new UserError(`${file}: '${e.key}' holds ${t.data[bad]}: the weights must be finite`);
  }
}

async function readConfigFile(path: string): Promise<RunConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new UserError(
      `cannot read --config ${path}: ${{ ENOENT: 'no such file', EISDIR: 'it is a folder' }[code] ?? (e as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UserError(`--config ${path} is not valid JSON`);
  }
  return validateConfig(raw);
}

export interface ImportResult {
  dir: string;
  keys: number;
  architecture: string;
  z: number;
}

/**
 * Make run folder `out` from state dict `file` and config `configPath` (a run config, as `train --config`
 * takes). Everything is checked first; the folder is built under a temporary name beside `out` and renamed
 * into place, so a refusal or a kill leaves nothing behind.
 */
export async function importSafetensors(file: string, configPath: string, out: string): Promise<ImportResult> {
  const config = await readConfigFile(configPath);
  checkNewRunFolder(out);
  const st = readSafetensors(file);
  const run = await assemble(out, config);
  let tmp: string | null = null;
  try {
    const layout = torchLayout(run.model);
    const what = `the model of ${configPath} (${config.model.architecture}, z = ${config.model.z}, ${run.dataset.obsShape.join('×')} images, framework ${config.framework.name})`;
    checkStateDict(file, st.tensors, layout, what);
    const byName = new Map(st.tensors.map((t) => [t.name, t]));
    for (const e of layout) e.variable.assign(tf.tensor(fromTorch(e, byName.get(e.key)!.data), e.variable.shape));
    const tensors = await runCheckpointTensors(run);
    const parent = dirname(resolve(out));
    mkdirSync(parent, { recursive: true });
    tmp = join(parent, `.${basename(out)}.import-${process.pid}-${Date.now()}.tmp`);
    mkdirSync(tmp);
    writeFileAtomic(join(tmp, 'config.json'), JSON.stringify(config, null, 2));
    writeFileAtomic(join(tmp, 'train.jsonl'), '');
    saveCheckpoint(tmp, 0, NaN, tensors);
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    writeFileAtomic(
      join(tmp, 'imported.json'),
      JSON.stringify({ from: resolve(file), sha256, keys: layout.length, metadata: st.metadata }, null, 2),
    );
    // an empty folder at `out` (checkNewRunFolder allowed it) is replaced; anything else was refused above
    if (existsSync(out) && readdirSync(out).length === 0) rmdirSync(out);
    renameSync(tmp, out);
    tmp = null;
    return { dir: out, keys: layout.length, architecture: config.model.architecture, z: config.model.z };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    disposeRun(run);
  }
}
