// What every file of the addon shares: the slot table (storage.cc), argument decoding, and the exported
// functions' signatures (registered in addon.cc).
//
// Storage model: every tfjs tensor's data is one contiguous, flat libtorch tensor in a slot table; JS holds
// the slot number. tfjs is the authority on shapes, so kernels receive the shapes they need and view the flat
// storage accordingly (a view costs no copy). That makes Reshape/ExpandDims/Squeeze free on the JS side.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "ops.h"

namespace dt {

// ---------------------------------------------------------------- slots (storage.cc)

/** The device new tensors are made on (set by init). */
extern at::Device g_device;

// ---------------------------------------------------------------- compute precision (matmul.cc)

/**
 * Autocast-style lower precision (setPrecision): when on, convolutions and matrix products cast their operands
 * to bfloat16 and their result back to float32; everything else (weights, Adam state, elementwise ops,
 * reductions, bias additions) stays float32. Off by default.
 */
extern bool g_bf16;
/** `t` in the compute precision of a product (bfloat16 under setPrecision("bf16"), else as it is). */
inline at::Tensor lowp(const at::Tensor& t) { return g_bf16 ? t.to(at::kBFloat16) : t; }
/** A product's result back in float32. */
inline at::Tensor full(const at::Tensor& t) { return t.scalar_type() == at::kFloat ? t : t.to(at::kFloat); }

at::ScalarType scalarType(DType dtype);
/** Store `t` (converted to `dtype`, made contiguous and flat) in a free slot; returns the slot. */
int32_t put(at::Tensor t, DType dtype);
/** The flat tensor in slot `id`; throws if the slot is not live. */
const at::Tensor& slot(int32_t id);
at::TensorOptions opts(DType dtype);

// ---------------------------------------------------------------- positional arguments

inline int32_t I(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }
inline double D(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }
inline bool B(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Boolean>().Value(); }
inline DType dtypeArg(const Napi::CallbackInfo& info, size_t i) { return decode<DType>(I(info, i), kDTypeNames, "dtype"); }

std::vector<int64_t> ints(const Napi::Value& v);

/** The tensor in slot `id` (argument idArg), viewed with the shape in argument `shapeArg`. */
inline at::Tensor viewed(const Napi::CallbackInfo& info, size_t idArg, size_t shapeArg) {
  return slot(I(info, idArg)).view(ints(info[shapeArg]));
}

inline Napi::Value ret(const Napi::CallbackInfo& info, at::Tensor t, DType dtype) {
  return Napi::Number::New(info.Env(), put(std::move(t), dtype));
}

// ---------------------------------------------------------------- named arguments (one JS object)

/** Reads the fields of an argument object; a missing field is an error naming it. */
class Fields {
 public:
  Fields(const Napi::Value& v, const char* fn);
  bool has(const char* key) const;
  int32_t i32(const char* key) const;
  double f64(const char* key) const;
  bool flag(const char* key) const;
  std::vector<int64_t> ints(const char* key) const;
  Fields object(const char* key) const;
  /** A tensor argument {slot, shape}: the slot's storage viewed with the shape. */
  at::Tensor tensor(const char* key) const;
  /** The same, undefined when the field is absent (an optional input). */
  at::Tensor optionalTensor(const char* key) const;

 private:
  Napi::Value get(const char* key) const;
  Napi::Object o_;
  const char* fn_;
};

// ---------------------------------------------------------------- fused epilogue (matmul.cc)

/** What matMul and conv2d apply to their result: an added bias, then an activation. */
struct Epilogue {
  at::Tensor bias;  // undefined: none
  Activation activation = Activation::Linear;
  double leakyreluAlpha = 0.2;
  at::Tensor prelu;  // the PReLU weights (activation Prelu)

  static Epilogue from(const Fields& f);
  /** The activation, in place where libtorch allows it. */
  at::Tensor activate(at::Tensor y) const;
};

// ---------------------------------------------------------------- error translation

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

// ---------------------------------------------------------------- the exported functions

// storage.cc
Napi::Value Init(const Napi::CallbackInfo& info);
Napi::Value FromArray(const Napi::CallbackInfo& info);
Napi::Value ToArray(const Napi::CallbackInfo& info);
Napi::Value Free(const Napi::CallbackInfo& info);
Napi::Value Memory(const Napi::CallbackInfo& info);
Napi::Value Copy(const Napi::CallbackInfo& info);
// elementwise.cc
Napi::Value UnaryFn(const Napi::CallbackInfo& info);
Napi::Value ParamFn(const Napi::CallbackInfo& info);
Napi::Value BinaryFn(const Napi::CallbackInfo& info);
Napi::Value Select(const Napi::CallbackInfo& info);
Napi::Value AddN(const Napi::CallbackInfo& info);
// reductions.cc
Napi::Value ReduceFn(const Napi::CallbackInfo& info);
Napi::Value Softmax(const Napi::CallbackInfo& info);
Napi::Value Cumsum(const Napi::CallbackInfo& info);
// layout.cc
Napi::Value Transpose(const Napi::CallbackInfo& info);
Napi::Value StridedSlice(const Napi::CallbackInfo& info);
Napi::Value Concat(const Napi::CallbackInfo& info);
Napi::Value Pad(const Napi::CallbackInfo& info);
Napi::Value MirrorPad(const Napi::CallbackInfo& info);
Napi::Value Tile(const Napi::CallbackInfo& info);
Napi::Value BroadcastTo(const Napi::CallbackInfo& info);
Napi::Value Reverse(const Napi::CallbackInfo& info);
// indexing.cc
Napi::Value Gather(const Napi::CallbackInfo& info);
Napi::Value GatherNd(const Napi::CallbackInfo& info);
Napi::Value UnsortedSegmentSum(const Napi::CallbackInfo& info);
Napi::Value OneHot(const Napi::CallbackInfo& info);
Napi::Value Fill(const Napi::CallbackInfo& info);
Napi::Value Range(const Napi::CallbackInfo& info);
Napi::Value Diag(const Napi::CallbackInfo& info);
// matmul.cc
Napi::Value MatMul(const Napi::CallbackInfo& info);
Napi::Value SetPrecision(const Napi::CallbackInfo& info);
// convolution.cc
Napi::Value Conv2D(const Napi::CallbackInfo& info);
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info);
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info);
// optimiser.cc
Napi::Value Adam(const Napi::CallbackInfo& info);

}  // namespace dt
