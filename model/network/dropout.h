// Dropout for training, whose mask is a hash of one seed per call (model/kernels/dropout_mask):
// backward recomputes it instead of keeping a mask, and no random number is drawn per element.
#pragma once
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace mt {

// Zeroes each element of x with probability p and scales the rest by 1 / (1 - p) when training;
// x itself otherwise. Float and bf16 CPU tensors take the hashed mask, others LibTorch's dropout.
at::Tensor hashed_dropout(const at::Tensor& x, double p, bool training);

// hashed_dropout(relu(x)) in one pass, whose backward reads only the output: the feed-forward
// layer's activation when training.
at::Tensor relu_dropout(const at::Tensor& x, double p);

class DropoutImpl : public torch::nn::Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(double p) : p_(p) {}
  void reset() override {}
  at::Tensor forward(const at::Tensor& x) { return hashed_dropout(x, p_, is_training()); }

 private:
  double p_;
};
TORCH_MODULE(Dropout);

}  // namespace mt
