// disentangle's native tensor engine: the storage and kernels of the tfjs `torch` backend, on libtorch (ATen).
//
// Storage model: every tfjs tensor's data is one contiguous, flat libtorch tensor in a slot table; JS holds
// the slot number. tfjs is the authority on shapes, so kernels receive the shapes they need and view the flat
// storage accordingly (a view costs no copy). That makes Reshape/ExpandDims/Squeeze free on the JS side.
//
// Convolutions: tfjs tensors are NHWC. An NHWC buffer viewed as [N,H,W,C] and permuted to [N,C,H,W] *is*
// an NCHW tensor in channels-last memory format, which libtorch's convolutions take as it is (no copy, no
// transposition); their channels-last result permuted back is again a contiguous NHWC buffer.
#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <cmath>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>
#include <vector>

namespace {

// ---------------------------------------------------------------- slots

std::vector<at::Tensor> g_slots;      // index = id; undefined tensor = free
std::vector<int32_t> g_free;          // free ids, reused
int64_t g_live = 0;                   // number of live slots
at::Device g_device(at::kCPU);

enum DType { F32 = 0, I32 = 1, BOOL = 2 };

at::ScalarType scalarType(int code) {
  switch (code) {
    case F32: return at::kFloat;
    case I32: return at::kInt;
    case BOOL: return at::kBool;
  }
  throw std::runtime_error("unknown dtype code " + std::to_string(code));
}

int32_t put(at::Tensor t, int dtype) {
  const auto st = scalarType(dtype);
  if (t.scalar_type() != st) t = t.to(st);
  if (!t.is_contiguous()) t = t.contiguous();
  t = t.view({-1});
  int32_t id;
  if (!g_free.empty()) {
    id = g_free.back();
    g_free.pop_back();
    g_slots[id] = std::move(t);
  } else {
    id = static_cast<int32_t>(g_slots.size());
    g_slots.push_back(std::move(t));
  }
  ++g_live;
  return id;
}

const at::Tensor& slot(int32_t id) {
  if (id < 0 || static_cast<size_t>(id) >= g_slots.size() || !g_slots[id].defined()) {
    throw std::runtime_error("torch backend: tensor slot " + std::to_string(id) + " is not live (used after dispose?)");
  }
  return g_slots[id];
}

// ---------------------------------------------------------------- argument helpers

int32_t I(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }
double D(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }
bool B(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Boolean>().Value(); }

std::vector<int64_t> ints(const Napi::Value& v) {
  const auto a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < out.size(); ++i) out[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

/** The tensor in slot `id`, viewed with the shape in argument `shapeArg`. */
at::Tensor viewed(const Napi::CallbackInfo& info, size_t idArg, size_t shapeArg) {
  return slot(I(info, idArg)).view(ints(info[shapeArg]));
}

Napi::Value ret(const Napi::CallbackInfo& info, at::Tensor t, int dtype) {
  return Napi::Number::New(info.Env(), put(std::move(t), dtype));
}

// Every exported function converts C++ / libtorch errors into JS errors with libtorch's first line.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    throw Napi::Error::New(info.Env(), "libtorch: " + msg.substr(0, msg.find('\n')));
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

at::TensorOptions opts(int dtype) { return at::TensorOptions().dtype(scalarType(dtype)).device(g_device); }

// ---------------------------------------------------------------- storage

// init(threads, device) -> {version, cuda, mkldnn}
Napi::Value Init(const Napi::CallbackInfo& info) {
  const int threads = I(info, 0);
  const std::string device = info[1].As<Napi::String>().Utf8Value();
  at::set_num_threads(threads);
#if defined(__GLIBC__)
  // Training allocates and frees the same large buffers every step. glibc's defaults hand big blocks back to
  // the kernel (mmap/trim), so every step page-faults them in again: measured 40% of a conv-VAE step. Keep
  // freed blocks in the heap for reuse instead (memory stays at the peak of one step).
  // (No mmap at all: its threshold cannot exceed 32 MB, and a batch of 256 has 32 MB activations.)
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
#endif
  if (device == "cuda") {
    if (!at::hasCUDA()) throw std::runtime_error("--device cuda: the linked libtorch has no CUDA support or no GPU is visible");
    g_device = at::Device(at::kCUDA, 0);
  } else {
    g_device = at::Device(at::kCPU);
  }
  auto o = Napi::Object::New(info.Env());
  o.Set("version", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH));
  o.Set("cuda", at::hasCUDA());
  o.Set("mkldnn", at::hasMKLDNN());
  o.Set("threads", at::get_num_threads());
  return o;
}

// fromArray(typedArray, dtype) -> id (copies)
Napi::Value FromArray(const Napi::CallbackInfo& info) {
  const auto arr = info[0].As<Napi::TypedArray>();
  const int dtype = I(info, 1);
  const auto n = static_cast<int64_t>(arr.ElementLength());
  auto buf = arr.ArrayBuffer();
  const uint8_t* src = static_cast<const uint8_t*>(buf.Data()) + arr.ByteOffset();
  const auto et = arr.TypedArrayType();
  at::Tensor t;
  if (dtype == BOOL) {
    if (et != napi_uint8_array) throw std::runtime_error("bool data must be a Uint8Array");
    t = at::empty({n}, at::kBool);
    auto* dst = t.data_ptr<bool>();
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i] != 0;
  } else if (dtype == F32 && et == napi_float32_array) {
    t = at::empty({n}, at::kFloat);
    std::memcpy(t.data_ptr(), src, n * 4);
  } else if (dtype == I32 && et == napi_int32_array) {
    t = at::empty({n}, at::kInt);
    std::memcpy(t.data_ptr(), src, n * 4);
  } else {
    throw std::runtime_error("fromArray: typed array type does not match the dtype");
  }
  if (g_device != at::Device(at::kCPU)) t = t.to(g_device);
  return ret(info, t, dtype);
}

