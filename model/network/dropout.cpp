#include "model/network/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/custom_function.h>

#include <mutex>

#include "model/kernels/dropout_mask.h"

namespace mt {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

uint64_t next_seed() {  // from LibTorch's CPU generator, so torch::manual_seed makes runs repeatable
  auto* generator = at::detail::getDefaultCPUGenerator().get<at::CPUGeneratorImpl>();
  std::lock_guard<std::mutex> lock(generator->mutex_);
  return generator->random64();
}

struct HashedDropout : torch::autograd::Function<HashedDropout> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, double p) {
    const uint64_t seed = next_seed();
    ctx->saved_data["p"] = p;
    ctx->saved_data["seed"] = int64_t(seed);
    return apply_dropout_mask(x, p, seed);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto seed = uint64_t(ctx->saved_data["seed"].toInt());
    return {apply_dropout_mask(grads[0], ctx->saved_data["p"].toDouble(), seed), at::Tensor()};
  }
};

struct ReluDropout : torch::autograd::Function<ReluDropout> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, double p) {
    auto y = apply_dropout_mask(x, p, next_seed(), /*relu=*/true);
    ctx->saved_data["p"] = p;
    ctx->save_for_backward({y});
    return y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    return {relu_dropout_backward(grads[0], ctx->get_saved_variables()[0], ctx->saved_data["p"].toDouble()), at::Tensor()};
  }
};

bool hashed_mask_applies(const at::Tensor& x) {
  return x.is_cpu() && (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16);
}

}  // namespace

at::Tensor relu_dropout(const at::Tensor& x, double p) {
  if (hashed_mask_applies(x)) return ReluDropout::apply(x, p);
  return at::dropout(at::relu(x), p, true);
}

at::Tensor hashed_dropout(const at::Tensor& x, double p, bool training) {
  if (!training || p <= 0) return x;
  if (hashed_mask_applies(x)) return HashedDropout::apply(x, p);
  return at::dropout(x, p, true);
}

}  // namespace mt
