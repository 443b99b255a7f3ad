#include "model/network/real_tokens.h"

#include <ATen/ops/index_select.h>
#include <ATen/ops/nonzero.h>
#include <ATen/ops/zeros.h>

namespace mt {

RealTokens RealTokens::of(const at::Tensor& tokens, int64_t pad) {
  return {tokens.ne(pad).view(-1).nonzero().view(-1), tokens.size(0), tokens.size(1)};
}

at::Tensor RealTokens::gather(const at::Tensor& padded) const {
  return padded.reshape({batch * length, padded.size(-1)}).index_select(0, index);
}

at::Tensor RealTokens::scatter(const at::Tensor& rows) const {
  auto padded = at::zeros({batch * length, rows.size(-1)}, rows.options());
  padded.index_copy_(0, index, rows);
  return padded.view({batch, length, rows.size(-1)});
}

}  // namespace mt