// toArray(id) -> Float32Array | Int32Array | Uint8Array (copies)
Napi::Value ToArray(const Napi::CallbackInfo& info) {
  at::Tensor t = slot(I(info, 0));
  if (t.device() != at::Device(at::kCPU)) t = t.cpu();
  const int64_t n = t.numel();
  const auto env = info.Env();
  switch (t.scalar_type()) {
    case at::kFloat: {
      auto a = Napi::Float32Array::New(env, n);
      std::memcpy(a.Data(), t.data_ptr(), n * 4);
      return a;
    }
    case at::kInt: {
      auto a = Napi::Int32Array::New(env, n);
      std::memcpy(a.Data(), t.data_ptr(), n * 4);
      return a;
    }
    case at::kBool: {
      auto a = Napi::Uint8Array::New(env, n);
      const bool* p = t.data_ptr<bool>();
      uint8_t* q = a.Data();
      for (int64_t i = 0; i < n; ++i) q[i] = p[i] ? 1 : 0;
      return a;
    }
    default: throw std::runtime_error("toArray: unexpected scalar type");
  }
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  const int32_t id = I(info, 0);
  slot(id);
  g_slots[id] = at::Tensor();
  g_free.push_back(id);
  --g_live;
  return info.Env().Undefined();
}

// memory() -> {live, bytes}
Napi::Value Memory(const Napi::CallbackInfo& info) {
  double bytes = 0;
  for (const auto& t : g_slots) if (t.defined()) bytes += static_cast<double>(t.numel() * t.element_size());
  auto o = Napi::Object::New(info.Env());
  o.Set("live", static_cast<double>(g_live));
  o.Set("bytes", bytes);
  return o;
}

// copy(id) -> id : an independent copy (tfjs expects kernels never to alias unless they say so)
Napi::Value Copy(const Napi::CallbackInfo& info) {
  const auto& t = slot(I(info, 0));
  return ret(info, t.clone(), I(info, 1));
}

// ---------------------------------------------------------------- elementwise

// Unary op codes: keep in the same order as UNARY in src/engine/torch/native.ts.
enum Unary {
  U_ABS, U_ACOS, U_ACOSH, U_ASIN, U_ASINH, U_ATAN, U_ATANH, U_CEIL, U_COS, U_COSH, U_ELU, U_ERF, U_EXP, U_EXPM1,
  U_FLOOR, U_ISFINITE, U_ISINF, U_ISNAN, U_LOG, U_LOG1P, U_LOGICALNOT, U_NEG, U_RECIPROCAL, U_RELU, U_RELU6,
  U_ROUND, U_RSQRT, U_SELU, U_SIGMOID, U_SIGN, U_SIN, U_SINH, U_SOFTPLUS, U_SQRT, U_SQUARE, U_TAN, U_TANH,
};

at::Tensor unary(int op, const at::Tensor& x) {
  switch (op) {
    case U_ABS: return at::abs(x);
    case U_ACOS: return at::acos(x);
    case U_ACOSH: return at::acosh(x);
    case U_ASIN: return at::asin(x);
    case U_ASINH: return at::asinh(x);
    case U_ATAN: return at::atan(x);
    case U_ATANH: return at::atanh(x);
    case U_CEIL: return at::ceil(x);
    case U_COS: return at::cos(x);
    case U_COSH: return at::cosh(x);
    case U_ELU: return at::elu(x);
    case U_ERF: return at::erf(x);
    case U_EXP: return at::exp(x);
    case U_EXPM1: return at::expm1(x);
    case U_FLOOR: return at::floor(x);
    case U_ISFINITE: return at::isfinite(x);
    case U_ISINF: return at::isinf(x);
    case U_ISNAN: return at::isnan(x);
    case U_LOG: return at::log(x);
    case U_LOG1P: return at::log1p(x);
    case U_LOGICALNOT: return at::logical_not(x);
    case U_NEG: return at::neg(x);
    case U_RECIPROCAL: return at::reciprocal(x);
    case U_RELU: return at::relu(x);
    case U_RELU6: return at::clamp(x, 0, 6);
    case U_ROUND: return at::round(x);
    case U_RSQRT: return at::rsqrt(x);
    case U_SELU: return at::selu(x);
    case U_SIGMOID: return at::sigmoid(x);
    case U_SIGN: return at::sign(x);
    case U_SIN: return at::sin(x);
    case U_SINH: return at::sinh(x);
    case U_SOFTPLUS: return at::softplus(x);
    case U_SQRT: return at::sqrt(x);
    case U_SQUARE: return at::mul(x, x);
    case U_TAN: return at::tan(x);
    case U_TANH: return at::tanh(x);
  }
  throw std::runtime_error("unknown unary op " + std::to_string(op));
}

