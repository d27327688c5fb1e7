import type { StateSpace as StateSpaceContract } from './types.js';
import type { Rng } from '../util/rng.js';

/**
 * Factor vector ↔ flat index in C order (the last factor varies fastest):
 * index = Σ_i f_i · base_i with base_i = Π_{j>i} size_j.
 *
 * Indices are JavaScript numbers, exact up to 2^53, and arrays of them are Float64Array: XYSquares at spacing 1
 * has 57⁶ ≈ 3.4·10¹⁰ observations, far past 32 bits (an Int32Array of indices wrapped them to negatives).
 */
export class StateSpace implements StateSpaceContract {
  readonly numFactors: number;
  readonly size: number;
  private readonly bases: number[];

  constructor(readonly factorSizes: readonly number[]) {
    if (factorSizes.length === 0) throw new Error('a state space needs at least one factor');
    for (const s of factorSizes)
      if (!Number.isInteger(s) || s < 1) throw new Error(`factor sizes must be positive integers, got ${s}`);
    this.numFactors = factorSizes.length;
    this.bases = new Array(factorSizes.length);
    let b = 1;
    for (let i = factorSizes.length - 1; i >= 0; i--) {
      this.bases[i] = b;
      b *= factorSizes[i];
    }
    if (!Number.isSafeInteger(b))
      throw new RangeError(
        `the factor sizes [${factorSizes.join(', ')}] make ${b.toExponential(2)} observations: more than 2^53, ` +
          'so flat indices would not be exact',
      );
    this.size = b;
  }

  toIndex(factors: ArrayLike<number>): number {
    let idx = 0;
    for (let i = 0; i < this.numFactors; i++) {
      const f = factors[i];
      if (!(f >= 0 && f < this.factorSizes[i]) || !Number.isInteger(f)) {
        throw new RangeError(`factor ${i} = ${f} is out of range [0, ${this.factorSizes[i] - 1}]`);
      }
      idx += f * this.bases[i];
    }
    return idx;
  }

  toFactors(index: number, out: Int32Array = new Int32Array(this.numFactors)): Int32Array {
    if (!(index >= 0 && index < this.size) || !Number.isInteger(index))
      throw new RangeError(`index ${index} is out of range [0, ${this.size - 1}]`);
    let r = index;
    for (let i = 0; i < this.numFactors; i++) {
      out[i] = Math.floor(r / this.bases[i]);
      r -= out[i] * this.bases[i];
    }
    return out;
  }

  sampleFactors(n: number, rng: Rng): Int32Array {
    const out = new Int32Array(n * this.numFactors);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < this.numFactors; k++) out[i * this.numFactors + k] = rng.int(this.factorSizes[k]);
    return out;
  }

  sampleIndices(n: number, rng: Rng): Float64Array {
    const out = new Float64Array(n);
    const f = new Int32Array(this.numFactors);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < this.numFactors; k++) f[k] = rng.int(this.factorSizes[k]);
      out[i] = this.toIndex(f);
    }
    return out;
  }

  /**
   * A random traversal of one factor: every other factor fixed at a random point, `factor` over all its
   * values. Returns the flat indices in factor order.
   */
  traversal(factor: number, rng: Rng): Float64Array {
    const start = this.sampleFactors(1, rng);
    const out = new Float64Array(this.factorSizes[factor]);
    for (let v = 0; v < out.length; v++) {
      start[factor] = v;
      out[v] = this.toIndex(start);
    }
    return out;
  }
}
