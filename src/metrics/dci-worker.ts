/**
 * Worker thread for DCI (dci.ts): for each model the calling thread posts, fits its share of the trees
 * (see GbtTeam in learners/gbt.ts). A failure marks the team's fit failed, so the calling thread redoes it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  abortTeam,
  fitGradientBoosting,
  presortFeatures,
  GbtTeamAborted,
  type GbtBuffers,
  type GbtOptions,
} from './learners/gbt.js';

const { codes, n, d, evalCodes, nEval, opts, loaded } = workerData as {
  codes: Float32Array | Float64Array;
  n: number;
  d: number;
  evalCodes: Float32Array | Float64Array;
  nEval: number;
  opts: GbtOptions;
  loaded: Int32Array;
};
Atomics.add(loaded, 0, 1); // tells the calling thread this helper started (GbtTeam.loaded)
const presorted = presortFeatures(codes, n, d);

parentPort!.on(
  'message',
  (m: { y: Int32Array; buffers: GbtBuffers; sync: Int32Array; rank: number; threads: number }) => {
    const team = { threads: m.threads, rank: m.rank, sync: m.sync, buffers: m.buffers };
    try {
      fitGradientBoosting(codes, n, d, m.y, { ...opts, evalCodes, nEval, presorted, team });
    } catch (e) {
      if (!(e instanceof GbtTeamAborted)) {
        try {
          abortTeam(team);
        } catch {
          /* the team now knows */
        }
      }
    }
  },
);
