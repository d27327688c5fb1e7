/**
 * The check that keeps the native addon's op codes (native/src/ops.h) and the JS enums
 * (src/engine/torch/op-tables.ts) in step. Needs no built addon: stand-in addons are small CommonJS files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Binary, checkOpTables, expectedOpTables, type OpTables } from '../../src/engine/torch/op-tables.js';

const OUT_OF_DATE = /native addon out of date: rebuild with npm run build:native/;

/** A deep copy of the expected tables, changed by `edit`. */
function doctored(edit: (t: OpTables) => void): OpTables {
  const t = structuredClone(expectedOpTables());
  edit(t);
  return t;
}

describe('checkOpTables', () => {
  it('accepts tables equal to the JS enums', () => {
    expect(() => checkOpTables(expectedOpTables())).not.toThrow();
    expect(expectedOpTables().binaryOps.Multiply).toBe(Binary.Multiply);
  });

  it('rejects two ops whose codes are swapped, naming them', () => {
    const t = doctored((t) => {
      [t.binaryOps.Add, t.binaryOps.Sub] = [t.binaryOps.Sub, t.binaryOps.Add];
    });
    expect(() => checkOpTables(t)).toThrow(OUT_OF_DATE);
    expect(() => checkOpTables(t)).toThrow(/binaryOps\.Add is 1 there, 0 here/);
  });

  it('rejects an op the addon lacks, one it has in excess, and a missing table', () => {
    const missing = doctored((t) => delete t.unaryOps.Tanh);
    expect(() => checkOpTables(missing)).toThrow(/unaryOps\.Tanh is missing there/);
    const extra = doctored((t) => (t.activations.Gelu = 7));
    expect(() => checkOpTables(extra)).toThrow(/activations\.Gelu is unknown here/);
    const noTable = doctored((t) => delete (t as Partial<OpTables>).reductions);
    expect(() => checkOpTables(noTable)).toThrow(/no reductions table/);
    expect(() => checkOpTables(undefined)).toThrow(OUT_OF_DATE);
  });

  it('compares with the tables it is given', () => {
    const t = doctored((t) => (t.dtypes.F64 = 3));
    expect(() => checkOpTables(t, t)).not.toThrow();
    expect(() => checkOpTables(expectedOpTables(), t)).toThrow(/dtypes\.F64 is missing there/);
  });
});

describe('loading an addon whose op tables differ', () => {
  const dir = mkdtempSync(join(tmpdir(), 'op-tables-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  /** loadAddon() and its reason for a stand-in addon with this source, in a fresh copy of native.ts. */
  async function load(name: string, source: string) {
    const path = join(dir, `${name}.cjs`);
    writeFileSync(path, source);
    vi.stubEnv('DISENTANGLE_TORCH_ADDON', path);
    vi.resetModules();
    const native = await import('../../src/engine/torch/native.js');
    return { addon: native.loadAddon(), reason: native.addonUnavailableReason() };
  }

  it('makes the addon unavailable, saying to rebuild it', async () => {
    const t = doctored((t) => (t.paramOps.Step = 3));
    const { addon, reason } = await load('stale', `exports.opTables = () => (${JSON.stringify(t)});`);
    expect(addon).toBeNull();
    expect(reason).toMatch(OUT_OF_DATE);
    expect(reason).toMatch(/paramOps\.Step is 3 there, 1 here/);
  });

  it('--backend torch then fails with that message', async () => {
    const t = doctored((t) => (t.activations.Relu = 2));
    await load('stale-engine', `exports.opTables = () => (${JSON.stringify(t)});`);
    const { initEngine } = await import('../../src/engine/index.js');
    await expect(initEngine({ backend: 'torch', quiet: true })).rejects.toThrow(OUT_OF_DATE);
  });

  it('treats an addon without opTables() as out of date', async () => {
    const { addon, reason } = await load('old', 'exports.init = () => ({});');
    expect(addon).toBeNull();
    expect(reason).toMatch(OUT_OF_DATE);
  });

  it('loads an addon whose tables match', async () => {
    const t = expectedOpTables();
    const { addon, reason } = await load('current', `exports.opTables = () => (${JSON.stringify(t)});`);
    expect(reason).toBeNull();
    expect(addon?.opTables()).toEqual(t);
  });
});
