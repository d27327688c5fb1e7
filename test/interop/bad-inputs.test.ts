/**
 * Bad input to `export`, `import` and `encode` through the real CLI (the built dist/), in the style of
 * test/cli/bad-inputs.test.ts: one row per input, asserting exit code 2, the first line of stderr, no stack
 * trace, at most two lines, and — once all rows ran — that nothing on disk changed. (A file of its own: these
 * rows start the tensor engine, and the general table's hook is already near its time limit on a loaded machine.)
 */
import { tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpz, type NdArray } from '../../src/data/formats/npz.js';
import { cli, firstErrorLine, hasStackTrace, pool, treeHash, type CliResult } from '../cli/helpers.js';
import { f32bytes, knownStateDict, writeRawSafetensors, type RawEntry } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'interop-bad-'));
const fx = (name: string) => join(root, 'fx', name);
/** Where a row would write if it wrongly succeeded: must still not exist at the end. */
const fresh = (name: string) => join(root, 'new', name);
const scratch = join(root, 'cwd');

interface Row {
  args: string[];
  code: number;
  first: RegExp;
}

const RUN = fx('run');
const tinyConfig = {
  dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4 },
  framework: { name: 'betavae' },
  model: { architecture: 'fc', z: 3, hidden: 16 },
  optimizer: { lr: 1e-3 },
  train: { steps: 2, batchSize: 8, seed: 1, checkpointEvery: 2, logEvery: 1 },
};
const codes = (n: number): NdArray => ({
  dtype: 'float32',
  shape: [n, 2],
  data: Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i)),
});

