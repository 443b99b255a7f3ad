#include "model/search/search_steps.h"

#include <algorithm>
#include <limits>

#include "tokenizer/vocabulary.h"

namespace mt {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
}

void SearchBatch::keep(const std::vector<int64_t>& rows) {
  std::vector<int64_t> s, m;
  for (auto r : rows) {
    s.push_back(sentences[r]);
    m.push_back(max_len[r]);
  }
  sentences.swap(s);
  max_len.swap(m);
}

SearchBatch start_search(Transformer& model, const at::Tensor& src, const SearchOptions& o) {
  SearchBatch batch;
  auto lengths = src.ne(SpecialIds::pad).sum(1).to(at::kCPU);
  auto len = lengths.accessor<int64_t, 1>();
  const int64_t limit = model->config().max_positions - 1;
  for (int64_t i = 0; i < src.size(0); ++i) {
    if (len[i] == 0) continue;
    batch.sentences.push_back(i);
    const int64_t m = int64_t(o.max_len_a * double(len[i]) + double(o.max_len_b));
    batch.max_len.push_back(std::clamp<int64_t>(m, 1, limit));
  }
  if (batch.sentences.empty()) return batch;
  auto rows = at::tensor(batch.sentences, at::kLong).to(src.device());
  auto kept = int64_t(batch.sentences.size()) == src.size(0) ? src : src.index_select(0, rows);
  batch.encoded = model->encode(kept);
  return batch;
}

void restrict_tokens(at::Tensor& scores, const std::vector<int64_t>& max_len, int64_t beam, int64_t t,
                     const SearchOptions& o, const at::Tensor& history) {
  for (int id : {SpecialIds::pad, SpecialIds::bos, SpecialIds::unk, SpecialIds::to_zh, SpecialIds::to_en})
    scores.select(1, id).fill_(kNegInf);
  if (t < o.min_length) {  // too short to end: no EOS (and no forced EOS at the length limit)
    scores.select(1, SpecialIds::eos).fill_(kNegInf);
  } else {
    for (size_t b = 0; b < max_len.size(); ++b) {
      if (t + 1 < max_len[b]) continue;
      auto rows = scores.narrow(0, int64_t(b) * beam, beam);
      auto eos = rows.select(1, SpecialIds::eos).clone();
      rows.fill_(kNegInf);
      rows.select(1, SpecialIds::eos).copy_(eos);
    }
  }
  const int64_t n = o.no_repeat_ngram;
  if (n <= 0 || history.size(1) < n) return;
  // Ban every token that would complete an n-gram already present in the row's history.
  auto h = history.accessor<int64_t, 2>();
  const int64_t T = history.size(1);
  std::vector<int64_t> ban_rows, ban_tokens;
  for (int64_t r = 0; r < history.size(0); ++r) {
    for (int64_t i = 0; i + n - 1 < T; ++i) {
      bool same = true;
      for (int64_t k = 0; k < n - 1 && same; ++k) same = h[r][i + k] == h[r][T - n + 1 + k];
      if (same) {
        ban_rows.push_back(r);
        ban_tokens.push_back(h[r][i + n - 1]);
      }
    }
  }
  if (ban_rows.empty()) return;
  scores.index_put_({at::tensor(ban_rows, at::kLong).to(scores.device()), at::tensor(ban_tokens, at::kLong).to(scores.device())},
                  at::scalar_tensor(kNegInf, scores.options()));
}

}  // namespace mt
