// Matrix products, and the fused epilogue (bias, activation) that they share with the convolutions.
#include "common.h"

namespace dt {

bool g_bf16 = false;

// setPrecision("fp32" | "bf16") -> the precision now in force
Napi::Value SetPrecision(const Napi::CallbackInfo& info) {
  const std::string p = info[0].As<Napi::String>().Utf8Value();
  if (p != "fp32" && p != "bf16") throw std::runtime_error("setPrecision: expected 'fp32' or 'bf16', got '" + p + "'");
  g_bf16 = p == "bf16";
  return Napi::String::New(info.Env(), g_bf16 ? "bf16" : "fp32");
}

Epilogue Epilogue::from(const Fields& f) {
  Epilogue e;
  e.bias = f.optionalTensor("bias");
  e.activation = decode<Activation>(f.i32("activation"), kActivationNames, "activation");
  e.leakyreluAlpha = f.f64("leakyreluAlpha");
  e.prelu = f.optionalTensor("prelu");
  if (e.activation == Activation::Prelu && !e.prelu.defined()) {
    throw std::runtime_error("the prelu activation needs its weights (argument 'prelu')");
  }
  return e;
}

at::Tensor Epilogue::activate(at::Tensor y) const {
  switch (activation) {
    case Activation::Linear: return y;
    case Activation::Relu: return at::relu_(y);
    case Activation::Relu6: return at::clamp_(y, 0, 6);
    case Activation::Elu: return at::elu_(y);
    case Activation::Sigmoid: return at::sigmoid_(y);
    case Activation::LeakyRelu: return at::leaky_relu_(y, leakyreluAlpha);
    case Activation::Prelu: return at::where(y < 0, y * prelu, y);
  }
  throw std::runtime_error("unknown fused activation " + std::to_string(static_cast<int>(activation)));
}

// matMul({a, b: {slot, shape}, transposeA, transposeB, bias?, activation, leakyreluAlpha, prelu?}) -> id
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const Fields f(info[0], "matMul");
  auto a = f.tensor("a");
  auto b = f.tensor("b");
  if (f.flag("transposeA")) a = a.transpose(-1, -2);
  if (f.flag("transposeB")) b = b.transpose(-1, -2);
  const auto epilogue = Epilogue::from(f);
  at::Tensor y;
  if (g_bf16) {
    // the product in bfloat16, the bias added in float32
    y = full(at::matmul(lowp(a), lowp(b)));
    if (epilogue.bias.defined()) y.add_(epilogue.bias);
  } else if (epilogue.bias.defined() && a.dim() == 2 && b.dim() == 2) {
    y = at::addmm(epilogue.bias, a, b);
  } else {
    y = at::matmul(a, b);
    if (epilogue.bias.defined()) y.add_(epilogue.bias);
  }
  return ret(info, epilogue.activate(y), DType::F32);
}

}  // namespace dt
