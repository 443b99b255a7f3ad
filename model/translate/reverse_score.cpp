#include "model/translate/reverse_score.h"

#include <algorithm>

#include <ATen/ops/full.h>
#include <ATen/ops/tensor.h>

#include "model/kernels/logsumexp.h"

namespace mt {

std::vector<double> reverse_log_probs(Transformer& network, const std::vector<ReversePair>& pairs, int64_t budget) {
  std::vector<double> scores(pairs.size());
  const auto device = network->parameters().front().device();
  const int64_t limit = network->config().max_positions - 2;  // room for the tag and EOS
  auto clip = [&](const std::vector<int64_t>& t) { return std::min<int64_t>(int64_t(t.size()), limit); };
  for (size_t start = 0; start < pairs.size();) {
    int64_t src_len = 0, tgt_len = 0;
    size_t end = start;
    while (end < pairs.size()) {
      const int64_t s = std::max(src_len, clip(*pairs[end].translation) + 2), t = std::max(tgt_len, clip(*pairs[end].source) + 1);
      if (end > start && int64_t(end - start + 1) * t > budget) break;
      src_len = s, tgt_len = t, ++end;
    }
    const int64_t rows = int64_t(end - start);
    auto src = at::full({rows, src_len}, int64_t(SpecialIds::pad), at::kLong);
    auto tgt_in = at::full({rows, tgt_len}, int64_t(SpecialIds::pad), at::kLong);
    auto tgt_out = at::full({rows, tgt_len}, int64_t(SpecialIds::pad), at::kLong);
    for (int64_t r = 0; r < rows; ++r) {
      const auto& [translation_ptr, source_ptr, source_lang] = pairs[start + size_t(r)];
      const auto &translation = *translation_ptr, &source = *source_ptr;
      const int64_t n = clip(translation), m = clip(source);
      std::vector<int64_t> s{target_tag(source_lang)}, in{SpecialIds::bos}, out(source.begin(), source.begin() + m);
      s.insert(s.end(), translation.begin(), translation.begin() + n);
      s.push_back(SpecialIds::eos);
      in.insert(in.end(), source.begin(), source.begin() + m);
      out.push_back(SpecialIds::eos);
      src[r].narrow(0, 0, n + 2).copy_(at::tensor(s, at::kLong));
      tgt_in[r].narrow(0, 0, m + 1).copy_(at::tensor(in, at::kLong));
      tgt_out[r].narrow(0, 0, m + 1).copy_(at::tensor(out, at::kLong));
    }
    auto logits = network->forward(src.to(device), tgt_in.to(device));  // (rows, tgt_len, V)
    auto target = tgt_out.to(device);
    // log-softmax at the target tokens only: logit - log-sum-exp of the row, no (rows, tgt_len, V) copy
    auto normalizer = logsumexp_rows(logits.view({-1, logits.size(2)})).view({rows, tgt_len});
    auto token_logp = (logits.gather(2, target.unsqueeze(2)).squeeze(2).to(at::kFloat) - normalizer)
                          .masked_fill_(target.eq(SpecialIds::pad), 0.0);
    auto sums = token_logp.sum(1).to(at::kCPU), counts = target.ne(SpecialIds::pad).sum(1).to(at::kCPU);
    for (int64_t r = 0; r < rows; ++r)
      scores[start + size_t(r)] = sums[r].item<double>() / double(std::max<int64_t>(1, counts[r].item<int64_t>()));
    start = end;
  }
  return scores;
}

}  // namespace mt
