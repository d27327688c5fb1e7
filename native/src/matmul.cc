// Matrix products, and the fused epilogue (bias, activation) that they share with the convolutions.
#include "common.h"

namespace dt {

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
  if (epilogue.bias.defined() && a.dim() == 2 && b.dim() == 2) {
    y = at::addmm(epilogue.bias, a, b);
  } else {
    y = at::matmul(a, b);
    if (epilogue.bias.defined()) y.add_(epilogue.bias);
  }
  return ret(info, epilogue.activate(y), DType::F32);
}

}  // namespace dt
