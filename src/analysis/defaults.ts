/** The analyses' defaults, in a module without tensors (the CLI shows them in --help before loading anything). */

/** Sample sizes of the perceived-distance analysis (see PerceivedOptions). */
export const perceivedDefaults = {
  traversals: 64,
  pairs: 50_000,
  randomPairs: 10_000,
  maxTraversalLength: 64,
  seed: 0,
  batchPairs: 1024,
} as const;
