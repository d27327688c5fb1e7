/**
 * Adam for every backend: tfjs's own AdamOptimizer, whose update on the `torch` backend runs as one fused
 * native pass per variable instead of a dozen elementwise kernels. Same formula, same state (m, v, β^t), so
 * getWeights/setWeights, checkpoints and resumption work as with tf.train.adam.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TorchBackend } from './torch/backend.js';

interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(grads: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getBackend() !== 'torch') {
      super.applyGradients(grads);
      return;
    }
    const backend = tf.backend() as TorchBackend;
    // tfjs keeps these private; they are plain fields, and keeping them is what lets getWeights/setWeights work.
    const state = this as unknown as AdamState;
    const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
    const b1p = state.accBeta1.dataSync()[0];
    const b2p = state.accBeta2.dataSync()[0];
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        state.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        state.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient: tf.Tensor | undefined = Array.isArray(grads) ? grads[i].tensor : grads[name];
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const [p2, m2, v2] = backend.native.adam({
          variable: backend.slot(value),
          m: backend.slot(m),
          v: backend.slot(v),
          gradient: backend.slot(gradient),
          learningRate: this.learningRate,
          beta1: this.beta1,
          beta2: this.beta2,
          epsilon: this.epsilon,
          beta1Power: b1p,
          beta2Power: b2p,
        });
        const wrap = (slot: number) =>
          tf.engine().makeTensorFromTensorInfo(backend.output(slot, value.shape, 'float32'));
        m.assign(wrap(m2));
        v.assign(wrap(v2));
        value.assign(wrap(p2));
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** Adam (tfjs's defaults: ε = 1e-7 unless given), fused on the native backend. */
export function adam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.AdamOptimizer {
  return new FusedAdam(learningRate, beta1, beta2, epsilon);
}
