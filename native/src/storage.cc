// Storage: the slot table, copies between JS typed arrays and libtorch, and argument decoding.
#include "common.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dt {

at::Device g_device(at::kCPU);

namespace {
std::vector<at::Tensor> g_slots;  // index = id; undefined tensor = free
std::vector<int32_t> g_free;      // free ids, reused
int64_t g_live = 0;               // number of live slots
}  // namespace

at::ScalarType scalarType(DType dtype) {
  switch (dtype) {
    case DType::F32: return at::kFloat;
    case DType::I32: return at::kInt;
    case DType::BOOL: return at::kBool;
  }
  throw std::runtime_error("unknown dtype code " + std::to_string(static_cast<int>(dtype)));
}

at::TensorOptions opts(DType dtype) { return at::TensorOptions().dtype(scalarType(dtype)).device(g_device); }

int32_t put(at::Tensor t, DType dtype) {
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

std::vector<int64_t> ints(const Napi::Value& v) {
  const auto a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < out.size(); ++i) out[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

// ---------------------------------------------------------------- named arguments

Fields::Fields(const Napi::Value& v, const char* fn) : fn_(fn) {
  if (!v.IsObject()) throw std::runtime_error(std::string(fn) + ": expected an argument object");
  o_ = v.As<Napi::Object>();
}

bool Fields::has(const char* key) const {
  const auto v = o_.Get(key);
  return !v.IsUndefined() && !v.IsNull();
}

Napi::Value Fields::get(const char* key) const {
  const auto v = o_.Get(key);
  if (v.IsUndefined()) throw std::runtime_error(std::string(fn_) + ": argument '" + key + "' is missing");
  return v;
}

int32_t Fields::i32(const char* key) const { return get(key).As<Napi::Number>().Int32Value(); }
double Fields::f64(const char* key) const { return get(key).As<Napi::Number>().DoubleValue(); }
bool Fields::flag(const char* key) const { return get(key).As<Napi::Boolean>().Value(); }
std::vector<int64_t> Fields::ints(const char* key) const { return dt::ints(get(key)); }
Fields Fields::object(const char* key) const { return Fields(get(key), fn_); }

at::Tensor Fields::tensor(const char* key) const {
  const Fields t = object(key);
  return slot(t.i32("slot")).view(t.ints("shape"));
}

at::Tensor Fields::optionalTensor(const char* key) const { return has(key) ? tensor(key) : at::Tensor(); }

// ---------------------------------------------------------------- exported functions

// init(threads, device) -> {version, cuda, mkldnn, threads}
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
  const DType dtype = dtypeArg(info, 1);
  const auto n = static_cast<int64_t>(arr.ElementLength());
  auto buf = arr.ArrayBuffer();
  const uint8_t* src = static_cast<const uint8_t*>(buf.Data()) + arr.ByteOffset();
  const auto et = arr.TypedArrayType();
  at::Tensor t;
  if (dtype == DType::BOOL) {
    if (et != napi_uint8_array) throw std::runtime_error("bool data must be a Uint8Array");
    t = at::empty({n}, at::kBool);
    auto* dst = t.data_ptr<bool>();
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i] != 0;
  } else if (dtype == DType::F32 && et == napi_float32_array) {
    t = at::empty({n}, at::kFloat);
    std::memcpy(t.data_ptr(), src, n * 4);
  } else if (dtype == DType::I32 && et == napi_int32_array) {
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

// free(id)
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

// copy(id, outDtype) -> id : an independent copy (tfjs expects kernels never to alias unless they say so)
Napi::Value Copy(const Napi::CallbackInfo& info) {
  const auto& t = slot(I(info, 0));
  return ret(info, t.clone(), dtypeArg(info, 1));
}

}  // namespace dt
