// Layout: ops that move elements without computing new values (transpose, slices, concatenation, padding,
// tiling, broadcasting, reversal). Each takes the input's shape, views the flat storage with it and returns
// a new contiguous tensor.
#include "common.h"

#include <algorithm>

namespace dt {

// transpose(id, shape, perm, outDtype)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return ret(info, viewed(info, 0, 1).permute(ints(info[2])), dtypeArg(info, 3));
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
  return ret(info, x, dtypeArg(info, 5));
}

// concat(ids, shapes, axis, outDtype)
Napi::Value Concat(const Napi::CallbackInfo& info) {
  const auto ids = info[0].As<Napi::Array>();
  const auto shapes = info[1].As<Napi::Array>();
  const DType out = dtypeArg(info, 3);
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
  for (size_t d = before.size(); d-- > 0;) {
    p.push_back(before[d]);
    p.push_back(after[d]);
  }
  return ret(info, at::constant_pad_nd(x, p, D(info, 4)), dtypeArg(info, 5));
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
  return ret(info, x, dtypeArg(info, 5));
}

// tile(id, shape, reps, outDtype)
Napi::Value Tile(const Napi::CallbackInfo& info) {
  return ret(info, viewed(info, 0, 1).repeat(ints(info[2])), dtypeArg(info, 3));
}

// broadcastTo(id, shapeAsRankOfOut, outShape, outDtype)
Napi::Value BroadcastTo(const Napi::CallbackInfo& info) {
  return ret(info, viewed(info, 0, 1).expand(ints(info[2])), dtypeArg(info, 3));
}

// reverse(id, shape, dims, outDtype)
Napi::Value Reverse(const Napi::CallbackInfo& info) {
  return ret(info, viewed(info, 0, 1).flip(ints(info[2])), dtypeArg(info, 3));
}

}  // namespace dt
