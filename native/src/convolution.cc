// 2-D convolutions (plain and depthwise) and their gradients, on NHWC tensors.
//
// tfjs tensors are NHWC. An NHWC buffer viewed as [N,H,W,C] and permuted to [N,C,H,W] *is* an NCHW tensor in
// channels-last memory format, which libtorch's convolutions take as it is (no copy, no transposition); their
// channels-last result permuted back is again a contiguous NHWC buffer.
#include "common.h"

#include <algorithm>

namespace dt {

namespace {

/** Strides, dilations, padding (tfjs's split of SAME padding) and groups of one convolution. */
struct Geometry {
  int64_t sh, sw, dh, dw, top, bottom, left, right, groups;
  bool symmetric() const { return top == bottom && left == right; }

  static Geometry from(const Fields& f) {
    const Fields g = f.object("geometry");
    return {g.i32("strideHeight"), g.i32("strideWidth"), g.i32("dilationHeight"), g.i32("dilationWidth"),
            g.i32("top"),          g.i32("bottom"),      g.i32("left"),           g.i32("right"),
            g.i32("groups")};
  }
};

// NHWC tensor -> NCHW-logical channels-last view
at::Tensor nchw(const at::Tensor& x) { return x.permute({0, 3, 1, 2}); }
// channels-last NCHW -> NHWC (contiguous when the input was channels-last)
at::Tensor nhwc(const at::Tensor& y) { return y.permute({0, 2, 3, 1}); }

// tfjs filter [kh, kw, ci, co] (or depthwise [kh, kw, c, m]) -> libtorch weight [co, ci/groups, kh, kw]
at::Tensor weight(const at::Tensor& filter, bool depthwise) {
  const auto s = filter.sizes();
  if (depthwise) return filter.view({s[0], s[1], s[2] * s[3], 1}).permute({2, 3, 0, 1});
  return filter.permute({3, 2, 0, 1});
}

}  // namespace

// conv2d({x, filter: {slot, shape}, geometry, depthwise, bias?, activation, leakyreluAlpha, prelu?}) -> id (NHWC)
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  const Fields f(info[0], "conv2d");
  auto x = nchw(f.tensor("x"));
  auto w = weight(f.tensor("filter"), f.flag("depthwise"));
  const auto g = Geometry::from(f);
  const auto epilogue = Epilogue::from(f);
  std::vector<int64_t> pad = {g.top, g.left};
  if (!g.symmetric()) {
    x = at::constant_pad_nd(x, {g.left, g.right, g.top, g.bottom}, 0);
    pad = {0, 0};
  }
  // A per-channel bias goes into the convolution; any other broadcast is added after it.
  c10::optional<at::Tensor> bias;
  at::Tensor biasAfter;
  if (epilogue.bias.defined()) {
    // under bf16 the bias is added in float32 after the convolution
    if (epilogue.bias.numel() == w.size(0) && !g_bf16) bias = epilogue.bias.view({-1});
    else biasAfter = epilogue.bias;
  }
  auto y = nhwc(full(at::convolution(lowp(x), lowp(w), bias, {g.sh, g.sw}, pad, {g.dh, g.dw}, false, {0, 0}, g.groups)));
  if (biasAfter.defined()) y = y + biasAfter;
  return ret(info, epilogue.activate(y), DType::F32);
}

// conv2dBackpropInput({dy, filter: {slot, shape}, inShape, geometry, depthwise}) -> dx (NHWC)
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  const Fields f(info[0], "conv2dBackpropInput");
  auto dy = lowp(nchw(f.tensor("dy")));
  const auto filter = f.tensor("filter");
  auto w = lowp(weight(filter, f.flag("depthwise")));
  const auto in = f.ints("inShape");  // NHWC of the forward input
  const auto g = Geometry::from(f);
  const int64_t kh = filter.size(0), kw = filter.size(1);
  const int64_t oh = dy.size(2), ow = dy.size(3);
  // Height/width the transposed conv produces with no padding and no output padding.
  const int64_t fullH = (oh - 1) * g.sh + g.dh * (kh - 1) + 1;
  const int64_t fullW = (ow - 1) * g.sw + g.dw * (kw - 1) + 1;
  const int64_t oph = in[1] - (fullH - 2 * g.top), opw = in[2] - (fullW - 2 * g.left);
  at::Tensor y;
  // libtorch's CPU transposed convolution has no bfloat16 kernel: under bf16 the backward-data path serves the
  // one-channel case too, and the general (asymmetric) case below runs in float32.
  if (g.symmetric() && (in[3] > 1 || g_bf16)) {
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
    dy = full(dy);
    w = full(w);
    y = at::convolution(dy, w, c10::nullopt, {g.sh, g.sw}, {0, 0}, {g.dh, g.dw}, true, {0, 0}, g.groups);
    y = at::constant_pad_nd(y, {0, std::max<int64_t>(0, in[2] + g.left - fullW), 0, std::max<int64_t>(0, in[1] + g.top - fullH)}, 0);
    y = y.slice(2, g.top, g.top + in[1]).slice(3, g.left, g.left + in[2]);
  }
  return ret(info, nhwc(full(y)), DType::F32);
}

// conv2dBackpropFilter({x, dy: {slot, shape}, filterShape, geometry, depthwise}) -> dw in tfjs filter layout
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  const Fields f(info[0], "conv2dBackpropFilter");
  auto x = lowp(nchw(f.tensor("x")));
  const auto dyNhwc = lowp(f.tensor("dy"));
  auto dy = nchw(dyNhwc);
  const auto ws = f.ints("filterShape");
  const auto g = Geometry::from(f);
  const bool depthwise = f.flag("depthwise");
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
    auto dyRows = dyNhwc.view({cols.size(0), cols.size(2), co});
    return ret(info, full(at::bmm(cols, dyRows)).sum(0), DType::F32);  // the batch sum in float32
  }
  auto wdummy = at::empty({co, ci, ws[0], ws[1]}, x.options().memory_format(at::MemoryFormat::ChannelsLast));
  auto grads = at::convolution_backward(dy, x, wdummy, c10::nullopt, {g.sh, g.sw}, pad, {g.dh, g.dw}, false, {0, 0},
                                        g.groups, {false, true, false});
  auto dw = full(std::get<1>(grads));  // [co, ci, kh, kw]
  return ret(info, dw.permute({2, 3, 1, 0}), DType::F32);  // -> [kh, kw, ci, co] (depthwise: [kh, kw, c*m, 1] = [kh, kw, c, m])
}

}  // namespace dt
