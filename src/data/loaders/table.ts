/**
 * A ground-truth dataset backed by stored images and a factor table. Rows may come in any order: a lookup
 * from state-space index to row is built once, and every factor combination must be present (else a clear
 * error names the first missing one). Rows with a repeated combination (a nuisance factor, e.g. SmallNORB's
 * instance) keep the first row.
 */
import { StateSpace } from '../state-space.js';
import type { FactorSpec, GroundTruthDataset } from '../types.js';
import { UserError } from '../../util/errors.js';

export interface ImageSource {
  /** Number of rows. */
  rows: number;
  /** Write row `row` (H·W·C values in [0, 1]) into out at offset. */
  read(row: number, out: Float32Array, offset: number): void;
}

export class TableDataset implements GroundTruthDataset {
  readonly stateSpace: StateSpace;
  readonly size: number;
  private readonly rowOf: Int32Array;

  constructor(
    readonly name: string,
    readonly factors: FactorSpec[],
    readonly obsShape: [number, number, number],
    readonly params: Record<string, unknown>,
    private readonly images: ImageSource,
    labels: Int32Array,
    where: string,
  ) {
    this.stateSpace = new StateSpace(factors.map((f) => f.size));
    this.size = this.stateSpace.size;
    const F = factors.length;
    if (labels.length !== images.rows * F)
      throw new UserError(`${where}: ${images.rows} images but ${labels.length / F} factor rows`);
    this.rowOf = new Int32Array(this.size).fill(-1);
    for (let r = 0; r < images.rows; r++) {
      const f = labels.subarray(r * F, (r + 1) * F);
      for (let k = 0; k < F; k++) {
        if (!(f[k] >= 0 && f[k] < factors[k].size))
          throw new UserError(
            `${where}: row ${r} has ${factors[k].name} = ${f[k]}, outside 0 … ${factors[k].size - 1}`,
          );
      }
      const idx = this.stateSpace.toIndex(f);
      if (this.rowOf[idx] < 0) this.rowOf[idx] = r;
    }
    const missing = this.rowOf.indexOf(-1);
    if (missing >= 0) {
      const f = this.stateSpace.toFactors(missing);
      throw new UserError(
        `${where}: the factors do not form a full grid: no image for ${factors.map((s, k) => `${s.name}=${f[k]}`).join(', ')}`,
      );
    }
  }

  renderInto(index: number, out: Float32Array, offset: number): void {
    this.images.read(this.rowOf[index], out, offset);
  }
}

/** Labels 0 … k−1 for each column of a float/int table, by sorted unique values (e.g. Shapes3D's float labels). */
export function labelsFromValues(
  values: ArrayLike<number>,
  n: number,
  F: number,
): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(n * F);
  const sizes: number[] = [];
  for (let k = 0; k < F; k++) {
    const uniq = [...new Set(Array.from({ length: n }, (_, i) => values[i * F + k]))].sort((a, b) => a - b);
    const pos = new Map(uniq.map((v, i) => [v, i]));
    sizes.push(uniq.length);
    for (let i = 0; i < n; i++) labels[i * F + k] = pos.get(values[i * F + k])!;
  }
  return { labels, sizes };
}

/** Images held in memory as uint8 N×H×W×C (0–255, or 0/1 when `binary`). */
export function uint8Source(data: Uint8Array, rows: number, rowSize: number, scale = 1 / 255): ImageSource {
  return {
    rows,
    read(row, out, offset) {
      const base = row * rowSize;
      for (let i = 0; i < rowSize; i++) out[offset + i] = data[base + i] * scale;
    },
  };
}

/** Area-average resize of one HWC uint8 image (e.g. SmallNORB 96² → 64²). */
export function resizeArea(
  src: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  H: number,
  W: number,
  out: Float32Array,
  offset: number,
  scale = 1 / 255,
): void {
  for (let y = 0; y < H; y++) {
    const y0 = (y * h) / H,
      y1 = ((y + 1) * h) / H;
    for (let x = 0; x < W; x++) {
      const x0 = (x * w) / W,
        x1 = ((x + 1) * w) / W;
      for (let ch = 0; ch < c; ch++) {
        let s = 0,
          a = 0;
        for (let yy = Math.floor(y0); yy < Math.ceil(y1); yy++) {
          const wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
          for (let xx = Math.floor(x0); xx < Math.ceil(x1); xx++) {
            const wx = Math.min(xx + 1, x1) - Math.max(xx, x0);
            s += wy * wx * src[(yy * w + xx) * c + ch];
            a += wy * wx;
          }
        }
        out[offset + (y * W + x) * c + ch] = (s / a) * scale;
      }
    }
  }
}
