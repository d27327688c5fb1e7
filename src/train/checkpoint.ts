/**
 * Checkpoints: `checkpoint.json` (a manifest: step, tensor names and shapes — no RNG state, because every draw
 * is a function of (seed, step)) beside one binary file `ckpt-<step>.bin` of float32 values in manifest order.
 * Both are written atomically, the binary first; the manifest names the binary, so a kill at any moment leaves
 * the previous checkpoint readable. Older binaries are removed after the new manifest lands.
 *
 * A run's checkpoint holds its trained variables, the framework's own state (FactorVAE's discriminator) and
 * every optimiser's slots, including Adam's running powers β₁ᵗ, β₂ᵗ exactly as they were (tfjs recomputes them
 * as pow(β, t) on restore, which differs from the running product in the last bits), so that a resumed run
 * equals an uninterrupted one bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';
import { trainableVariables, type Run } from './assemble.js';

export interface CheckpointTensor {
  name: string;
  shape: number[];
}

export interface CheckpointManifest {
  format: 'disentangle-checkpoint-1';
  step: number;
  file: string;
  tensors: CheckpointTensor[];
  /** Last logged loss, for the record. */
  loss: number;
}

export type NamedData = { name: string; shape: number[]; data: Float32Array };

/** A checkpoint as bytes (no files): the manifest and its binary, e.g. for the web page's downloaded run. */
export function encodeCheckpoint(
  step: number,
  loss: number,
  tensors: NamedData[],
): { manifest: CheckpointManifest; file: string; bin: Uint8Array } {
  const total = tensors.reduce((a, t) => a + t.data.length, 0);
  const buf = new Float32Array(total);
  let off = 0;
  for (const t of tensors) {
    buf.set(t.data, off);
    off += t.data.length;
  }
  const file = `ckpt-${step}.bin`;
  const manifest: CheckpointManifest = {
    format: 'disentangle-checkpoint-1',
    step,
    file,
    loss,
    tensors: tensors.map(({ name, shape }) => ({ name, shape })),
  };
  return { manifest, file, bin: new Uint8Array(buf.buffer) };
}

export function saveCheckpoint(dir: string, step: number, loss: number, tensors: NamedData[]): void {
  const { manifest, file, bin } = encodeCheckpoint(step, loss, tensors);
  writeFileAtomic(join(dir, file), bin);
  writeFileAtomic(join(dir, 'checkpoint.json'), JSON.stringify(manifest, null, 1));
  for (const f of readdirSync(dir)) if (/^ckpt-\d+\.bin$/.test(f) && f !== file) rmSync(join(dir, f), { force: true });
}

export function loadCheckpoint(dir: string): { manifest: CheckpointManifest; tensors: Float32Array[] } | null {
  const mpath = join(dir, 'checkpoint.json');
  if (!existsSync(mpath)) return null;
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(readFileSync(mpath, 'utf8'));
  } catch {
    throw new UserError(`${mpath} is corrupt (not JSON)`);
  }
  if (manifest?.format !== 'disentangle-checkpoint-1')
    throw new UserError(`${mpath}: unknown checkpoint format '${manifest?.format}'`);
  const wellFormed =
    Number.isInteger(manifest.step) &&
    manifest.step >= 0 &&
    typeof manifest.file === 'string' &&
    /^ckpt-\d+\.bin$/.test(manifest.file) &&
    Array.isArray(manifest.tensors) &&
    manifest.tensors.every(
      (t) =>
        typeof t?.name === 'string' &&
        Array.isArray(t.shape) &&
        t.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0),
    );
  if (!wellFormed) throw new UserError(`${mpath} is corrupt (its step, file or tensor list is missing or malformed)`);
  const binPath = join(dir, String(manifest.file));
  if (!existsSync(binPath))
    throw new UserError(
      `${binPath} is missing (${mpath} names it): the checkpoint cannot be read. ` +
        `Restore the file, or start the run again in a new folder`,
    );
  const bin = readFileSync(binPath);
  const sizes = manifest.tensors.map((t) => t.shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (bin.length !== total * 4)
    throw new UserError(`${binPath} is truncated: ${bin.length} bytes, expected ${total * 4}`);
  const all = new Float32Array(new Uint8Array(bin).buffer);
  const bad = all.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    let t = 0;
    for (let off = sizes[0]; off <= bad; off += sizes[++t]);
    throw new UserError(
      `${binPath} holds ${all[bad]} in '${manifest.tensors[t].name}': the checkpoint is corrupt (training ` +
        'never writes non-finite weights); restore the file, or start the run again in a new folder',
    );
  }
  const tensors: Float32Array[] = [];
  let off = 0;
  for (const s of sizes) {
    tensors.push(all.slice(off, off + s));
    off += s;
  }
  return { manifest, tensors };
}

