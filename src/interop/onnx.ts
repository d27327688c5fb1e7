/**
 * A run's encoder or decoder as an ONNX graph (opset 13), serialised with the generated `onnx.proto` classes of
 * `onnx-proto` (over protobufjs). The weights are PyTorch's tensors (torch-layout.ts), named by their state-dict
 * keys, so the graph is the one `torch.onnx.export` would give for disent's modules, NCHW like them:
 *
 *   encoder: images N×C×H×W in [0, 1] → 4 × (Conv 4×4 s2 pad 2, Relu) → Flatten → Gemm, Relu → Gemm
 *            → Split → means N×z, logvars N×z   (an encoder with z outputs gives `means` alone)
 *   decoder: z N×z → Gemm, Relu → Gemm, Relu → Reshape N×64×H/16×W/16 → 3 × (ConvTranspose 4×4 s2 pad 1, Relu)
 *            → ConvTranspose → decoded N×C×H×W (raw, before any sigmoid)
 */
import onnxProto from 'onnx-proto';
import type { EncoderDecoder } from '../nn/index.js';
import { loadRun } from '../train/index.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { exportTorchTensors } from './torch-layout.js';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IValueInfo = onnxProto.onnx.IValueInfoProto;

export const ONNX_OPSET = 13;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function floatTensor(name: string, shape: number[], data: Float32Array): ITensor {
  return {
    name,
    dims: shape,
    dataType: FLOAT,
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}

function int64Tensor(name: string, values: number[]): ITensor {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(data.buffer) };
}

/** A float tensor input or output; a string dimension is symbolic (the batch). */
function valueInfo(name: string, dims: Array<number | string>): IValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

const ints = (name: string, values: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
const int = (name: string, value: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });

/** Graph-building state: nodes, initialisers, a counter for intermediate names. */
class Graph {
  readonly nodes: INode[] = [];
  readonly inits: ITensor[] = [];
  private k = 0;

  op(opType: string, inputs: string[], attribute: INode['attribute'] = [], outputs?: string[]): string {
    const out = outputs ?? [`${opType.toLowerCase()}_${this.k++}`];
    this.nodes.push({ opType, input: inputs, output: out, name: `${opType}_${this.nodes.length}`, attribute });
    return out[0];
  }
}

export type OnnxPart = 'encoder' | 'decoder';

/** The model's encoder or decoder as serialised ONNX bytes. */
export function modelToOnnx(model: EncoderDecoder, part: OnnxPart): Uint8Array {
  const [h, w, c] = model.spec.obsShape;
  const z = model.spec.zDim;
  const weights = exportTorchTensors(model);
  const prefix = part === 'encoder' ? '_encoder.' : '_decoder.';
  const mine = weights.filter((t) => t.name.startsWith(prefix));
  if (!mine.length)
    throw new UserError('this run has no decoder (its framework trains the encoder alone): export the encoder');
  const g = new Graph();
  g.inits.push(...mine.map((t) => floatTensor(t.name, t.shape, t.data)));
  const wb = (m: number) => [`${prefix}model.${m}.weight`, `${prefix}model.${m}.bias`];
  let inputs: IValueInfo[];
  let outputs: IValueInfo[];
  if (part === 'encoder') {
    let x = 'images';
    for (const m of [0, 2, 4, 6])
      x = g.op('Relu', [
        g.op(
          'Conv',
          [x, ...wb(m)],
          [ints('kernel_shape', [4, 4]), ints('strides', [2, 2]), ints('pads', [2, 2, 2, 2])],
        ),
      ]);
    x = g.op('Flatten', [x], [int('axis', 1)]);
    x = g.op('Relu', [g.op('Gemm', [x, ...wb(9)], [int('transB', 1)])]);
    const k = mine.find((t) => t.name === `${prefix}model.11.bias`)!.shape[0] / z;
    inputs = [valueInfo('images', ['N', c, h, w])];
    if (k === 2) {
      x = g.op('Gemm', [x, ...wb(11)], [int('transB', 1)]);
      g.inits.push(int64Tensor('split_sizes', [z, z]));
      g.op('Split', [x, 'split_sizes'], [int('axis', 1)], ['means', 'logvars']);
      outputs = [valueInfo('means', ['N', z]), valueInfo('logvars', ['N', z])];
    } else {
      g.op('Gemm', [x, ...wb(11)], [int('transB', 1)], ['means']);
      outputs = [valueInfo('means', ['N', z])];
    }
  } else {
    let x = g.op('Relu', [g.op('Gemm', ['z', ...wb(0)], [int('transB', 1)])]);
    x = g.op('Relu', [g.op('Gemm', [x, ...wb(2)], [int('transB', 1)])]);
    g.inits.push(int64Tensor('unflatten_shape', [-1, 64, h / 16, w / 16]));
    x = g.op('Reshape', [x, 'unflatten_shape']);
    const deconv = [ints('kernel_shape', [4, 4]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])];
    for (const m of [5, 7, 9]) x = g.op('Relu', [g.op('ConvTranspose', [x, ...wb(m)], deconv)]);
    g.op('ConvTranspose', [x, ...wb(11)], deconv, ['decoded']);
    inputs = [valueInfo('z', ['N', z])];
    outputs = [valueInfo('decoded', ['N', c, h, w])];
  }
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'disentangle',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: `disentangle-${model.spec.architecture}-${part}`,
      node: g.nodes,
      initializer: g.inits,
      input: inputs,
      output: outputs,
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** Write the run's encoder (or decoder) to `to` as ONNX, atomically. */
export async function exportOnnx(dir: string, to: string, part: OnnxPart): Promise<{ step: number; nodes: number }> {
  const loaded = await loadRun(dir);
  try {
    const bytes = modelToOnnx(loaded.run.model, part);
    writeFileAtomic(to, bytes);
    return { step: loaded.run.step, nodes: onnx.ModelProto.decode(bytes).graph?.node?.length ?? 0 };
  } finally {
    loaded.dispose();
  }
}
