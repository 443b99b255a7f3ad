// Greedy search: the arg-max token at every step, all sentences in one batch.
#include <limits>

#include "model/search/logsumexp.h"
#include "model/search/search.h"
#include "model/search/search_steps.h"
#include "tokenizer/tokenizer.h"

namespace mt {

std::vector<std::vector<Hypothesis>> greedy_search(Transformer& model, const at::Tensor& src, const SearchOptions& o) {
  std::vector<std::vector<Hypothesis>> results(src.size(0), std::vector<Hypothesis>(1));
  SearchBatch batch = start_search(model, src, o);
  if (batch.sentences.empty()) return results;
  DecoderState state = model->start_decoding(batch.encoded);
  const auto device = src.device();

  auto last = at::full({batch.size()}, int64_t(SpecialIds::bos), at::TensorOptions(device).dtype(at::kLong));
  std::vector<double> score(batch.size(), 0.0);
  std::vector<bool> done(batch.size(), false);
  const auto empty_history = at::empty({batch.size(), 0}, at::kLong);
  std::vector<std::vector<int64_t>> tokens(batch.size());
  auto history = [&]() {  // only needed for no-repeat-ngram
    if (o.no_repeat_ngram <= 0) return empty_history;
    auto h = at::full({batch.size(), int64_t(tokens[0].size())}, int64_t(SpecialIds::pad), at::kLong);
    for (int64_t b = 0; b < batch.size(); ++b)
      for (size_t i = 0; i < tokens[b].size(); ++i) h[b][int64_t(i)] = tokens[b][i];
    return h;
  };

  int64_t remaining = batch.size();
  for (int64_t t = 0; remaining > 0; ++t) {
    auto logits = model->decode_step_logits(last, state);
    auto normalizer = logsumexp_rows(logits);  // log-probabilities are logits - normalizer
    restrict_tokens(logits, batch.max_len, 1, t, o, history());
    auto best = logits.max(1);
    auto best_score = (std::get<0>(best).to(at::kFloat) - normalizer).to(at::kCPU);
    auto best_token = std::get<1>(best).to(at::kCPU);
    auto bs = best_score.accessor<float, 1>();
    auto bt = best_token.accessor<int64_t, 1>();
    for (int64_t b = 0; b < batch.size(); ++b) {
      if (done[b]) {
        tokens[b].push_back(SpecialIds::pad);
        continue;
      }
      score[b] += bs[b];
      const bool eos = bt[b] == SpecialIds::eos;
      if (!eos) tokens[b].push_back(bt[b]);
      else tokens[b].push_back(SpecialIds::pad);
      if (eos || t + 1 >= batch.max_len[b]) {
        done[b] = true;
        --remaining;
        auto& h = results[batch.sentences[b]][0];
        for (auto tok : tokens[b]) if (tok != SpecialIds::pad) h.tokens.push_back(tok);
        h.score = score[b] / length_penalty(int64_t(h.tokens.size()) + (eos ? 1 : 0), o.length_penalty);
      }
    }
    last = best_token.masked_fill(best_token.eq(SpecialIds::eos), SpecialIds::pad).to(device);
  }
  return results;
}

}  // namespace mt
