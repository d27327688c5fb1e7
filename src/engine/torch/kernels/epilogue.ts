/** The fused epilogue of _FusedMatMul and the fused convolutions: bias, then activation. */
import type { TensorInfo, _FusedMatMulAttrs } from '@tensorflow/tfjs-core';
import type { TorchBackend } from '../backend.js';
import type { Epilogue } from '../native.js';
import { Activation } from '../op-tables.js';

/** tfjs's names of the fused activations. */
type TfActivation = _FusedMatMulAttrs['activation'];

const ACTIVATIONS: Record<TfActivation, Activation> = {
  linear: Activation.Linear,
  relu: Activation.Relu,
  relu6: Activation.Relu6,
  elu: Activation.Elu,
  sigmoid: Activation.Sigmoid,
  leakyrelu: Activation.LeakyRelu,
  prelu: Activation.Prelu,
};

/** The inputs and attributes of a fused op that its epilogue reads (all absent for the plain op). */
export interface FusedParts {
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
  activation?: TfActivation;
  leakyreluAlpha?: number;
}

export function epilogue(b: TorchBackend, f: FusedParts): Epilogue {
  const activation = ACTIVATIONS[f.activation ?? 'linear'];
  if (activation === undefined) throw new Error(`torch backend: fused activation '${f.activation}' is not supported`);
  return {
    bias: f.bias && b.arg(f.bias),
    activation,
    leakyreluAlpha: f.leakyreluAlpha ?? 0.2, // tfjs's default
    prelu: f.preluActivationWeights && b.arg(f.preluActivationWeights),
  };
}