// unary(op, id, outDtype) -> id. Elementwise ops need no shape: they work on the flat storage.
Napi::Value UnaryFn(const Napi::CallbackInfo& info) {
  const int out = I(info, 2);
  at::Tensor x = slot(I(info, 1));
  // Float-valued maths on int tensors: compute in float (tfjs casts these the same way).
  if (out == F32 && x.scalar_type() != at::kFloat) x = x.to(at::kFloat);
  return ret(info, unary(I(info, 0), x), out);
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

// Parametrised elementwise ops.
enum Param { P_LEAKYRELU, P_STEP, P_CLIP, P_FILLLIKE };

// param(op, id, a, b, outDtype) -> id
Napi::Value ParamFn(const Napi::CallbackInfo& info) {
  const int op = I(info, 0);
  const at::Tensor& x = slot(I(info, 1));
  const double a = D(info, 2), b = D(info, 3);
  const int out = I(info, 4);
  switch (op) {
    case P_LEAKYRELU: return ret(info, at::leaky_relu(x.to(at::kFloat), a), out);
    case P_STEP: {
      // tfjs step: 1 where x > 0, alpha elsewhere, NaN stays NaN.
      // It is half of every ReLU gradient (dy * step(x)), so on the CPU it is one fused pass, not four ops.
      auto xf = x.to(at::kFloat);
      if (!xf.is_cpu()) return ret(info, at::where(at::isnan(xf), xf, at::where(xf > 0, at::ones_like(xf), at::full_like(xf, a))), out);
      auto y = at::empty_like(xf);
      const float* px = xf.data_ptr<float>();
      float* py = y.data_ptr<float>();
      const float alpha = static_cast<float>(a);
      at::parallel_for(0, xf.numel(), 1 << 16, [&](int64_t lo, int64_t hi) { stepLoop(px, py, lo, hi, alpha); });
      return ret(info, y, out);
    }
    case P_CLIP: return ret(info, at::clamp(x, a, b), out);
    case P_FILLLIKE: return ret(info, at::full_like(x, a, opts(out)), out);
  }
  throw std::runtime_error("unknown param op " + std::to_string(op));
}

// Binary op codes: keep in the same order as BINARY in src/engine/torch/native.ts.
enum Binary {
  B_ADD, B_SUB, B_MUL, B_DIV, B_FLOORDIV, B_MOD, B_MAX, B_MIN, B_POW, B_SQDIFF, B_ATAN2, B_EQ, B_NE, B_LT, B_LE,
  B_GT, B_GE, B_AND, B_OR, B_PRELU,
};

// binary(op, a, aShape, b, bShape, outDtype, computeDtype) -> id (libtorch broadcasts like tfjs)
Napi::Value BinaryFn(const Napi::CallbackInfo& info) {
  const int op = I(info, 0);
  const int out = I(info, 5);
  const auto compute = scalarType(I(info, 6));
  at::Tensor a = slot(I(info, 1));
  at::Tensor b = slot(I(info, 3));
  const auto as = ints(info[2]), bs = ints(info[4]);
  if (as != bs) {
    a = a.view(as);
    b = b.view(bs);
  }
  if (a.scalar_type() != compute) a = a.to(compute);
  if (b.scalar_type() != compute) b = b.to(compute);
  at::Tensor y;
  switch (op) {
    case B_ADD: y = at::add(a, b); break;
    case B_SUB: y = at::sub(a, b); break;
    case B_MUL: y = at::mul(a, b); break;
    case B_DIV: y = at::div(a, b); break;
    case B_FLOORDIV: y = at::div(a, b, "floor"); break;
    case B_MOD: y = at::remainder(a, b); break;  // sign of the divisor, as tfjs
    case B_MAX: y = at::maximum(a, b); break;
    case B_MIN: y = at::minimum(a, b); break;
    case B_POW: y = at::pow(a, b); break;
    case B_SQDIFF: { auto d = at::sub(a, b); y = d.mul_(d); break; }
    case B_ATAN2: y = at::atan2(a, b); break;
    case B_EQ: y = at::eq(a, b); break;
    case B_NE: y = at::ne(a, b); break;
    case B_LT: y = at::lt(a, b); break;
    case B_LE: y = at::le(a, b); break;
    case B_GT: y = at::gt(a, b); break;
    case B_GE: y = at::ge(a, b); break;
    case B_AND: y = at::logical_and(a, b); break;
    case B_OR: y = at::logical_or(a, b); break;
    case B_PRELU: y = at::where(a < 0, a * b, a); break;
    default: throw std::runtime_error("unknown binary op " + std::to_string(op));
  }
  return ret(info, y, out);
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
  return ret(info, at::where(c.to(at::kBool), a, b), I(info, 6));
}

// addN(ids[]) -> id
Napi::Value AddN(const Napi::CallbackInfo& info) {
  const auto ids = ints(info[0]);
  at::Tensor acc = slot(static_cast<int32_t>(ids[0])).clone();
  for (size_t i = 1; i < ids.size(); ++i) acc.add_(slot(static_cast<int32_t>(ids[i])));
  return ret(info, acc, I(info, 1));
}

// ---------------------------------------------------------------- reductions

enum Reduce { R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD, R_ALL, R_ANY, R_ARGMAX, R_ARGMIN };

// reduce(op, id, shape, axes, outDtype) -> id (the kept/dropped dims are a JS-side reshape)
Napi::Value ReduceFn(const Napi::CallbackInfo& info) {
  const int op = I(info, 0);
  at::Tensor x = viewed(info, 1, 2);
  const auto axes = ints(info[3]);
  const int out = I(info, 4);
  if (axes.empty() && op != R_ARGMAX && op != R_ARGMIN) return ret(info, x.clone(), out);
  switch (op) {
    case R_SUM: return ret(info, at::sum(x, axes, false, scalarType(out)), out);
    case R_MEAN: return ret(info, at::mean(x.to(at::kFloat), axes, false), out);
    case R_MAX: return ret(info, at::amax(x, axes, false), out);
    case R_MIN: return ret(info, at::amin(x, axes, false), out);
    case R_PROD: case R_ALL: case R_ANY: {
      // libtorch reduces these over one dim at a time; go from the last axis so indices stay valid.
      std::vector<int64_t> sorted(axes);
      std::sort(sorted.rbegin(), sorted.rend());
      for (auto ax : sorted) {
        if (op == R_PROD) x = at::prod(x, ax, false, scalarType(out));
        else if (op == R_ALL) x = at::all(x, ax, false);
        else x = at::any(x, ax, false);
      }
      return ret(info, x, out);
    }
    case R_ARGMAX: return ret(info, at::argmax(x, axes[0], false), out);
    case R_ARGMIN: return ret(info, at::argmin(x, axes[0], false), out);
  }
  throw std::runtime_error("unknown reduction " + std::to_string(op));
}

// softmax(id, shape, dim, log) -> id
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  const auto dim = I(info, 2);
  return ret(info, B(info, 3) ? at::log_softmax(x, dim) : at::softmax(x, dim), F32);
}

