/** Defaults of `evaluate`, in a module without tensors (the CLI shows them in --help before loading anything). */
import type { EvalPresetName } from '../metrics/define.js';

/** 10,000 train / 5,000 test codes as disentanglement_lib; the 'quick' preset for the sampled scores. */
export const evaluateDefaults = { numTrain: 10000, numTest: 5000, seed: 0, preset: 'quick' as EvalPresetName };