const rows: Record<string, Row> = {
  // ---- export, import, encode (PyTorch state dicts, ONNX, codes)
  'export a run without a PyTorch layout': {
    args: ['export', RUN, '--to', fresh('m.safetensors')],
    code: 2,
    first: /^error: model\.architecture 'fc' has no PyTorch layout here: export and import support conv64-disent/,
  },
  'export --to another kind of file': {
    args: ['export', RUN, '--to', fresh('m.pt')],
    code: 2,
    first: /^error: --to must name a \.safetensors or \.onnx file, got '.*m\.pt'/,
  },
  'export --to an existing file': {
    args: ['export', RUN, '--to', fx('taken.onnx')],
    code: 2,
    first: /^error: --to .*taken\.onnx already exists: refusing to overwrite it/,
  },
  'export --decoder to safetensors': {
    args: ['export', RUN, '--to', fresh('m.safetensors'), '--decoder'],
    code: 2,
    first: /^error: --decoder goes with --to F\.onnx/,
  },
  'export a folder that is not a run': {
    args: ['export', fx('notes'), '--to', fresh('m.onnx')],
    code: 2,
    first: /notes is not a run folder/,
  },
  'import a .pt pickle': {
    args: ['import', fx('model.pt'), '--config', fx('disent.json'), '--out', fresh('imp')],
    code: 2,
    first: /model\.pt is a PyTorch pickle, not safetensors: refused, because loading a pickle runs code\. Convert it/,
  },
  'import a missing file': {
    args: ['import', fx('absent.safetensors'), '--config', fx('disent.json'), '--out', fresh('imp')],
    code: 2,
    first: /^error: cannot read .*absent\.safetensors: no such file/,
  },
  'import with missing and extra keys': {
    args: ['import', fx('sd-keys.safetensors'), '--config', fx('disent.json'), '--out', fresh('imp')],
    code: 2,
    first: /does not match the model of .*: missing keys _decoder\.model\.11\.weight; unexpected keys fc\.weight/,
  },
  'import a wrong shape': {
    args: ['import', fx('sd-shape.safetensors'), '--config', fx('disent.json'), '--out', fresh('imp')],
    code: 2,
    first: /'_encoder\.model\.11\.weight' has shape \[2, 256\], the model of .* needs \[6, 256\]/,
  },
  'import an integer tensor': {
    args: ['import', fx('sd-int.safetensors'), '--config', fx('disent.json'), '--out', fresh('imp')],
    code: 2,
    first: /'_encoder\.model\.0\.bias' has dtype I64, not a float/,
  },
  'import a header length past the end': {
    args: ['import', fx('sd-header.safetensors'), '--config', fx('disent.json'), '--out', fresh('imp')],
    code: 2,
    first: /header length \(18446744073709551615 bytes\) runs past the end of the file/,
  },
  'import overlapping tensors': {
    args: ['import', fx('sd-overlap.safetensors'), '--config', fx('disent.json'), '--out', fresh('imp')],
    code: 2,
    first: /is corrupt: tensors '.*' and '.*' overlap in the data/,
  },
  'import offsets past the data': {
    args: ['import', fx('sd-range.safetensors'), '--config', fx('disent.json'), '--out', fresh('imp')],
    code: 2,
    first: /is corrupt: tensor '_decoder\.model\.11\.bias' has data_offsets \[\d+, \d+\] outside the \d+ bytes of data/,
  },
  'import with a config of another architecture': {
    args: ['import', fx('sd.safetensors'), '--config', fx('tiny.json'), '--out', fresh('imp')],
    code: 2,
    first: /model\.architecture 'fc' has no PyTorch layout here/,
  },
  'import into an existing run': {
    args: ['import', fx('sd.safetensors'), '--config', fx('disent.json'), '--out', RUN],
    code: 2,
    first: /already holds a run/,
  },
  'import with a config that is not JSON': {
    args: ['import', fx('sd.safetensors'), '--config', fx('bad.json'), '--out', fresh('imp')],
    code: 2,
    first: /^error: --config .*bad\.json is not valid JSON/,
  },
  'encode images of another size': {
    args: ['encode', RUN, '--data', fx('imgs-8.npz'), '--out', fresh('c.npz')],
    code: 2,
    first: /imgs-8\.npz: images are 2×8×8×1, the model of .* takes N×16×16×1: give images of the size/,
  },
  'encode an .npz without images': {
    args: ['encode', RUN, '--data', fx('good.npz'), '--out', fresh('c.npz')],
    code: 2,
    first: /good\.npz has no 'images' array \(it has codes, factors\)/,
  },
  'encode integer images': {
    args: ['encode', RUN, '--data', fx('imgs-int.npz'), '--out', fresh('c.npz')],
    code: 2,
    first: /imgs-int\.npz: images are int32: give uint8/,
  },
  'encode float images beyond [0, 1]': {
    args: ['encode', RUN, '--data', fx('imgs-255.npz'), '--out', fresh('c.npz')],
    code: 2,
    first: /imgs-255\.npz: images\[5\] is 255: float images must be in \[0, 1\]/,
  },
  'encode --out an existing file': {
    args: ['encode', RUN, '--data', fx('imgs-8.npz'), '--out', fx('good.npz')],
    code: 2,
    first: /^error: --out .*good\.npz already exists: refusing to overwrite it/,
  },
  'encode --out not .npz': {
    args: ['encode', RUN, '--data', fx('imgs-8.npz'), '--out', fresh('c.csv')],
    code: 2,
    first: /^error: --out must name a \.npz file/,
  },
  'encode --data missing': {
    args: ['encode', RUN, '--data', fx('absent.npz'), '--out', fresh('c.npz')],
    code: 2,
    first: /^error: --data .*absent\.npz: no such file/,
  },
};

