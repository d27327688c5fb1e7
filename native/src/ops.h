// The op codes shared with JavaScript. Each list below is the one source of its C++ enum and of the table
// that the addon's opTables() hands to JS, which compares it with its own enums at load
// (src/engine/torch/op-tables.ts): a stale addon is then a clear error, never a silently wrong op.
// The names are those of the JS enums (for unary and binary ops: tfjs's kernel names).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#define DISENTANGLE_DTYPES(X) X(F32) X(I32) X(BOOL)

#define DISENTANGLE_UNARY_OPS(X)                                                                                   \
  X(Abs) X(Acos) X(Acosh) X(Asin) X(Asinh) X(Atan) X(Atanh) X(Ceil) X(Cos) X(Cosh) X(Elu) X(Erf) X(Exp) X(Expm1)  \
  X(Floor) X(IsFinite) X(IsInf) X(IsNan) X(Log) X(Log1p) X(LogicalNot) X(Neg) X(Reciprocal) X(Relu) X(Relu6)      \
  X(Round) X(Rsqrt) X(Selu) X(Sigmoid) X(Sign) X(Sin) X(Sinh) X(Softplus) X(Sqrt) X(Square) X(Tan) X(Tanh)

// Elementwise ops with one or two scalar parameters.
#define DISENTANGLE_PARAM_OPS(X) X(LeakyRelu) X(Step) X(Clip) X(FillLike)

#define DISENTANGLE_BINARY_OPS(X)                                                                                  \
  X(Add) X(Sub) X(Multiply) X(RealDiv) X(FloorDiv) X(Mod) X(Maximum) X(Minimum) X(Pow) X(SquaredDifference)      \
  X(Atan2) X(Equal) X(NotEqual) X(Less) X(LessEqual) X(Greater) X(GreaterEqual) X(LogicalAnd) X(LogicalOr) X(Prelu)

#define DISENTANGLE_REDUCTIONS(X) X(Sum) X(Mean) X(Max) X(Min) X(Prod) X(All) X(Any) X(ArgMax) X(ArgMin)

// The activations fused into matrix products and convolutions.
#define DISENTANGLE_ACTIVATIONS(X) X(Linear) X(Relu) X(Relu6) X(Elu) X(Sigmoid) X(LeakyRelu) X(Prelu)

#define DISENTANGLE_ENUMERATOR(name) name,
#define DISENTANGLE_NAME(name) #name,

namespace dt {

enum class DType : int32_t { DISENTANGLE_DTYPES(DISENTANGLE_ENUMERATOR) };
enum class Unary : int32_t { DISENTANGLE_UNARY_OPS(DISENTANGLE_ENUMERATOR) };
enum class Param : int32_t { DISENTANGLE_PARAM_OPS(DISENTANGLE_ENUMERATOR) };
enum class Binary : int32_t { DISENTANGLE_BINARY_OPS(DISENTANGLE_ENUMERATOR) };
enum class Reduce : int32_t { DISENTANGLE_REDUCTIONS(DISENTANGLE_ENUMERATOR) };
enum class Activation : int32_t { DISENTANGLE_ACTIVATIONS(DISENTANGLE_ENUMERATOR) };

inline constexpr const char* kDTypeNames[] = {DISENTANGLE_DTYPES(DISENTANGLE_NAME)};
inline constexpr const char* kUnaryNames[] = {DISENTANGLE_UNARY_OPS(DISENTANGLE_NAME)};
inline constexpr const char* kParamNames[] = {DISENTANGLE_PARAM_OPS(DISENTANGLE_NAME)};
inline constexpr const char* kBinaryNames[] = {DISENTANGLE_BINARY_OPS(DISENTANGLE_NAME)};
inline constexpr const char* kReduceNames[] = {DISENTANGLE_REDUCTIONS(DISENTANGLE_NAME)};
inline constexpr const char* kActivationNames[] = {DISENTANGLE_ACTIVATIONS(DISENTANGLE_NAME)};

/** A JS op code as enum E, checked against the size of its name table (`what` names the table in errors). */
template <typename E, size_t N>
E decode(int32_t code, const char* const (&names)[N], const char* what) {
  if (code < 0 || static_cast<size_t>(code) >= N) {
    throw std::runtime_error(std::string("unknown ") + what + " code " + std::to_string(code) +
                             " (native addon out of date? rebuild with npm run build:native)");
  }
  return static_cast<E>(code);
}

}  // namespace dt