// cumsum(id, shape, axis, exclusive, reverse, outDtype) -> id
Napi::Value Cumsum(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  const int64_t ax = I(info, 2);
  const bool exclusive = B(info, 3), reverse = B(info, 4);
  const int out = I(info, 5);
  if (reverse) x = x.flip({ax});
  auto y = at::cumsum(x, ax, scalarType(out));
  if (exclusive) y = y - x.to(y.scalar_type());
  if (reverse) y = y.flip({ax});
  return ret(info, y, out);
}

// ---------------------------------------------------------------- layout

// transpose(id, shape, perm, outDtype)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return ret(info, viewed(info, 0, 1).permute(ints(info[2])), I(info, 3));
}

// stridedSlice(id, shape, begin, end, strides, outDtype): strides > 0 (negative strides flip first)
Napi::Value StridedSlice(const Napi::CallbackInfo& info) {
  at::Tensor x = viewed(info, 0, 1);
  const auto begin = ints(info[2]), end = ints(info[3]), strides = ints(info[4]);
  for (size_t d = 0; d < begin.size(); ++d) {
    if (strides[d] > 0) {
      x = x.slice(d, begin[d], std::max(begin[d], end[d]), strides[d]);
    } else {
      // walk backwards: begin..end (exclusive) with |stride|, as flip of the mirrored range
      const int64_t n = x.size(d);
      const int64_t b = n - 1 - begin[d], e = n - 1 - end[d];
      x = x.flip({static_cast<int64_t>(d)}).slice(d, b, std::max(b, e), -strides[d]);
    }
  }
  return ret(info, x, I(info, 5));
}

