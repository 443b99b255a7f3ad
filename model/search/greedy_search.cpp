// Greedy search: the arg-max token at every step; sentences leave the batch as they finish.
#include <limits>

#include "model/kernels/logsumexp.h"
#include "model/search/search.h"
#include "model/search/search_steps.h"
#include "tokenizer/vocabulary.h"

namespace mt {

std::vector<std::vector<Hypothesis>> greedy_search(Transformer& model, const at::Tensor& src, const SearchOptions& o) {
  std::vector<std::vector<Hypothesis>> results(src.size(0), std::vector<Hypothesis>(1));
  SearchBatch batch = start_search(model, src, o);
  if (batch.sentences.empty()) return results;
  DecoderState state = model->start_decoding(batch.encoded);
  const auto device = src.device();

  auto last = at::full({batch.size()}, int64_t(SpecialIds::bos), at::TensorOptions(device).dtype(at::kLong));
  std::vector<double> score(batch.size(), 0.0);
  std::vector<std::vector<int64_t>> tokens(batch.size());  // of the rows still decoding, all of length t
  auto history = [&](int64_t t) {  // only needed for no-repeat-ngram
    if (o.no_repeat_ngram <= 0) return at::empty({batch.size(), 0}, at::kLong);
    auto h = at::empty({batch.size(), t}, at::kLong);
    for (int64_t b = 0; b < batch.size(); ++b) std::copy(tokens[b].begin(), tokens[b].end(), h[b].data_ptr<int64_t>());
    return h;
  };

  for (int64_t t = 0;; ++t) {
    auto logits = model->decode_step_logits(last, state);
    auto normalizer = logsumexp_rows(logits);  // log-probabilities are logits - normalizer
    restrict_tokens(logits, batch.max_len, 1, t, o, history(t));
    auto best = logits.max(1);
    auto best_score = (std::get<0>(best).to(at::kFloat) - normalizer).to(at::kCPU);
    auto best_token = std::get<1>(best).to(at::kCPU);
    auto bs = best_score.accessor<float, 1>();
    auto bt = best_token.accessor<int64_t, 1>();
    std::vector<int64_t> going_on;
    for (int64_t b = 0; b < batch.size(); ++b) {
      score[b] += bs[b];
      const bool eos = bt[b] == SpecialIds::eos;
      if (!eos) tokens[b].push_back(bt[b]);
      if (!eos && t + 1 < batch.max_len[b]) {
        going_on.push_back(b);
        continue;
      }
      auto& h = results[batch.sentences[b]][0];
      h.score = score[b] / length_penalty(int64_t(tokens[b].size()) + (eos ? 1 : 0), o.length_penalty);
      h.tokens = std::move(tokens[b]);
    }
    if (going_on.empty()) break;
    if (int64_t(going_on.size()) < batch.size()) {  // finished sentences leave the batch
      auto rows = at::tensor(going_on, at::kLong);
      state.select(rows.to(device), rows.to(device));
      best_token = best_token.index_select(0, rows);
      std::vector<double> kept_score;
      std::vector<std::vector<int64_t>> kept_tokens;
      for (auto b : going_on) {
        kept_score.push_back(score[b]);
        kept_tokens.push_back(std::move(tokens[b]));
      }
      score.swap(kept_score);
      tokens.swap(kept_tokens);
      batch.keep(going_on);
    }
    last = best_token.to(device);
  }
  return results;
}

}  // namespace mt
