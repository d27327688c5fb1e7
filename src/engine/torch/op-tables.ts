/**
 * The op codes shared with the native addon. native/src/ops.h lists the same ops; the addon hands its lists
 * over as `opTables()`, and `checkOpTables` compares them with these enums when the addon loads, so that an
 * addon built from other sources is a clear error rather than a wrong op.
 * Unary and binary op names are tfjs's kernel names.
 */

/** dtype codes. */
export enum DT {
  F32,
  I32,
  BOOL,
}

export enum Unary {
  Abs,
  Acos,
  Acosh,
  Asin,
  Asinh,
  Atan,
  Atanh,
  Ceil,
  Cos,
  Cosh,
  Elu,
  Erf,
  Exp,
  Expm1,
  Floor,
  IsFinite,
  IsInf,
  IsNan,
  Log,
  Log1p,
  LogicalNot,
  Neg,
  Reciprocal,
  Relu,
  Relu6,
  Round,
  Rsqrt,
  Selu,
  Sigmoid,
  Sign,
  Sin,
  Sinh,
  Softplus,
  Sqrt,
  Square,
  Tan,
  Tanh,
}

/** Elementwise ops with one or two scalar parameters. */
export enum Param {
  LeakyRelu,
  Step,
  Clip,
  FillLike,
}

export enum Binary {
  Add,
  Sub,
  Multiply,
  RealDiv,
  FloorDiv,
  Mod,
  Maximum,
  Minimum,
  Pow,
  SquaredDifference,
  Atan2,
  Equal,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  LogicalAnd,
  LogicalOr,
  Prelu,
}

export enum Reduce {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  All,
  Any,
  ArgMax,
  ArgMin,
}

/** The activations fused into matrix products and convolutions. */
export enum Activation {
  Linear,
  Relu,
  Relu6,
  Elu,
  Sigmoid,
  LeakyRelu,
  Prelu,
}

/** Each table maps an op's name to its code. */
export interface OpTables {
  dtypes: Record<string, number>;
  unaryOps: Record<string, number>;
  paramOps: Record<string, number>;
  binaryOps: Record<string, number>;
  reductions: Record<string, number>;
  activations: Record<string, number>;
}

/** A numeric TS enum's members as {name: code} (the enum object also maps codes back to names). */
function members(e: Record<string, string | number>): Record<string, number> {
  return Object.fromEntries(Object.entries(e).filter((kv): kv is [string, number] => typeof kv[1] === 'number'));
}

/** The tables the JS side was written against. */
export function expectedOpTables(): OpTables {
  return {
    dtypes: members(DT),
    unaryOps: members(Unary),
    paramOps: members(Param),
    binaryOps: members(Binary),
    reductions: members(Reduce),
    activations: members(Activation),
  };
}

/**
 * Throw unless the addon's op tables (what its `opTables()` returned) name the same ops with the same codes
 * as `expected`; the error lists the first differences.
 */
export function checkOpTables(got: unknown, expected: OpTables = expectedOpTables()): void {
  const problems: string[] = [];
  for (const [table, want] of Object.entries(expected) as Array<[string, Record<string, number>]>) {
    const have = typeof got === 'object' && got !== null ? (got as Record<string, unknown>)[table] : undefined;
    if (typeof have !== 'object' || have === null) {
      problems.push(`it has no ${table} table`);
      continue;
    }
    const codes = have as Record<string, unknown>;
    for (const [name, code] of Object.entries(want)) {
      if (!(name in codes)) problems.push(`${table}.${name} is missing there`);
      else if (codes[name] !== code) problems.push(`${table}.${name} is ${String(codes[name])} there, ${code} here`);
    }
    for (const name of Object.keys(codes)) if (!(name in want)) problems.push(`${table}.${name} is unknown here`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; ${problems.length - 3} more` : '');
    throw new Error(`native addon out of date: rebuild with npm run build:native (${shown})`);
  }
}
