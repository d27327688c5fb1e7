import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateSpace, createDataset, datasetCatalogue, renderObservations } from '../../src/data/index.js';
import { parseParamAssignments } from '../../src/config/index.js';
import { XYSquares } from '../../src/data/procedural/xysquares.js';
import { readNpz, writeNpz, parseNpz, crc32 } from '../../src/data/formats/npz.js';
import { Rng } from '../../src/util/rng.js';
import { UserError } from '../../src/util/errors.js';

describe('state space', () => {
  it('is C order with the last factor fastest, and round-trips', async () => {
    const s = new StateSpace([3, 4, 5]);
    expect(s.size).toBe(60);
    expect(s.toIndex([0, 0, 1])).toBe(1);
    expect(s.toIndex([0, 1, 0])).toBe(5);
    expect(s.toIndex([1, 0, 0])).toBe(20);
    expect(s.toIndex([2, 3, 4])).toBe(59);
    for (let i = 0; i < 60; i++) expect(s.toIndex(s.toFactors(i))).toBe(i);
    expect(() => s.toIndex([3, 0, 0])).toThrow(/out of range/);
  });
  it('samples uniformly and traverses one factor', async () => {
    const s = new StateSpace([2, 7]);
    const f = s.sampleFactors(7000, new Rng(1));
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 7000; i++) counts[f[i * 2 + 1]]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    const t = s.traversal(1, new Rng(2));
    expect(t.length).toBe(7);
    const first = s.toFactors(t[0])[0];
    t.forEach((idx, v) => {
      expect(s.toFactors(idx)[1]).toBe(v);
      expect(s.toFactors(idx)[0]).toBe(first);
    });
  });
});

describe('XYSquares', () => {
  it("places squares exactly by the paper's formulas", async () => {
    for (const [spacing, gridSize] of [
      [8, null],
      [4, 8],
      [1, 8],
      [2, null],
    ] as const) {
      const ds = new XYSquares({ gridSpacing: spacing, gridSize });
      const n =
        gridSize === null ? Math.floor((64 - 8) / spacing) + 1 : Math.min(gridSize, Math.floor((64 - 8) / spacing) + 1);
      const off = Math.floor((64 - (8 + (n - 1) * spacing)) / 2);
      expect(ds.factors.map((f) => f.size)).toEqual(new Array(6).fill(n));
      const rng = new Rng(spacing);
      for (let t = 0; t < 5; t++) {
        const f = ds.stateSpace.sampleFactors(1, rng);
        const img = renderObservations(ds, [ds.stateSpace.toIndex(f)]);
        let wrong = 0;
        for (let y = 0; y < 64; y++)
          for (let x = 0; x < 64; x++)
            for (let c = 0; c < 3; c++) {
              const x0 = off + f[2 * c] * spacing,
                y0 = off + f[2 * c + 1] * spacing;
              const inside = x >= x0 && x < x0 + 8 && y >= y0 && y < y0 + 8;
              if (img[(y * 64 + x) * 3 + c] !== (inside ? 1 : 0)) wrong++;
            }
        expect(wrong).toBe(0);
      }
    }
  });
  it('has the published statistics at the defaults', async () => {
    const ds = await createDataset('xysquares');
    expect(ds.factors.map((f) => f.name)).toEqual(['x_R', 'y_R', 'x_G', 'y_G', 'x_B', 'y_B']);
    expect(ds.size).toBe(8 ** 6);
    const idx = ds.stateSpace.sampleIndices(200, new Rng(0));
    const x = renderObservations(ds, idx);
    let s = 0,
      s2 = 0;
    for (let i = 0; i < x.length; i += 3) {
      s += x[i];
      s2 += x[i] * x[i];
    }
    const n = x.length / 3;
    expect(s / n).toBeCloseTo(0.015625, 9); // every image: 64 lit pixels of 4096 per channel
    expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeCloseTo(0.124, 4);
    // two observations differing in one factor differ in 2·64 values of 64·64·3 → MSE 0.0104
    const a = renderObservations(ds, [ds.stateSpace.toIndex([0, 0, 0, 0, 0, 0])]);
    const b = renderObservations(ds, [ds.stateSpace.toIndex([5, 0, 0, 0, 0, 0])]);
    let d = 0;
    for (let i = 0; i < a.length; i++) d += (a[i] - b[i]) ** 2;
    expect(d / a.length).toBeCloseTo(128 / 12288, 12);
    expect(128 / 12288).toBeCloseTo(0.0104, 4);
  });
  it('supports fewer squares, grey images and fill values', async () => {
    const ds = await createDataset('xysquares', { numSquares: 1, rgb: false, fillValue: 0.5 });
    expect(ds.factors.map((f) => f.name)).toEqual(['x_R', 'y_R']);
    expect(ds.obsShape).toEqual([64, 64, 1]);
    const x = renderObservations(ds, [0]);
    expect(x.reduce((a, v) => a + v, 0)).toBe(32);
    expect(Math.max(...x)).toBe(0.5);
  });
  it('rejects bad parameters with the valid choices', async () => {
    await expect(createDataset('xysquares', { numSquares: 4 })).rejects.toThrow(UserError);
    await expect(createDataset('xysquares', { numSquares: 4 })).rejects.toThrow(/numSquares/);
    await expect(createDataset('xysquares', { spacing: 2 })).rejects.toThrow(
      /unknown parameter 'spacing'.*gridSpacing/,
    );
    await expect(createDataset('nope')).rejects.toThrow(/unknown dataset 'nope'.*xysquares/);
    expect(parseParamAssignments(['gridSpacing=4', 'rgb=false', 'gridSize=null'])).toEqual({
      gridSpacing: 4,
      rgb: false,
      gridSize: null,
    });
    expect(() => parseParamAssignments(['gridSpacing'])).toThrow(/key=value/);
  });
  it('lists every dataset in the catalogue with factors and shape', async () => {
    const cat = await datasetCatalogue();
    const xy = cat.find((c) => c.name === 'xysquares')!;
    expect(xy.shape).toEqual([64, 64, 3]);
    expect(xy.factors).toHaveLength(6);
    expect(cat.find((c) => c.name === 'xcolumns')!.factors!.map((f) => f.name)).toEqual(['x_R', 'x_G', 'x_B']);
  });
});