async function makeFixtures(): Promise<void> {
  mkdirSync(join(root, 'fx', 'notes'), { recursive: true });
  mkdirSync(join(root, 'new'));
  mkdirSync(scratch);
  writeFileSync(join(fx('notes'), 'notes.html'), '<p>my notes</p>');
  writeFileSync(fx('tiny.json'), JSON.stringify(tinyConfig));
  writeFileSync(fx('bad.json'), '{ "dataset": ');
  writeNpz(fx('good.npz'), { codes: codes(20), factors: { dtype: 'int32', shape: [20, 1], data: new Int32Array(20) } });
  writeFileSync(fx('taken.onnx'), "someone else's model");
  writeFileSync(fx('model.pt'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(60)]));
  writeFileSync(
    fx('disent.json'),
    JSON.stringify({ ...tinyConfig, dataset: { name: 'xysquares' }, model: { architecture: 'conv64-disent', z: 3 } }),
  );
  const sd = (): RawEntry[] =>
    [...knownStateDict(3, 3)].map(([name, t]) => ({ name, shape: t.shape, bytes: f32bytes(t.data) }));
  writeRawSafetensors(fx('sd.safetensors'), sd());
  writeRawSafetensors(fx('sd-keys.safetensors'), [
    ...sd().filter((e) => e.name !== '_decoder.model.11.weight'),
    { name: 'fc.weight', shape: [1], bytes: f32bytes(Float32Array.of(0)) },
  ]);
  writeRawSafetensors(
    fx('sd-shape.safetensors'),
    sd().map((e) =>
      e.name === '_encoder.model.11.weight' ? { ...e, shape: [2, 256], bytes: e.bytes.subarray(0, 2048) } : e,
    ),
  );
  writeRawSafetensors(
    fx('sd-int.safetensors'),
    sd().map((e) => (e.name === '_encoder.model.0.bias' ? { ...e, dtype: 'I64', shape: [16] } : e)),
  );
  writeRawSafetensors(fx('sd-header.safetensors'), sd(), { headerLength: 2n ** 64n - 1n });
  writeRawSafetensors(
    fx('sd-overlap.safetensors'),
    sd().map((e, i) => (i === 3 ? { ...e, offsets: [0, e.bytes.length] as [number, number] } : e)),
  );
  writeRawSafetensors(
    fx('sd-range.safetensors'),
    sd().map((e, i) => (i === 23 ? { ...e, offsets: [2 ** 31, 2 ** 31 + e.bytes.length] as [number, number] } : e)),
  );
  const img = (dtype: 'uint8' | 'int32' | 'float32', shape: number[], v = 0.5): NdArray => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data =
      dtype === 'uint8' ? new Uint8Array(n) : dtype === 'int32' ? new Int32Array(n) : new Float32Array(n).fill(0.5);
    if (dtype === 'float32') data[5] = v;
    return { dtype, shape, data };
  };
  writeNpz(fx('imgs-8.npz'), { images: img('uint8', [2, 8, 8, 1]) });
  writeNpz(fx('imgs-int.npz'), { images: img('int32', [2, 16, 16, 1]) });
  writeNpz(fx('imgs-255.npz'), { images: img('float32', [2, 16, 16, 1], 255) });
  const trained = await cli(['train', '--config', fx('tiny.json'), '--out', RUN, '--quiet']);
  if (trained.code !== 0) throw new Error(`fixture run failed: ${trained.stderr}`);
}

describe(`${Object.keys(rows).length} bad inputs to export, import and encode`, () => {
  const results = new Map<string, CliResult>();
  let before: Record<string, string> = {};
  beforeAll(async () => {
    await makeFixtures();
    before = treeHash(root);
    const names = Object.keys(rows);
    const out = await pool(
      2,
      names.map((n) => () => cli(rows[n].args, { cwd: scratch, timeoutMs: 120_000 })),
    );
    names.forEach((n, i) => results.set(n, out[i]));
  }, 900_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(Object.keys(rows))('%s', (name) => {
    const row = rows[name];
    const r = results.get(name)!;
    expect({ code: r.code, first: firstErrorLine(r.stderr) }, `stderr:\n${r.stderr}`).toMatchObject({
      code: row.code,
      first: expect.stringMatching(row.first),
    });
    expect(hasStackTrace(r.stderr + r.stdout)).toBe(false);
    expect(r.stderr.split('\n').filter((l) => l.trim() && !/^backend: /.test(l)).length).toBeLessThanOrEqual(2);
  });

  it('changed nothing on disk', () => {
    expect(treeHash(root)).toEqual(before);
    expect(readdirSync(join(root, 'new'))).toEqual([]);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
