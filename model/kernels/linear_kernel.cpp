#include "model/kernels/linear_kernel.h"

#include <ATen/core/ivalue.h>

#include "model/kernels/int8_linear.h"
#include "model/kernels/packed_gemm.h"

namespace mt {

namespace {

class PackedLinear : public LinearKernel {
 public:
  PackedLinear(const at::Tensor& weight, const at::Tensor& bias) : packed_(pack_weight(weight)), bias_(bias) {}
  bool accepts(const at::Tensor& x) const override {
    return x.is_cpu() && x.scalar_type() == packed_.panels.scalar_type();
  }
  at::Tensor run(const at::Tensor& x, bool relu) const override { return packed_linear(x, packed_, bias_, relu); }

 private:
  PackedWeight packed_;
  at::Tensor bias_;
};

class Int8Linear : public LinearKernel {
 public:
  Int8Linear(const at::Tensor& weight, const at::Tensor& bias) : packed_(pack_int8(weight, bias)) {}
  bool accepts(const at::Tensor& x) const override { return x.is_cpu() && x.scalar_type() == at::kFloat; }
  at::Tensor run(const at::Tensor& x, bool relu) const override {
    auto y = linear_int8(x, packed_);
    return relu ? y.relu_() : y;
  }

 private:
  c10::IValue packed_;
};

}  // namespace

std::unique_ptr<LinearKernel> make_linear_kernel(ComputeType type, const at::Tensor& weight, const at::Tensor& bias) {
  if (!weight.is_cpu()) return nullptr;  // the hand-written kernels are CPU kernels
  if (type == ComputeType::Int8) return std::make_unique<Int8Linear>(weight, bias);
  if (can_pack(weight.scalar_type(), weight.size(1))) return std::make_unique<PackedLinear>(weight, bias);
  return nullptr;
}

}  // namespace mt
