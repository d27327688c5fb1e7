/**
 * Interchange with other tools: run folders to and from PyTorch state dicts (safetensors, disent's module names),
 * the encoder or decoder as an ONNX graph, and a run's codes for the images of an .npz.
 */
export {
  encodeSafetensors,
  readSafetensors,
  MAX_HEADER_BYTES,
  type NamedTensor,
  type SafetensorsFile,
} from './safetensors.js';
export {
  torchLayout,
  torchArchitectures,
  exportTorchTensors,
  fromTorch,
  permuteAxes,
  type TorchEntry,
} from './torch-layout.js';
export { runToSafetensors, exportSafetensors, importSafetensors, checkStateDict, type ImportResult } from './torch.js';
export { modelToOnnx, exportOnnx, ONNX_OPSET, type OnnxPart } from './onnx.js';
export { readImages, encodeBatches, encodeNpz, type Codes, type EncodeOptions } from './codes.js';
