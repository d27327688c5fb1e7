// Elementwise ops: unary maths, parametrised ops (leaky ReLU, step, clip, fill), broadcasting binary ops,
// select and addN. Unary and parametrised ops need no shape: they work on the flat storage.
#include "common.h"

#include <ATen/Parallel.h>

namespace dt {

namespace {

at::Tensor unary(Unary op, const at::Tensor& x) {
  switch (op) {
    case Unary::Abs: return at::abs(x);
    case Unary::Acos: return at::acos(x);
    case Unary::Acosh: return at::acosh(x);
    case Unary::Asin: return at::asin(x);
    case Unary::Asinh: return at::asinh(x);
    case Unary::Atan: return at::atan(x);
    case Unary::Atanh: return at::atanh(x);
    case Unary::Ceil: return at::ceil(x);
    case Unary::Cos: return at::cos(x);
    case Unary::Cosh: return at::cosh(x);
    case Unary::Elu: return at::elu(x);
    case Unary::Erf: return at::erf(x);
    case Unary::Exp: return at::exp(x);
    case Unary::Expm1: return at::expm1(x);
    case Unary::Floor: return at::floor(x);
    case Unary::IsFinite: return at::isfinite(x);
    case Unary::IsInf: return at::isinf(x);
    case Unary::IsNan: return at::isnan(x);
    case Unary::Log: return at::log(x);
    case Unary::Log1p: return at::log1p(x);
    case Unary::LogicalNot: return at::logical_not(x);
    case Unary::Neg: return at::neg(x);
    case Unary::Reciprocal: return at::reciprocal(x);
    case Unary::Relu: return at::relu(x);
    case Unary::Relu6: return at::clamp(x, 0, 6);
    case Unary::Round: return at::round(x);
    case Unary::Rsqrt: return at::rsqrt(x);
    case Unary::Selu: return at::selu(x);
    case Unary::Sigmoid: return at::sigmoid(x);
    case Unary::Sign: return at::sign(x);
    case Unary::Sin: return at::sin(x);
    case Unary::Sinh: return at::sinh(x);
    case Unary::Softplus: return at::softplus(x);
    case Unary::Sqrt: return at::sqrt(x);
    case Unary::Square: return at::mul(x, x);
    case Unary::Tan: return at::tan(x);
    case Unary::Tanh: return at::tanh(x);
  }
  throw std::runtime_error("unknown unary op " + std::to_string(static_cast<int>(op)));
}

// tfjs step: 1 where x > 0, alpha elsewhere, NaN stays NaN. Branch-free so that it vectorises (random signs
// defeat the branch predictor); __restrict tells the compiler the buffers do not overlap.
void stepLoop(const float* __restrict px, float* __restrict py, int64_t lo, int64_t hi, float alpha) {
  for (int64_t i = lo; i < hi; ++i) {
    const float v = px[i];
    const float r = v > 0 ? 1.0f : alpha;
    py[i] = v != v ? v : r;
  }
}

// Step is half of every ReLU gradient (dy * step(x)), so on the CPU it is one fused pass, not four ops.
at::Tensor step(const at::Tensor& x, double alpha) {
  auto xf = x.to(at::kFloat);
  if (!xf.is_cpu()) return at::where(at::isnan(xf), xf, at::where(xf > 0, at::ones_like(xf), at::full_like(xf, alpha)));
  auto y = at::empty_like(xf);
  const float* px = xf.data_ptr<float>();
  float* py = y.data_ptr<float>();
  const float a = static_cast<float>(alpha);
  at::parallel_for(0, xf.numel(), 1 << 16, [&](int64_t lo, int64_t hi) { stepLoop(px, py, lo, hi, a); });
  return y;
}

at::Tensor binary(Binary op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case Binary::Add: return at::add(a, b);
    case Binary::Sub: return at::sub(a, b);
    case Binary::Multiply: return at::mul(a, b);
    case Binary::RealDiv: return at::div(a, b);
    case Binary::FloorDiv: return at::div(a, b, "floor");
    case Binary::Mod: return at::remainder(a, b);  // sign of the divisor, as tfjs
    case Binary::Maximum: return at::maximum(a, b);
    case Binary::Minimum: return at::minimum(a, b);
    case Binary::Pow: return at::pow(a, b);
    case Binary::SquaredDifference: {
      auto d = at::sub(a, b);
      return d.mul_(d);
    }
    case Binary::Atan2: return at::atan2(a, b);
    case Binary::Equal: return at::eq(a, b);
    case Binary::NotEqual: return at::ne(a, b);
    case Binary::Less: return at::lt(a, b);
    case Binary::LessEqual: return at::le(a, b);
    case Binary::Greater: return at::gt(a, b);
    case Binary::GreaterEqual: return at::ge(a, b);
    case Binary::LogicalAnd: return at::logical_and(a, b);
    case Binary::LogicalOr: return at::logical_or(a, b);
    case Binary::Prelu: return at::where(a < 0, a * b, a);
  }
  throw std::runtime_error("unknown binary op " + std::to_string(static_cast<int>(op)));
}

}  // namespace

