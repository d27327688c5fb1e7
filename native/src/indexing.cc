// Indexing and creation: gathers, segment sums, one-hot, and tensors made from scalars (fill, range, diag).
#include "common.h"

namespace dt {

// gather(id, shape3 [outer, n, inner], indices, outDtype): rows of the middle dim (tfjs GatherV2 with batchDims=0)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  auto idx = slot(I(info, 2)).to(at::kLong);
  return ret(info, at::index_select(x, 1, idx), dtypeArg(info, 3));
}

// gatherNd(id, shape2 [n, sliceSize], flatIndices, outDtype) -> rows
Napi::Value GatherNd(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  auto idx = slot(I(info, 2)).to(at::kLong);
  return ret(info, at::index_select(x, 0, idx), dtypeArg(info, 3));
}

// unsortedSegmentSum(id, shape2 [n, inner], segmentIds, numSegments, outDtype)
Napi::Value UnsortedSegmentSum(const Napi::CallbackInfo& info) {
  auto x = viewed(info, 0, 1);
  auto ids = slot(I(info, 2)).to(at::kLong);
  const int64_t k = I(info, 3);
  const DType out = dtypeArg(info, 4);
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
  const DType out = dtypeArg(info, 4);
  auto y = at::full({idx.size(0), depth}, off, opts(out));
  auto valid = (idx >= 0).logical_and(idx < depth);
  auto rows = at::arange(idx.size(0), at::TensorOptions().dtype(at::kLong).device(g_device)).index({valid});
  y.index_put_({rows, idx.index({valid})}, on);
  return ret(info, y, out);
}

// fill(n, value, outDtype)
Napi::Value Fill(const Napi::CallbackInfo& info) {
  const DType out = dtypeArg(info, 2);
  return ret(info, at::full({info[0].As<Napi::Number>().Int64Value()}, D(info, 1), opts(out)), out);
}

// range(start, step, n, outDtype)
Napi::Value Range(const Napi::CallbackInfo& info) {
  const double start = D(info, 0), step = D(info, 1);
  const int64_t n = info[2].As<Napi::Number>().Int64Value();
  auto r = at::arange(n, at::TensorOptions().dtype(at::kDouble).device(g_device)).mul_(step).add_(start);
  return ret(info, r, dtypeArg(info, 3));
}

// diag(id, outDtype) -> n×n with x on the diagonal
Napi::Value Diag(const Napi::CallbackInfo& info) {
  return ret(info, at::diag(slot(I(info, 0))), dtypeArg(info, 1));
}

}  // namespace dt
