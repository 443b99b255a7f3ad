#include "model/translate/reverse_score.h"

#include <algorithm>

#include "model/kernels/logsumexp.h"
#include "model/translate/batching.h"

namespace mt {

std::vector<double> reverse_log_probs(Transformer& network, const std::vector<ReversePair>& pairs, int64_t budget,
                                      bool per_token) {
  std::vector<double> scores(pairs.size());
  const auto device = network->parameters().front().device();
  const int64_t limit = network->config().max_positions - 2;  // room for the tag and EOS
  auto clip = [&](const std::vector<int64_t>& t) { return std::min<int64_t>(int64_t(t.size()), limit); };
  std::vector<int64_t> widths;  // a pair costs its target positions
  for (const auto& p : pairs) widths.push_back(clip(*p.source) + 1);
  for (const auto& [start, end] : token_budget_batches(widths, budget)) {
    const int64_t rows = int64_t(end - start);
    std::vector<std::vector<int64_t>> src_rows, in_rows, out_rows;
    for (size_t i = start; i < end; ++i) {
      const auto& [translation_ptr, source_ptr, source_lang] = pairs[i];
      const auto &translation = *translation_ptr, &source = *source_ptr;
      const int64_t n = clip(translation), m = clip(source);
      std::vector<int64_t> s{target_tag(source_lang)}, in{SpecialIds::bos}, out(source.begin(), source.begin() + m);
      s.insert(s.end(), translation.begin(), translation.begin() + n);
      s.push_back(SpecialIds::eos);
      in.insert(in.end(), source.begin(), source.begin() + m);
      out.push_back(SpecialIds::eos);
      src_rows.push_back(std::move(s)), in_rows.push_back(std::move(in)), out_rows.push_back(std::move(out));
    }
    const auto src = padded_rows(src_rows), tgt_in = padded_rows(in_rows), tgt_out = padded_rows(out_rows);
    const int64_t tgt_len = tgt_in.size(1);
    auto logits = network->forward(src.to(device), tgt_in.to(device));  // (rows, tgt_len, V)
    auto target = tgt_out.to(device);
    // log-softmax at the target tokens only: logit - log-sum-exp of the row, no (rows, tgt_len, V) copy
    auto normalizer = logsumexp_rows(logits.view({-1, logits.size(2)})).view({rows, tgt_len});
    auto token_logp = (logits.gather(2, target.unsqueeze(2)).squeeze(2).to(at::kFloat) - normalizer)
                          .masked_fill_(target.eq(SpecialIds::pad), 0.0);
    auto sums = token_logp.sum(1).to(at::kCPU), counts = target.ne(SpecialIds::pad).sum(1).to(at::kCPU);
    for (int64_t r = 0; r < rows; ++r)
      scores[start + size_t(r)] = sums[r].item<double>() / (per_token ? double(std::max<int64_t>(1, counts[r].item<int64_t>())) : 1.0);
  }
  return scores;
}

}  // namespace mt