// concat(ids, shapes, axis, outDtype)
Napi::Value Concat(const Napi::CallbackInfo& info) {
  const auto ids = info[0].As<Napi::Array>();
  const auto shapes = info[1].As<Napi::Array>();
  const int out = I(info, 3);
  std::vector<at::Tensor> ts;
  ts.reserve(ids.Length());
  for (uint32_t i = 0; i < ids.Length(); ++i) {
    auto t = slot(ids.Get(i).As<Napi::Number>().Int32Value()).view(ints(shapes.Get(i)));
    if (t.scalar_type() != scalarType(out)) t = t.to(scalarType(out));
    ts.push_back(t);
  }
  return ret(info, at::cat(ts, I(info, 2)), out);
}

// pad(id, shape, before[], after[], value, outDtype)
Napi::Value Pad(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  const auto before = ints(info[2]), after = ints(info[3]);
  std::vector<int64_t> p;  // libtorch: pairs from the last dim backwards
  for (size_t d = before.size(); d-- > 0;) { p.push_back(before[d]); p.push_back(after[d]); }
  return ret(info, at::constant_pad_nd(x, p, D(info, 4)), I(info, 5));
}

// mirrorPad(id, shape, before[], after[], reflect, outDtype): done dim by dim with index_select
Napi::Value MirrorPad(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  const auto before = ints(info[2]), after = ints(info[3]);
  const bool reflect = B(info, 4);
  for (size_t d = 0; d < before.size(); ++d) {
    if (before[d] == 0 && after[d] == 0) continue;
    const int64_t n = x.size(d);
    std::vector<int64_t> idx;
    const int64_t off = reflect ? 1 : 0;
    for (int64_t i = before[d]; i > 0; --i) idx.push_back(i - 1 + off);
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
    for (int64_t i = 0; i < after[d]; ++i) idx.push_back(n - 1 - i - off);
    auto it = at::tensor(idx, at::TensorOptions().dtype(at::kLong)).to(x.device());
    x = at::index_select(x, d, it);
  }
  return ret(info, x, I(info, 5));
}

// tile(id, shape, reps, outDtype)
Napi::Value Tile(const Napi::CallbackInfo& info) {
  return ret(info, viewed(info, 0, 1).repeat(ints(info[2])), I(info, 3));
}

// broadcastTo(id, shapeAsRankOfOut, outShape, outDtype)
Napi::Value BroadcastTo(const Napi::CallbackInfo& info) {
  return ret(info, viewed(info, 0, 1).expand(ints(info[2])), I(info, 3));
}

// reverse(id, shape, dims, outDtype)
Napi::Value Reverse(const Napi::CallbackInfo& info) {
  return ret(info, viewed(info, 0, 1).flip(ints(info[2])), I(info, 3));
}

// gather(id, shape3 [outer, n, inner], indices, outDtype): rows of the middle dim (tfjs GatherV2 with batchDims=0)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  auto idx = slot(I(info, 2)).to(at::kLong);
  return ret(info, at::index_select(x, 1, idx), I(info, 3));
}

// gatherNd(id, shape2 [n, sliceSize], flatIndices) -> rows
Napi::Value GatherNd(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  auto idx = slot(I(info, 2)).to(at::kLong);
  return ret(info, at::index_select(x, 0, idx), I(info, 3));
}

// unsortedSegmentSum(id, shape2 [n, inner], segmentIds, numSegments, outDtype)
Napi::Value UnsortedSegmentSum(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  auto ids = slot(I(info, 2)).to(at::kLong);
  const int64_t k = I(info, 3);
  const int out = I(info, 4);
  auto y = at::zeros({k, x.size(1)}, x.options().dtype(scalarType(out)));
  // tfjs drops negative ids: mask them out
  auto keep = ids >= 0;
  if (!keep.all().item<bool>()) {
    x = x.index({keep});
    ids = ids.index({keep});
  }
  y.index_add_(0, ids, x.to(scalarType(out)));
  return ret(info, y, out);
}

// oneHot(indices, depth, on, off, outDtype)
Napi::Value OneHot(const Napi::CallbackInfo& info) {
  auto idx = slot(I(info, 0)).to(at::kLong);
  const int64_t depth = I(info, 1);
  const double on = D(info, 2), off = D(info, 3);
  const int out = I(info, 4);
  auto y = at::full({idx.size(0), depth}, off, opts(out));
  auto valid = (idx >= 0).logical_and(idx < depth);
  auto rows = at::arange(idx.size(0), at::TensorOptions().dtype(at::kLong).device(g_device)).index({valid});
  y.index_put_({rows, idx.index({valid})}, on);
  return ret(info, y, out);
}

// fill(n, value, outDtype)
Napi::Value Fill(const Napi::CallbackInfo& info) {
  return ret(info, at::full({info[0].As<Napi::Number>().Int64Value()}, D(info, 1), opts(I(info, 2))), I(info, 2));
}