// unary(op, id, outDtype) -> id
Napi::Value UnaryFn(const Napi::CallbackInfo& info) {
  const auto op = decode<Unary>(I(info, 0), kUnaryNames, "unary op");
  const DType out = dtypeArg(info, 2);
  at::Tensor x = slot(I(info, 1));
  // Float-valued maths on int tensors: compute in float (tfjs casts these the same way).
  if (out == DType::F32 && x.scalar_type() != at::kFloat) x = x.to(at::kFloat);
  return ret(info, unary(op, x), out);
}

// param(op, id, a, b, outDtype) -> id
Napi::Value ParamFn(const Napi::CallbackInfo& info) {
  const auto op = decode<Param>(I(info, 0), kParamNames, "param op");
  const at::Tensor& x = slot(I(info, 1));
  const double a = D(info, 2), b = D(info, 3);
  const DType out = dtypeArg(info, 4);
  switch (op) {
    case Param::LeakyRelu: return ret(info, at::leaky_relu(x.to(at::kFloat), a), out);
    case Param::Step: return ret(info, step(x, a), out);
    case Param::Clip: return ret(info, at::clamp(x, a, b), out);
    case Param::FillLike: return ret(info, at::full_like(x, a, opts(out)), out);
  }
  throw std::runtime_error("unknown param op " + std::to_string(static_cast<int>(op)));
}

// binary(op, a, aShape, b, bShape, outDtype, computeDtype) -> id (libtorch broadcasts like tfjs)
Napi::Value BinaryFn(const Napi::CallbackInfo& info) {
  const auto op = decode<Binary>(I(info, 0), kBinaryNames, "binary op");
  const DType out = dtypeArg(info, 5);
  const auto compute = scalarType(dtypeArg(info, 6));
  at::Tensor a = slot(I(info, 1));
  at::Tensor b = slot(I(info, 3));
  const auto as = ints(info[2]), bs = ints(info[4]);
  if (as != bs) {
    a = a.view(as);
    b = b.view(bs);
  }
  if (a.scalar_type() != compute) a = a.to(compute);
  if (b.scalar_type() != compute) b = b.to(compute);
  return ret(info, binary(op, a, b), out);
}

// select(cond, cShape, a, aShape, b, bShape, outDtype) -> id
Napi::Value Select(const Napi::CallbackInfo& info) {
  auto c = viewed(info, 0, 1);
  auto a = viewed(info, 2, 3);
  auto b = viewed(info, 4, 5);
  if (c.dim() == 1 && a.dim() > 1) {  // tfjs where: a rank-1 condition picks whole rows
    std::vector<int64_t> s(a.dim(), 1);
    s[0] = c.size(0);
    c = c.view(s);
  }
  return ret(info, at::where(c.to(at::kBool), a, b), dtypeArg(info, 6));
}

// addN(ids[], outDtype) -> id
Napi::Value AddN(const Napi::CallbackInfo& info) {
  const auto ids = ints(info[0]);
  at::Tensor acc = slot(static_cast<int32_t>(ids[0])).clone();
  for (size_t i = 1; i < ids.size(); ++i) acc.add_(slot(static_cast<int32_t>(ids[i])));
  return ret(info, acc, dtypeArg(info, 1));
}

}  // namespace dt