/** tfjs keeps Adam's running powers private; they are plain variables, read and written here. */
interface AdamPowers {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

function isAdam(opt: tf.Optimizer): opt is tf.AdamOptimizer {
  return opt instanceof tf.AdamOptimizer;
}

/** Every variable a checkpoint holds, in a fixed order: trained ones, then framework-owned state. */
function savedVariables(run: Run): tf.Variable[] {
  return [...trainableVariables(run), ...(run.framework.stateVariables?.() ?? [])];
}

function runOptimizers(run: Run): tf.Optimizer[] {
  return [run.optimizer, ...(run.framework.stateOptimizers?.() ?? [])];
}

async function optimizerTensors(opt: tf.Optimizer, k: number): Promise<NamedData[]> {
  const out = (await opt.getWeights()).map((w, i) => ({
    name: `opt${k}.${i}:${w.name}`,
    shape: w.tensor.shape,
    data: w.tensor.dataSync() as Float32Array,
  }));
  if (isAdam(opt)) {
    const p = opt as unknown as AdamPowers;
    for (const key of ['accBeta1', 'accBeta2'] as const)
      out.push({ name: `opt${k}:${key}`, shape: [], data: p[key].dataSync() as Float32Array });
  }
  return out;
}

/** Everything the run's checkpoint holds, as named arrays: variables, then every optimiser's slots. */
export async function runCheckpointTensors(run: Run): Promise<NamedData[]> {
  const tensors: NamedData[] = savedVariables(run).map((v, i) => ({
    name: `var${i}`,
    shape: v.shape,
    data: v.dataSync() as Float32Array,
  }));
  const opts = runOptimizers(run);
  for (let k = 0; k < opts.length; k++) tensors.push(...(await optimizerTensors(opts[k], k)));
  return tensors;
}

/** Write the run's checkpoint at its current step (refused, keeping the last one, if a weight is not finite). */
export async function saveRunCheckpoint(run: Run, loss: number): Promise<void> {
  const tensors = await runCheckpointTensors(run);
  // a step can blow the weights up while its own loss (computed before the update) was still finite
  const bad = tensors.find((t) => t.data.some((v) => !Number.isFinite(v)));
  if (bad) {
    const kept = loadCheckpoint(run.dir)?.manifest.step;
    throw new UserError(
      `the weights became non-finite at step ${run.step} ('${bad.name}'): training stopped. ` +
        (kept !== undefined
          ? `The last good checkpoint (step ${kept}) is kept in ${run.dir}.`
          : 'No checkpoint was written.') +
        ' Try a lower learning rate (--lr) or another loss.',
    );
  }
  saveCheckpoint(run.dir, run.step, loss, tensors);
}

/** Restore the run from its folder's checkpoint (if any); returns whether one was found. */
export async function restoreRunCheckpoint(run: Run): Promise<boolean> {
  const ck = loadCheckpoint(run.dir);
  if (!ck) return false;
  const vars = savedVariables(run);
  const entries = ck.manifest.tensors.map((t, i) => ({ ...t, data: ck.tensors[i] }));
  const varEntries = entries.filter((t) => t.name.startsWith('var'));
  if (varEntries.length !== vars.length || varEntries.some((t, i) => t.shape.join() !== vars[i].shape.join()))
    throw new UserError(
      `${join(run.dir, 'checkpoint.json')} does not match the run's config (${varEntries.length} tensors saved, ` +
        `${vars.length} expected): was config.json edited after the run started?`,
    );
  varEntries.forEach((t, i) => vars[i].assign(tf.tensor(t.data, vars[i].shape)));
  const opts = runOptimizers(run);
  for (let k = 0; k < opts.length; k++) {
    let slots = entries.filter((t) => t.name.startsWith(`opt${k}.`));
    // checkpoints written before framework optimisers were saved name the trainer's slots `opt<i>:<name>`
    if (k === 0 && !slots.length)
      slots = entries.filter((t) => /^opt\d+:/.test(t.name) && !/:accBeta[12]$/.test(t.name));
    if (slots.length) {
      await opts[k].setWeights(
        slots.map((t) => ({ name: t.name.slice(t.name.indexOf(':') + 1), tensor: tf.tensor(t.data, t.shape) })),
      );
    }
    if (isAdam(opts[k])) {
      const p = opts[k] as unknown as AdamPowers;
      for (const key of ['accBeta1', 'accBeta2'] as const) {
        const saved = entries.find((t) => t.name === `opt${k}:${key}`);
        if (saved) p[key].assign(tf.scalar(saved.data[0]));
      }
    }
  }
  run.step = ck.manifest.step;
  return true;
}
