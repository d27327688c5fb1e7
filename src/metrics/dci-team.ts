/**
 * DCI's threads (dci.ts): helpers that fit each factor's gradient-boosting model together with the calling
 * thread, each taking a share of every stage's trees (GbtTeam in learners/gbt-team.ts). Both sides are
 * here: DciTeam on the calling thread, dciHelper on the helpers (helper-worker.ts). The calling thread
 * blocks until each model is done, so dci() stays synchronous; a model whose team fails is fitted again by
 * the calling thread alone.
 */
import {
  abortTeam,
  fitGradientBoosting,
  gbtBuffers,
  gbtShape,
  presortFeatures,
  GbtTeamAborted,
  type GbtBuffers,
  type GbtModel,
  type GbtOptions,
  type SortedFeatures,
} from './learners/gbt.js';
import { countRedone, Helpers, type HelperFactory } from './threads.js';
import type { CodesAndFactors } from './utils.js';

/** A helper's start-up data: the train codes (n × d) it fits on, the test codes it predicts. */
interface DciInit {
  codes: Float32Array | Float64Array;
  n: number;
  d: number;
  evalCodes: Float32Array | Float64Array;
  nEval: number;
  opts: GbtOptions;
}

/** One model to fit: labels y, the team's shared memory, this helper's rank among `threads`. */
interface DciMessage {
  y: Int32Array;
  buffers: GbtBuffers;
  sync: Int32Array;
  rank: number;
  threads: number;
}

/** The helpers' side: presorts the codes once, then fits its share of each model it is posted. */
export const dciHelper: HelperFactory<DciInit, DciMessage> = ({ codes, n, d, evalCodes, nEval, opts }) => {
  const presorted = presortFeatures(codes, n, d);
  return (m) => {
    const team = { threads: m.threads, rank: m.rank, sync: m.sync, buffers: m.buffers };
    try {
      fitGradientBoosting(codes, n, d, m.y, { ...opts, evalCodes, nEval, presorted, team });
    } catch (e) {
      if (!(e instanceof GbtTeamAborted)) {
        try {
          abortTeam(team); // the calling thread then fits this model alone
        } catch {
          /* the team now knows */
        }
      }
    }
  };
};

/** The calling thread's side: `count` helpers (none from the TypeScript sources), used model by model. */
export class DciTeam {
  private readonly helpers: Helpers<DciInit, DciMessage>;
  private readonly codes: Float32Array | Float64Array;

  constructor(
    count: number,
    train: CodesAndFactors,
    test: CodesAndFactors,
    private readonly opts: GbtOptions,
  ) {
    this.codes = train.codes;
    const init = { codes: train.codes, n: train.n, d: train.numCodes, evalCodes: test.codes, nEval: test.n, opts };
    this.helpers = new Helpers('dci', count, init);
  }

  /** Fits factor labels y; the model's evalPredictions are those on the test codes. */
  fit(y: Int32Array, presorted: SortedFeatures, test: CodesAndFactors): GbtModel {
    const { n, d } = presorted;
    const threads = this.helpers.count + 1,
      T = gbtShape(y).trees;
    const evaluate = { evalCodes: test.codes, nEval: test.n };
    if (threads > 1 && T > 1) {
      const buffers = gbtBuffers(n, d, T, this.opts.nEstimators, this.opts.maxDepth, true, test.n);
      const sync = new Int32Array(new SharedArrayBuffer(12));
      this.helpers.post((rank) => ({ y, buffers, sync, rank, threads }));
      try {
        return fitGradientBoosting(this.codes, n, d, y, {
          ...this.opts,
          ...evaluate,
          presorted,
          team: { threads, rank: 0, sync, buffers, loaded: this.helpers.loaded },
        });
      } catch (e) {
        if (!(e instanceof GbtTeamAborted)) throw e;
        countRedone();
        this.close(); // the team is broken: the calling thread fits this model and the rest alone
      }
    }
    return fitGradientBoosting(this.codes, n, d, y, { ...this.opts, ...evaluate, presorted });
  }

  close(): void {
    this.helpers.close();
  }
}
