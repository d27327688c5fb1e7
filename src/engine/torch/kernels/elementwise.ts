/** Elementwise kernels: unary maths, parametrised ops, broadcasting binary ops, Select and AddN. */
import {
  Abs,
  Acos,
  Acosh,
  Add,
  AddN,
  Asin,
  Asinh,
  Atan,
  Atan2,
  Atanh,
  Ceil,
  ClipByValue,
  Cos,
  Cosh,
  Elu,
  Equal,
  Erf,
  Exp,
  Expm1,
  Floor,
  FloorDiv,
  Greater,
  GreaterEqual,
  IsFinite,
  IsInf,
  IsNan,
  LeakyRelu,
  Less,
  LessEqual,
  Log,
  Log1p,
  LogicalAnd,
  LogicalNot,
  LogicalOr,
  Maximum,
  Minimum,
  Mod,
  Multiply,
  Neg,
  NotEqual,
  OnesLike,
  Pow,
  Prelu,
  RealDiv,
  Reciprocal,
  Relu,
  Relu6,
  Round,
  Rsqrt,
  Select,
  Selu,
  Sigmoid,
  Sign,
  Sin,
  Sinh,
  Softplus,
  Sqrt,
  Square,
  SquaredDifference,
  Step,
  Sub,
  Tan,
  Tanh,
  ZerosLike,
  backend_util,
  upcastType,
  type AddNInputs,
  type BinaryInputs,
  type ClipByValueAttrs,
  type DataType,
  type KernelConfig,
  type LeakyReluAttrs,
  type PreluInputs,
  type SelectInputs,
  type StepAttrs,
  type TensorInfo,
  type UnaryInputs,
} from '@tensorflow/tfjs-core';
import { dtCode, type TorchBackend } from '../backend.js';
import { Binary, DT, Param, Unary } from '../op-tables.js';
import { kernel } from './kernel.js';

/** A unary op's output dtype: the input's when it is int32 ('keep', else float32), bool, or float32. */
type UnaryOut = 'keep' | 'bool' | 'float';

const UNARY: Array<[kernelName: string, op: Unary, out: UnaryOut]> = [
  [Abs, Unary.Abs, 'keep'],
  [Acos, Unary.Acos, 'float'],
  [Acosh, Unary.Acosh, 'float'],
  [Asin, Unary.Asin, 'float'],
  [Asinh, Unary.Asinh, 'float'],
  [Atan, Unary.Atan, 'float'],
  [Atanh, Unary.Atanh, 'float'],
  [Ceil, Unary.Ceil, 'keep'],
  [Cos, Unary.Cos, 'float'],
  [Cosh, Unary.Cosh, 'float'],
  [Elu, Unary.Elu, 'float'],
  [Erf, Unary.Erf, 'float'],
  [Exp, Unary.Exp, 'float'],
  [Expm1, Unary.Expm1, 'float'],
  [Floor, Unary.Floor, 'keep'],
  [IsFinite, Unary.IsFinite, 'bool'],
  [IsInf, Unary.IsInf, 'bool'],
  [IsNan, Unary.IsNan, 'bool'],
  [Log, Unary.Log, 'float'],
  [Log1p, Unary.Log1p, 'float'],
  [LogicalNot, Unary.LogicalNot, 'bool'],
  [Neg, Unary.Neg, 'keep'],
  [Reciprocal, Unary.Reciprocal, 'float'],
  [Relu, Unary.Relu, 'keep'],
  [Relu6, Unary.Relu6, 'keep'],
  [Round, Unary.Round, 'keep'],
  [Rsqrt, Unary.Rsqrt, 'float'],
  [Selu, Unary.Selu, 'float'],
  [Sigmoid, Unary.Sigmoid, 'float'],
  [Sign, Unary.Sign, 'keep'],
  [Sin, Unary.Sin, 'float'],
  [Sinh, Unary.Sinh, 'float'],
  [Softplus, Unary.Softplus, 'float'],
  [Sqrt, Unary.Sqrt, 'float'],
  [Square, Unary.Square, 'keep'],
  [Tan, Unary.Tan, 'float'],
  [Tanh, Unary.Tanh, 'float'],
];

function unaryKernel(kernelName: string, op: Unary, out: UnaryOut): KernelConfig {
  return kernel<UnaryInputs>(kernelName, ({ x }, b) => {
    const dtype: DataType = out === 'bool' ? 'bool' : out === 'keep' && x.dtype === 'int32' ? 'int32' : 'float32';
    return b.output(b.native.unary(op, b.slot(x), dtCode(dtype)), x.shape, dtype);
  });
}

/** How a binary op picks its dtypes: comparisons give bool, logical ops compute in bool, two compute in float. */
type BinaryKind = 'arithmetic' | 'float' | 'comparison' | 'logical';

