// Reductions over axes, softmax and cumulative sums.
#include "common.h"

#include <algorithm>

namespace dt {

// reduce(op, id, shape, axes, outDtype) -> id (the kept/dropped dims are a JS-side reshape)
Napi::Value ReduceFn(const Napi::CallbackInfo& info) {
  const auto op = decode<Reduce>(I(info, 0), kReduceNames, "reduction");
  at::Tensor x = viewed(info, 1, 2);
  const auto axes = ints(info[3]);
  const DType out = dtypeArg(info, 4);
  if (axes.empty() && op != Reduce::ArgMax && op != Reduce::ArgMin) return ret(info, x.clone(), out);
  switch (op) {
    case Reduce::Sum: return ret(info, at::sum(x, axes, false, scalarType(out)), out);
    case Reduce::Mean: return ret(info, at::mean(x.to(at::kFloat), axes, false), out);
    case Reduce::Max: return ret(info, at::amax(x, axes, false), out);
    case Reduce::Min: return ret(info, at::amin(x, axes, false), out);
    case Reduce::Prod:
    case Reduce::All:
    case Reduce::Any: {
      // libtorch reduces these over one dim at a time; go from the last axis so indices stay valid.
      std::vector<int64_t> sorted(axes);
      std::sort(sorted.rbegin(), sorted.rend());
      for (auto ax : sorted) {
        if (op == Reduce::Prod) x = at::prod(x, ax, false, scalarType(out));
        else if (op == Reduce::All) x = at::all(x, ax, false);
        else x = at::any(x, ax, false);
      }
      return ret(info, x, out);
    }
    case Reduce::ArgMax: return ret(info, at::argmax(x, axes[0], false), out);
    case Reduce::ArgMin: return ret(info, at::argmin(x, axes[0], false), out);
  }
  throw std::runtime_error("unknown reduction " + std::to_string(static_cast<int>(op)));
}

// softmax(id, shape, dim, log) -> id
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  const auto dim = I(info, 2);
  return ret(info, B(info, 3) ? at::log_softmax(x, dim) : at::softmax(x, dim), DType::F32);
}

// cumsum(id, shape, axis, exclusive, reverse, outDtype) -> id
Napi::Value Cumsum(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  const int64_t ax = I(info, 2);
  const bool exclusive = B(info, 3), reverse = B(info, 4);
  const DType out = dtypeArg(info, 5);
  if (reverse) x = x.flip({ax});
  auto y = at::cumsum(x, ax, scalarType(out));
  if (exclusive) y = y - x.to(y.scalar_type());
  if (reverse) y = y.flip({ax});
  return ret(info, y, out);
}

}  // namespace dt