describe('npz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npz-'));
  it('round-trips arrays of every dtype, stored and deflated', async () => {
    const arrays = {
      images: { dtype: 'uint8' as const, shape: [2, 3, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 7) },
      factors: { dtype: 'int32' as const, shape: [2, 2], data: Int32Array.of(1, -2, 3, 4) },
      big: { dtype: 'int64' as const, shape: [3], data: BigInt64Array.of(1n, 2n, 3n) },
      codes: { dtype: 'float32' as const, shape: [4], data: Float32Array.of(0.5, -1, 2.25, 1e-7) },
      f64: { dtype: 'float64' as const, shape: [1], data: Float64Array.of(Math.PI) },
    };
    for (const compress of [false, true]) {
      const p = join(dir, `a${compress}.npz`);
      writeNpz(p, arrays, compress);
      const back = readNpz(p);
      for (const [k, v] of Object.entries(arrays)) {
        expect(back[k].dtype).toBe(v.dtype);
        expect(back[k].shape).toEqual(v.shape);
        expect(Array.from(back[k].data as any)).toEqual(Array.from(v.data as any));
      }
    }
  });
  it('reports truncated, corrupt and missing files clearly', async () => {
    const p = join(dir, 'b.npz');
    writeNpz(p, { x: { dtype: 'float32', shape: [1000], data: new Float32Array(1000) } });
    const bytes = readFileSync(p);
    expect(() => parseNpz(bytes.subarray(0, 2000), 'b.npz')).toThrow(/truncated|not an \.npz/);
    expect(() => parseNpz(new Uint8Array(100), 'junk')).toThrow(/not an \.npz/);
    expect(() => readNpz(join(dir, 'missing.npz'))).toThrow(/no such file/);
    writeFileSync(join(dir, 'c.npz'), bytes.subarray(0, bytes.length - 30));
    expect(() => readNpz(join(dir, 'c.npz'))).toThrow(UserError);
  });
  it('computes the standard CRC-32', async () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(existsSync(dir)).toBe(true);
  });
});