// range(start, step, n, outDtype)
Napi::Value Range(const Napi::CallbackInfo& info) {
  const double start = D(info, 0), step = D(info, 1);
  const int64_t n = info[2].As<Napi::Number>().Int64Value();
  auto r = at::arange(n, at::TensorOptions().dtype(at::kDouble).device(g_device)).mul_(step).add_(start);
  return ret(info, r, I(info, 3));
}

// diag(id, n) -> n×n with x on the diagonal
Napi::Value Diag(const Napi::CallbackInfo& info) {
  return ret(info, at::diag(slot(I(info, 0))), I(info, 1));
}

// ---------------------------------------------------------------- matrix products

at::Tensor activate(at::Tensor y, int act, double alpha, const at::Tensor* prelu) {
  switch (act) {
    case 0: return y;                          // linear
    case 1: return at::relu_(y);
    case 2: return at::clamp_(y, 0, 6);        // relu6
    case 3: return at::elu_(y);
    case 4: return at::sigmoid_(y);
    case 5: return at::leaky_relu_(y, alpha);
    case 6: return at::where(y < 0, y * *prelu, y);
  }
  throw std::runtime_error("unknown fused activation " + std::to_string(act));
}

// matmul(a, aShape, b, bShape, transA, transB, bias|-1, biasShape, act, alpha, prelu|-1, preluShape) -> id
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  auto a = viewed(info, 0, 1);
  auto b = viewed(info, 2, 3);
  if (B(info, 4)) a = a.transpose(-1, -2);
  if (B(info, 5)) b = b.transpose(-1, -2);
  at::Tensor y;
  const int32_t biasId = I(info, 6);
  if (biasId >= 0 && a.dim() == 2 && b.dim() == 2) {
    y = at::addmm(slot(biasId).view(ints(info[7])), a, b);
  } else {
    y = at::matmul(a, b);
    if (biasId >= 0) y.add_(slot(biasId).view(ints(info[7])));
  }
  at::Tensor prelu;
  if (I(info, 10) >= 0) prelu = viewed(info, 10, 11);
  return ret(info, activate(y, I(info, 8), D(info, 9), &prelu), F32);
}

// ---------------------------------------------------------------- convolutions (NHWC via channels-last views)

struct ConvGeom {
  int64_t sh, sw, dh, dw, top, bottom, left, right, groups;
  bool symmetric() const { return top == bottom && left == right; }
};

ConvGeom geom(const Napi::CallbackInfo& info, size_t i) {
  const auto g = ints(info[i]);  // [sh, sw, dh, dw, top, bottom, left, right, groups]
  return {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8]};
}

// NHWC buffer -> NCHW-logical channels-last view
at::Tensor nchw(const at::Tensor& flat, const std::vector<int64_t>& nhwc) {
  return flat.view(nhwc).permute({0, 3, 1, 2});
}
// channels-last NCHW -> NHWC (contiguous when the input was channels-last)
at::Tensor nhwc(const at::Tensor& y) { return y.permute({0, 2, 3, 1}); }

// tfjs filter [kh, kw, ci, co] (or depthwise [kh, kw, c, m]) -> libtorch weight [co, ci/groups, kh, kw]
at::Tensor weight(const at::Tensor& flat, const std::vector<int64_t>& s, bool depthwise) {
  if (depthwise) return flat.view({s[0], s[1], s[2] * s[3], 1}).permute({2, 3, 0, 1});
  return flat.view(s).permute({3, 2, 0, 1});
}

// conv2d(x, xShape, w, wShape, geom, depthwise, bias|-1, biasShape, act, alpha, prelu|-1, preluShape) -> id (NHWC)
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  auto x = nchw(slot(I(info, 0)), ints(info[1]));
  const auto ws = ints(info[3]);
  const bool depthwise = B(info, 5);
  auto w = weight(slot(I(info, 2)), ws, depthwise);
  const auto g = geom(info, 4);
  std::vector<int64_t> pad = {g.top, g.left};
  if (!g.symmetric()) {
    x = at::constant_pad_nd(x, {g.left, g.right, g.top, g.bottom}, 0);
    pad = {0, 0};
  }
  // bias(id, shape): a per-channel bias goes into the convolution; any other broadcast is added after it.
  c10::optional<at::Tensor> bias;
  at::Tensor biasAfter;
  if (I(info, 6) >= 0) {
    const auto& bt = slot(I(info, 6));
    if (bt.numel() == w.size(0)) bias = bt; else biasAfter = viewed(info, 6, 7);
  }
  auto y = nhwc(at::convolution(x, w, bias, {g.sh, g.sw}, pad, {g.dh, g.dw}, false, {0, 0}, g.groups));
  if (biasAfter.defined()) y = y + biasAfter;
  at::Tensor prelu;
  if (I(info, 10) >= 0) prelu = viewed(info, 10, 11);
  return ret(info, activate(y, I(info, 8), D(info, 9), &prelu), F32);
}

