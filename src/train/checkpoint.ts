/**
 * Checkpoints: `checkpoint.json` (a manifest: step, tensor shapes, RNG-free because every draw is a function
 * of (seed, step)) beside one binary file `ckpt-<step>.bin` of float32 values in manifest order. Both are
 * written atomically, the binary first; the manifest names the binary, so a kill at any moment leaves the
 * previous checkpoint readable. Older binaries are removed after the new manifest lands.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';

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

/** The checkpoint's two files as bytes (no I/O): what saveCheckpoint writes, and what the web page downloads. */
export function encodeCheckpoint(
  step: number,
  loss: number,
  tensors: Array<{ name: string; shape: number[]; data: Float32Array }>,
): { file: string; bin: Uint8Array; manifest: CheckpointManifest } {
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
  return { file, bin: new Uint8Array(buf.buffer), manifest };
}

export function saveCheckpoint(
  dir: string,
  step: number,
  loss: number,
  tensors: Array<{ name: string; shape: number[]; data: Float32Array }>,
): void {
  const { file, bin, manifest } = encodeCheckpoint(step, loss, tensors);
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
  if (manifest.format !== 'disentangle-checkpoint-1')
    throw new UserError(`${mpath}: unknown checkpoint format '${manifest.format}'`);
  const bin = readFileSync(join(dir, manifest.file));
  const sizes = manifest.tensors.map((t) => t.shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (bin.length !== total * 4)
    throw new UserError(`${join(dir, manifest.file)} is truncated: ${bin.length} bytes, expected ${total * 4}`);
  const all = new Float32Array(new Uint8Array(bin).buffer);
  const tensors: Float32Array[] = [];
  let off = 0;
  for (const s of sizes) {
    tensors.push(all.slice(off, off + s));
    off += s;
  }
  return { manifest, tensors };
}
