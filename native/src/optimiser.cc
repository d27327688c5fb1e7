// The fused Adam update.
#include "common.h"

#include <ATen/Parallel.h>

#include <cmath>

namespace dt {

namespace {

// One pass over memory for what tfjs's Adam does in a dozen elementwise ops per variable (same formula:
// m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², var' = var − lr·(m'/(1−β1^t)) / (√(v'/(1−β2^t)) + ε)).
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

}  // namespace

// adam({variable, m, v, gradient (slots), learningRate, beta1, beta2, epsilon, beta1Power, beta2Power})
//   -> [variable', m', v'] slots
// New buffers, not in place: tfjs may still hold the old values (a checkpoint being written, say).
Napi::Value Adam(const Napi::CallbackInfo& info) {
  const Fields f(info[0], "adam");
  const auto& p = slot(f.i32("variable"));
  const auto& m = slot(f.i32("m"));
  const auto& v = slot(f.i32("v"));
  const auto& gr = slot(f.i32("gradient"));
  const double lr = f.f64("learningRate"), b1 = f.f64("beta1"), b2 = f.f64("beta2"), eps = f.f64("epsilon");
  const double b1p = f.f64("beta1Power"), b2p = f.f64("beta2Power");
  at::Tensor p2, m2, v2;
  if (p.is_cpu() && gr.scalar_type() == at::kFloat) {
    p2 = at::empty_like(p);
    m2 = at::empty_like(p);
    v2 = at::empty_like(p);
    const float* pp = p.data_ptr<float>();
    const float* pm = m.data_ptr<float>();
    const float* pv = v.data_ptr<float>();
    const float* pg = gr.data_ptr<float>();
    float* q = p2.data_ptr<float>();
    float* qm = m2.data_ptr<float>();
    float* qv = v2.data_ptr<float>();
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
  out.Set(0u, Napi::Number::New(env, put(p2, DType::F32)));
  out.Set(1u, Napi::Number::New(env, put(m2, DType::F32)));
  out.Set(2u, Napi::Number::New(env, put(v2, DType::F32)));
  return out;
}

}  // namespace dt