// conv2dBackpropInput(dy, dyShape, w, wShape, inShape, geom, depthwise) -> dx (NHWC)
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  auto dy = nchw(slot(I(info, 0)), ints(info[1]));
  const auto ws = ints(info[3]);
  const bool depthwise = B(info, 6);
  auto w = weight(slot(I(info, 2)), ws, depthwise);
  const auto in = ints(info[4]);  // NHWC of the forward input
  const auto g = geom(info, 5);
  const int64_t kh = ws[0], kw = ws[1];
  const int64_t oh = dy.size(2), ow = dy.size(3);
  // Height/width the transposed conv produces with no padding and no output padding.
  const int64_t fullH = (oh - 1) * g.sh + g.dh * (kh - 1) + 1;
  const int64_t fullW = (ow - 1) * g.sw + g.dw * (kw - 1) + 1;
  const int64_t oph = in[1] - (fullH - 2 * g.top), opw = in[2] - (fullW - 2 * g.left);
  at::Tensor y;
  if (g.symmetric() && in[3] > 1) {
    // The input gradient of the forward convolution (libtorch's backward-data path, oneDNN where built with it),
    // which is much faster than its transposed-convolution kernels. Only the input's sizes are read.
    auto dummy = at::empty({in[0], in[3], in[1], in[2]}, dy.options().memory_format(at::MemoryFormat::ChannelsLast));
    auto grads = at::convolution_backward(dy, dummy, w, c10::nullopt, {g.sh, g.sw}, {g.top, g.left}, {g.dh, g.dw}, false,
                                          {0, 0}, g.groups, {true, false, false});
    y = std::get<0>(grads);
  } else if (g.symmetric() && oph >= 0 && opw >= 0 && oph < std::max(g.sh, g.dh) && opw < std::max(g.sw, g.dw)) {
    // One output channel (an image decoder's last layer): oneDNN's channels-last backward-data is slow there
    // (measured 6x); the transposed convolution is not.
    y = at::convolution(dy, w, c10::nullopt, {g.sh, g.sw}, {g.top, g.left}, {g.dh, g.dw}, true, {oph, opw}, g.groups);
  } else {
    // General case: the full transposed conv, then keep the rows/cols that fall inside the (unpadded) input.
    y = at::convolution(dy, w, c10::nullopt, {g.sh, g.sw}, {0, 0}, {g.dh, g.dw}, true, {0, 0}, g.groups);
    y = at::constant_pad_nd(y, {0, std::max<int64_t>(0, in[2] + g.left - fullW), 0, std::max<int64_t>(0, in[1] + g.top - fullH)}, 0);
    y = y.slice(2, g.top, g.top + in[1]).slice(3, g.left, g.left + in[2]);
  }
  return ret(info, nhwc(y), F32);
}

// conv2dBackpropFilter(x, xShape, dy, dyShape, wShape, geom, depthwise) -> dw in tfjs filter layout
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  auto x = nchw(slot(I(info, 0)), ints(info[1]));
  auto dy = nchw(slot(I(info, 2)), ints(info[3]));
  const auto ws = ints(info[4]);
  const auto g = geom(info, 5);
  const bool depthwise = B(info, 6);
  std::vector<int64_t> pad = {g.top, g.left};
  if (!g.symmetric()) {
    x = at::constant_pad_nd(x, {g.left, g.right, g.top, g.bottom}, 0);
    pad = {0, 0};
  }
  // Only the weight's sizes are read when the input gradient is not asked for.
  const int64_t co = depthwise ? ws[2] * ws[3] : ws[3], ci = depthwise ? 1 : ws[2];
  if (ci == 1 && !depthwise) {
    // One input channel (an encoder's first layer, a decoder's last): libtorch's channels-last filter gradient
    // is slow there (measured 12 ms against 1 ms NCHW for 64×64×1 images), and NCHW would need dy transposed.
    // With one channel it is a plain product: the kh·kw shifted copies of x (im2col, [N, kh·kw, L]) times
    // dy as it lies in NHWC memory ([N, L, co]), summed over the batch -> [kh·kw, co] = tfjs [kh, kw, 1, co].
    auto cols = at::im2col(x.contiguous(), {ws[0], ws[1]}, {g.dh, g.dw}, pad, {g.sh, g.sw});
    auto dyRows = slot(I(info, 2)).view({cols.size(0), cols.size(2), co});
    return ret(info, at::bmm(cols, dyRows).sum(0), F32);
  }
  auto wdummy = at::empty({co, ci, ws[0], ws[1]}, x.options().memory_format(at::MemoryFormat::ChannelsLast));
  auto grads = at::convolution_backward(dy, x, wdummy, c10::nullopt, {g.sh, g.sw}, pad, {g.dh, g.dw}, false, {0, 0},
                                        g.groups, {false, true, false});
  auto dw = std::get<1>(grads);  // [co, ci, kh, kw]
  return ret(info, dw.permute({2, 3, 1, 0}), F32);  // -> [kh, kw, ci, co] (depthwise: [kh, kw, c*m, 1] = [kh, kw, c, m])
}