const BINARY: Array<[kernelName: string, op: Binary, kind: BinaryKind]> = [
  [Add, Binary.Add, 'arithmetic'],
  [Sub, Binary.Sub, 'arithmetic'],
  [Multiply, Binary.Multiply, 'arithmetic'],
  [RealDiv, Binary.RealDiv, 'float'],
  [FloorDiv, Binary.FloorDiv, 'arithmetic'],
  [Mod, Binary.Mod, 'arithmetic'],
  [Maximum, Binary.Maximum, 'arithmetic'],
  [Minimum, Binary.Minimum, 'arithmetic'],
  [Pow, Binary.Pow, 'arithmetic'],
  [SquaredDifference, Binary.SquaredDifference, 'arithmetic'],
  [Atan2, Binary.Atan2, 'float'],
  [Equal, Binary.Equal, 'comparison'],
  [NotEqual, Binary.NotEqual, 'comparison'],
  [Less, Binary.Less, 'comparison'],
  [LessEqual, Binary.LessEqual, 'comparison'],
  [Greater, Binary.Greater, 'comparison'],
  [GreaterEqual, Binary.GreaterEqual, 'comparison'],
  [LogicalAnd, Binary.LogicalAnd, 'logical'],
  [LogicalOr, Binary.LogicalOr, 'logical'],
];

function binary(op: Binary, kind: BinaryKind, x: TensorInfo, y: TensorInfo, b: TorchBackend): TensorInfo {
  const shape = backend_util.assertAndGetBroadcastShape(x.shape, y.shape);
  const up = upcastType(x.dtype, y.dtype);
  let out: DataType;
  let compute: DataType;
  if (kind === 'comparison' || kind === 'logical') {
    out = 'bool';
    compute = kind === 'logical' ? 'bool' : up === 'bool' ? 'int32' : up;
  } else {
    out = up === 'bool' ? 'int32' : up;
    compute = kind === 'float' ? 'float32' : out;
  }
  const slot = b.native.binary(op, b.slot(x), x.shape, b.slot(y), y.shape, dtCode(out), dtCode(compute));
  return b.output(slot, shape, out);
}

export const elementwiseKernels: KernelConfig[] = [
  ...UNARY.map(([name, op, out]) => unaryKernel(name, op, out)),

  kernel<UnaryInputs, LeakyReluAttrs>(LeakyRelu, ({ x }, b, { alpha }) =>
    b.output(b.native.param(Param.LeakyRelu, b.slot(x), alpha, 0, DT.F32), x.shape, 'float32'),
  ),
  kernel<UnaryInputs, StepAttrs>(Step, ({ x }, b, { alpha }) =>
    b.output(b.native.param(Param.Step, b.slot(x), alpha, 0, DT.F32), x.shape, 'float32'),
  ),
  kernel<UnaryInputs, ClipByValueAttrs>(ClipByValue, ({ x }, b, { clipValueMin, clipValueMax }) =>
    b.output(b.native.param(Param.Clip, b.slot(x), clipValueMin, clipValueMax, dtCode(x.dtype)), x.shape, x.dtype),
  ),
  kernel<UnaryInputs>(ZerosLike, ({ x }, b) =>
    b.output(b.native.param(Param.FillLike, b.slot(x), 0, 0, dtCode(x.dtype)), x.shape, x.dtype),
  ),
  kernel<UnaryInputs>(OnesLike, ({ x }, b) =>
    b.output(b.native.param(Param.FillLike, b.slot(x), 1, 0, dtCode(x.dtype)), x.shape, x.dtype),
  ),

  ...BINARY.map(([name, op, kind]) => kernel<BinaryInputs>(name, ({ a, b: y }, b) => binary(op, kind, a, y, b))),
  kernel<PreluInputs>(Prelu, ({ x, alpha }, b) => binary(Binary.Prelu, 'arithmetic', x, alpha, b)),

  kernel<SelectInputs>(Select, ({ condition, t, e }, b) => {
    const dtype = upcastType(t.dtype, e.dtype);
    const slot = b.native.select(
      b.slot(condition),
      condition.shape,
      b.slot(t),
      t.shape,
      b.slot(e),
      e.shape,
      dtCode(dtype),
    );
    return b.output(slot, t.shape, dtype);
  }),

  kernel<AddNInputs>(AddN, (inputs, b) => {
    const list = Object.values(inputs);
    const dtype = list.map((t) => t.dtype).reduce((p, c) => upcastType(p, c));
    const slot = b.native.addN(
      list.map((t) => b.slot(t)),
      dtCode(dtype),
    );
    return b.output(slot, list[0].shape, dtype);
  }),
];
