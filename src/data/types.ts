/**
 * The ground-truth dataset interface (as the field knows it, cf. disent's GroundTruthData):
 * a finite grid of discrete factors, each combination mapping to exactly one observation.
 * Observations are HWC float32 values in [0, 1].
 *
 * Contract shared by datasets, samplers, training, metrics and analyses. Implementations live in
 * this folder; consumers use `datasets` (the registry) and the helpers in `index.ts`.
 */
import type { Rng } from '../util/rng.js';

export interface FactorSpec {
  /** As the field writes it, e.g. 'x_R', 'position_x'. */
  readonly name: string;
  /** Number of discrete values (labels 0 … size−1). */
  readonly size: number;
  /**
   * True when the values have no order (an object's shape or identity): a temporal step (Klindt et al.'s
   * sparse transitions) never changes such a factor. Absent means ordered.
   */
  readonly categorical?: boolean;
}

/** Factor vector ↔ flat index, C order (last factor fastest): index = Σ f_i · Π_{j>i} size_j. */
export interface StateSpace {
  readonly factorSizes: readonly number[];
  readonly numFactors: number;
  /** Product of the factor sizes. */
  readonly size: number;
  toIndex(factors: ArrayLike<number>): number;
  toFactors(index: number, out?: Int32Array): Int32Array;
  /** n×F factors drawn uniformly per factor, row-major. */
  sampleFactors(n: number, rng: Rng): Int32Array;
  /** n flat indices (exact up to 2^53, hence float64). */
  sampleIndices(n: number, rng: Rng): Float64Array;
}

export interface GroundTruthDataset {
  /** Registry name, e.g. 'xysquares'. */
  readonly name: string;
  readonly factors: readonly FactorSpec[];
  /** [H, W, C] */
  readonly obsShape: readonly [number, number, number];
  /** The parameters it was built with (after defaults), as plain data. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly stateSpace: StateSpace;
  /** Number of observations (= stateSpace.size). */
  readonly size: number;
  /**
   * Write the observation at flat `index` into `out` starting at `offset` (H·W·C float32 in [0, 1]).
   * Must be fast: batches are rendered on the training loop's thread.
   */
  renderInto(index: number, out: Float32Array, offset: number): void;
}
