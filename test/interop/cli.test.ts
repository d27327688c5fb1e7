/**
 * `import`, `export`, `encode` through the real CLI, and what an imported run is good for: `evaluate`,
 * `diagnose`, `encode` and fine-tuning with `train --resume --steps N`. Then scripts/torch_interop.py, where
 * Debian's python3-torch is importable (required where DISENTANGLE_REQUIRE_PYTORCH=1, as in .ci/run; elsewhere
 * the reason is printed and that check skipped): a run exported here loads strictly into PyTorch modules with
 * disent's names and gives the same means, log-variances and decodings within 1e-4, and a model made in
 * PyTorch imports, encodes the same within 1e-4 and is scored by `evaluate`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpz, writeNpz } from '../../src/data/formats/npz.js';
import { cli, repoRoot } from '../cli/helpers.js';
import { f32bytes, knownStateDict, writeRawSafetensors } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'interop-cli-'));
const p = (name: string) => join(root, name);
const Z = 3;
const config = {
  dataset: { name: 'xysquares', gridSpacing: 8 },
  framework: { name: 'betavae' },
  model: { architecture: 'conv64-disent', z: Z },
  train: { steps: 4, batchSize: 4, seed: 5, checkpointEvery: 2, logEvery: 1 },
};

function pytorchUnavailable(): string | null {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.error) return `/usr/bin/python3 cannot run (${r.error.message})`;
  return r.status === 0
    ? null
    : `python3-torch is not importable by /usr/bin/python3 (${r.stderr.trim().split('\n').pop()})`;
}
const reason = pytorchUnavailable();
const required = process.env.DISENTANGLE_REQUIRE_PYTORCH === '1';

beforeAll(async () => {
  writeFileSync(p('config.json'), JSON.stringify(config));
  const sd = knownStateDict(3, Z, 7);
  writeRawSafetensors(
    p('model.safetensors'),
    [...sd].map(([name, t]) => ({ name, shape: t.shape, bytes: f32bytes(t.data) })),
  );
  const r = await cli(['import', p('model.safetensors'), '--config', p('config.json'), '--out', p('run')]);
  if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
  expect(r.stdout).toMatch(/^imported 24 tensors into .*run \(conv64-disent, z = 3, step 0\)/);
  const images = Uint8Array.from({ length: 40 * 64 * 64 * 3 }, (_, i) => (i * 37) % 256);
  writeNpz(p('images.npz'), { images: { dtype: 'uint8', shape: [40, 64, 64, 3], data: images } });
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('an imported run', () => {
  it('encodes (uint8 images ÷ 255; batched), is evaluated and diagnosed', async () => {
    const e = await cli([
      'encode',
      p('run'),
      '--data',
      p('images.npz'),
      '--decode',
      '--batch',
      '16',
      '--out',
      p('codes.npz'),
    ]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/wrote .*codes\.npz: means, logvars, decoded for 40 images \(z = 3\)/);
    const c = readNpz(p('codes.npz'));
    expect(c.means.shape).toEqual([40, Z]);
    expect(c.decoded.shape).toEqual([40, 64, 64, 3]);
    // the same images as floats in [0, 1] give the same codes
    const u8 = readNpz(p('images.npz')).images.data as Uint8Array;
    writeNpz(p('images-f.npz'), {
      images: { dtype: 'float32', shape: [40, 64, 64, 3], data: Float32Array.from(u8, (v) => v / 255) },
    });
    const f = await cli(['encode', p('run'), '--data', p('images-f.npz'), '--out', p('codes-f.npz')]);
    expect(f.code, f.stderr).toBe(0);
    expect(readNpz(p('codes-f.npz')).means.data).toEqual(c.means.data);
    expect(Object.keys(readNpz(p('codes-f.npz')))).toEqual(['means', 'logvars']);

    const ev = await cli([
      'evaluate',
      p('run'),
      '--metrics',
      'mig',
      '--num-train',
      '200',
      '--num-test',
      '100',
      '--json',
    ]);
    expect(ev.code, ev.stderr).toBe(0);
    const scores = JSON.parse(ev.stdout.trim().split('\n').pop()!);
    expect(scores.mig).toBeGreaterThanOrEqual(0);
    const dg = await cli(['diagnose', p('run'), '--json']);
    expect(dg.code, dg.stderr).toBe(0);
    expect(JSON.parse(dg.stdout.trim().split('\n').pop()!).factored.linearity).toBeGreaterThanOrEqual(0);
    expect(existsSync(p('run/diagnose.html'))).toBe(true);
    // the README's promise: the result is also in the run folder, as --json prints it
    expect(Object.keys(JSON.parse(readFileSync(p('run/diagnose.json'), 'utf8')))).toContain('factored');
  });

  it('fine-tunes with train --resume --steps N', async () => {
    const t = await cli(['train', '--resume', p('run'), '--steps', '2', '--quiet']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/resuming .*run at step 0 of 2/);
    expect(JSON.parse(readFileSync(p('run/checkpoint.json'), 'utf8')).step).toBe(2);
    expect(readFileSync(p('run/train.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('exports to safetensors and ONNX; an existing file is not overwritten', async () => {
    const s = await cli(['export', p('run'), '--to', p('out.safetensors')]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/wrote .*out\.safetensors: 24 tensors of .*run at step 2/);
    const o = await cli(['export', p('run'), '--to', p('dec.onnx'), '--decoder']);
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/the decoder of .* ONNX opset 13, 12 nodes/);
    const again = await cli(['export', p('run'), '--to', p('out.safetensors')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--to .*out\.safetensors already exists: refusing to overwrite it/);
  });
});

describe('scripts/torch_interop.py (PyTorch, both directions)', () => {
  if (reason) console.log(`skipping the PyTorch check: ${reason}`);
  it('python3-torch is importable where it is required', () => {
    expect(required ? reason : null).toBeNull();
  });
  it.skipIf(!!reason)(
    'an exported run loads strictly into disent-named modules and matches encode; a PyTorch model imports and matches',
    async () => {
      // asynchronous, so that the test worker stays responsive while the script runs
      const { stdout: out } = await promisify(execFile)(
        '/usr/bin/python3',
        [join(repoRoot, 'scripts', 'torch_interop.py'), p('run'), '--n', '8', '--backend', 'wasm'],
        { encoding: 'utf8', timeout: 400_000, env: { ...process.env, OMP_NUM_THREADS: '1' } },
      );
      const r = JSON.parse(out.trim().split('\n').pop()!);
      for (const side of ['export', 'import'])
        for (const k of ['means', 'logvars', 'decoded']) expect(r[side][k], `${side} ${k}`).toBeLessThan(1e-4);
      expect(r.evaluate.mig).toBeGreaterThanOrEqual(0);
    },
    420_000,
  );
});