// ---------------------------------------------------------------- fused Adam update

// adam(var, m, v, grad, lr, beta1, beta2, eps, beta1Power, beta2Power) -> [var', m', v'] slots
// One pass over memory for what tfjs's Adam does in a dozen elementwise ops per variable (same formula:
// m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², var' = var − lr·(m'/(1−β1^t)) / (√(v'/(1−β2^t)) + ε)).
// New buffers, not in place: tfjs may still hold the old values (a checkpoint being written, say).
void adamLoop(const float* __restrict p, const float* __restrict m, const float* __restrict v, const float* __restrict g,
              float* __restrict p2, float* __restrict m2, float* __restrict v2, int64_t lo, int64_t hi,
              float lr, float b1, float b2, float eps, float c1, float c2) {
  for (int64_t i = lo; i < hi; ++i) {
    const float mi = b1 * m[i] + (1 - b1) * g[i];
    const float vi = b2 * v[i] + (1 - b2) * g[i] * g[i];
    m2[i] = mi;
    v2[i] = vi;
    p2[i] = p[i] - lr * (mi / c1) / (std::sqrt(vi / c2) + eps);
  }
}

Napi::Value Adam(const Napi::CallbackInfo& info) {
  const auto& p = slot(I(info, 0));
  const auto& m = slot(I(info, 1));
  const auto& v = slot(I(info, 2));
  const auto& gr = slot(I(info, 3));
  const double lr = D(info, 4), b1 = D(info, 5), b2 = D(info, 6), eps = D(info, 7), b1p = D(info, 8), b2p = D(info, 9);
  at::Tensor p2, m2, v2;
  if (p.is_cpu() && gr.scalar_type() == at::kFloat) {
    p2 = at::empty_like(p);
    m2 = at::empty_like(p);
    v2 = at::empty_like(p);
    const float* pp = p.data_ptr<float>(); const float* pm = m.data_ptr<float>();
    const float* pv = v.data_ptr<float>(); const float* pg = gr.data_ptr<float>();
    float* q = p2.data_ptr<float>(); float* qm = m2.data_ptr<float>(); float* qv = v2.data_ptr<float>();
    at::parallel_for(0, p.numel(), 1 << 15, [&](int64_t lo, int64_t hi) {
      adamLoop(pp, pm, pv, pg, q, qm, qv, lo, hi, float(lr), float(b1), float(b2), float(eps), float(1 - b1p), float(1 - b2p));
    });
  } else {
    m2 = m * b1 + gr * (1 - b1);
    v2 = v * b2 + gr * gr * (1 - b2);
    p2 = p - (m2 / (1 - b1p)) * lr / ((v2 / (1 - b2p)).sqrt() + eps);
  }
  auto env = info.Env();
  auto out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::Number::New(env, put(p2, F32)));
  out.Set(1u, Napi::Number::New(env, put(m2, F32)));
  out.Set(2u, Napi::Number::New(env, put(v2, F32)));
  return out;
}

}  // namespace

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
#define EXPORT(name, fn) exports.Set(name, Napi::Function::New<guarded<fn>>(env, name))
  EXPORT("init", Init);
  EXPORT("fromArray", FromArray);
  EXPORT("toArray", ToArray);
  EXPORT("free", Free);
  EXPORT("memory", Memory);
  EXPORT("copy", Copy);
  EXPORT("unary", UnaryFn);
  EXPORT("param", ParamFn);
  EXPORT("binary", BinaryFn);
  EXPORT("select", Select);
  EXPORT("addN", AddN);
  EXPORT("reduce", ReduceFn);
  EXPORT("softmax", Softmax);
  EXPORT("cumsum", Cumsum);
  EXPORT("transpose", Transpose);
  EXPORT("stridedSlice", StridedSlice);
  EXPORT("concat", Concat);
  EXPORT("pad", Pad);
  EXPORT("mirrorPad", MirrorPad);
  EXPORT("tile", Tile);
  EXPORT("broadcastTo", BroadcastTo);
  EXPORT("reverse", Reverse);
  EXPORT("gather", Gather);
  EXPORT("gatherNd", GatherNd);
  EXPORT("unsortedSegmentSum", UnsortedSegmentSum);
  EXPORT("oneHot", OneHot);
  EXPORT("fill", Fill);
  EXPORT("range", Range);
  EXPORT("diag", Diag);
  EXPORT("matMul", MatMul);
  EXPORT("conv2d", Conv2D);
  EXPORT("conv2dBackpropInput", Conv2DBackpropInput);
  EXPORT("conv2dBackpropFilter", Conv2DBackpropFilter);
  EXPORT("adam", Adam);
#undef EXPORT
  return exports;
}

NODE_API_MODULE(disentangle_torch, InitModule)
