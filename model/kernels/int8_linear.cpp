#include "model/kernels/int8_linear.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/core/dispatch/Dispatcher.h>

namespace mt {

c10::IValue pack_int8(const at::Tensor& weight, const at::Tensor& bias) {
  // oneDNN runs int8 with AVX-512 VNNI here; QNNPACK (the other engine in this build) is ~9x slower.
  at::globalContext().setQEngine(at::QEngine::ONEDNN);
  at::NoGradGuard no_grad;
  auto w = weight.detach().to(at::kFloat).contiguous();
  auto scales = w.abs().amax(1).div(127.0).clamp_min(1e-8).to(at::kDouble);
  auto q = at::quantize_per_channel(w, scales, at::zeros({w.size(0)}, at::kLong), 0, at::kQInt8);
  static auto prepack = c10::Dispatcher::singleton().findSchemaOrThrow("quantized::linear_prepack", "");
  std::vector<c10::IValue> stack{q, bias.defined() ? c10::optional<at::Tensor>(bias.detach().to(at::kFloat)) : c10::nullopt};
  prepack.callBoxed(&stack);
  return stack[0];
}

at::Tensor linear_int8(const at::Tensor& x, const c10::IValue& packed) {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("quantized::linear_dynamic", "");
  auto sizes = x.sizes().vec();
  std::vector<c10::IValue> stack{x.reshape({-1, x.size(-1)}).contiguous(), packed, false};
  op.callBoxed(&stack);
  auto y = stack[0].toTensor();
  sizes.back() = y.size(-1);
  return y.view(sizes);
}

}  // namespace mt
