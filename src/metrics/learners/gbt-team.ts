/**
 * Threads fitting one gradient-boosting model together (gbt.ts): the memory they share and the barrier at
 * which they meet. Plain data and Atomics only, so that a helper thread can run it (dci-team.ts).
 */

/** The arrays a fit writes; shared memory when several threads fit one model together. */
export interface GbtBuffers {
  /** Scores and probabilities, class-major (row t: class t's n samples). */
  F: Float64Array;
  p: Float64Array;
  feature: Int32Array;
  threshold: Float64Array;
  value: Float64Array;
  /** Per tree: its unnormalised impurity decrease per feature. */
  treeImportance: Float64Array;
  /** Scores of the evaluation samples, class-major. */
  evalScore: Float64Array;
  /** Per class and node: the feature it split on in the class's last tree (−1: none yet); orders the scans. */
  hints: Int32Array;
  /** Per stage: the next class whose tree a thread may take. */
  claims: Int32Array;
}

/** Classes (sorted) and the number of trees per stage (one for two classes) of labels y. */
export function gbtShape(y: Int32Array): { classes: number[]; trees: number } {
  const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
  return { classes, trees: classes.length === 2 ? 1 : classes.length };
}

export function gbtBuffers(
  n: number,
  d: number,
  T: number,
  nEstimators = 100,
  maxDepth = 3,
  shared = false,
  nEval = 0,
): GbtBuffers {
  const nodes = nEstimators * T * ((2 << maxDepth) - 1);
  const f64 = (len: number) => new Float64Array(shared ? new SharedArrayBuffer(8 * len) : new ArrayBuffer(8 * len));
  const i32 = (len: number) => new Int32Array(shared ? new SharedArrayBuffer(4 * len) : new ArrayBuffer(4 * len));
  return {
    F: f64(n * T),
    p: f64(n * T),
    feature: i32(nodes),
    threshold: f64(nodes),
    value: f64(nodes),
    treeImportance: f64(nEstimators * T * d),
    evalScore: f64(nEval * T),
    hints: i32(T * ((2 << maxDepth) - 1)).fill(-1),
    claims: i32(nEstimators),
  };
}

/**
 * Threads fitting one model together (each calls fitGradientBoosting with the same data, options and
 * `buffers`, and its own `rank`): each stage, thread r computes the probabilities of its share of the
 * samples, then the threads take the stage's trees class by class; they meet at a barrier on `sync`
 * (3 Int32 in shared memory, zeroed) after each step. The model does not depend on the number of threads.
 */
export interface GbtTeam {
  threads: number;
  rank: number;
  sync: Int32Array;
  buffers: GbtBuffers;
  /** Shared counter of helper threads whose code has loaded (threads.ts Helpers.loaded); see barrier(). */
  loaded?: Int32Array;
}

export class GbtTeamAborted extends Error {}

/** Waits until every thread of the team has arrived; throws when one of them gave up (sync[2] set). */
export function barrier(team: GbtTeam): void {
  const { sync, threads } = team;
  const generation = Atomics.load(sync, 1);
  if (Atomics.add(sync, 0, 1) === threads - 1) {
    Atomics.store(sync, 0, 0);
    Atomics.add(sync, 1, 1);
    Atomics.notify(sync, 1);
  } else {
    let waited = 0;
    while (Atomics.load(sync, 1) === generation) {
      if (Atomics.load(sync, 2) !== 0) throw new GbtTeamAborted('a gradient-boosting thread failed');
      // no thread takes a minute for one step: one that never arrives has died; and a helper that has
      // not even loaded its code after 5 s failed to start (its error event cannot reach this blocked thread)
      if (Atomics.wait(sync, 1, generation, 1000) === 'timed-out') {
        waited++;
        if (waited >= 60 || (waited >= 5 && team.loaded && Atomics.load(team.loaded, 0) < threads - 1)) abortTeam(team);
      }
    }
  }
  if (Atomics.load(sync, 2) !== 0) throw new GbtTeamAborted('a gradient-boosting thread failed');
}

/** Marks the team's fit as failed and wakes every thread waiting at its barrier. */
export function abortTeam(team: Pick<GbtTeam, 'sync'>): never {
  Atomics.store(team.sync, 2, 1);
  Atomics.notify(team.sync, 1);
  throw new GbtTeamAborted('a gradient-boosting thread failed');
}
