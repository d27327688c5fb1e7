// disentangle's native tensor engine: the storage and kernels of the tfjs `torch` backend, on libtorch (ATen).
// This file registers the exported functions; they live by concern in storage.cc, elementwise.cc,
// reductions.cc, layout.cc, indexing.cc, matmul.cc, convolution.cc and optimiser.cc (common.h declares them).
// ops.h lists the op codes; opTables() hands them to JS, which checks them against its own enums at load.
#include "common.h"

namespace dt {
namespace {

template <size_t N>
Napi::Object table(Napi::Env env, const char* const (&names)[N]) {
  auto o = Napi::Object::New(env);
  for (size_t i = 0; i < N; ++i) o.Set(names[i], static_cast<double>(i));
  return o;
}

// opTables() -> {dtypes, unaryOps, paramOps, binaryOps, reductions, activations}: each {name: code}
Napi::Value OpTables(const Napi::CallbackInfo& info) {
  const auto env = info.Env();
  auto o = Napi::Object::New(env);
  o.Set("dtypes", table(env, kDTypeNames));
  o.Set("unaryOps", table(env, kUnaryNames));
  o.Set("paramOps", table(env, kParamNames));
  o.Set("binaryOps", table(env, kBinaryNames));
  o.Set("reductions", table(env, kReduceNames));
  o.Set("activations", table(env, kActivationNames));
  return o;
}

}  // namespace
}  // namespace dt

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  using namespace dt;
#define EXPORT(name, fn) exports.Set(name, Napi::Function::New<guarded<fn>>(env, name))
  EXPORT("opTables", OpTables);
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
  EXPORT("setPrecision", SetPrecision);
  EXPORT("conv2d", Conv2D);
  EXPORT("conv2dBackpropInput", Conv2DBackpropInput);
  EXPORT("conv2dBackpropFilter", Conv2DBackpropFilter);
  EXPORT("adam", Adam);
#undef EXPORT
  return exports;
}

NODE_API_MODULE(disentangle_torch, InitModule)
