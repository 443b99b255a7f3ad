// Batched beam search in the manner of fairseq and CTranslate2: every sentence x beam row advances
// in one decode_step; 2*beam candidates per sentence are ranked so that hypotheses ending in EOS
// can be set aside without starving the beam; sentences that finish leave the batch.
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/kernels/logsumexp.h"
#include "model/kernels/row_topk.h"
#include "model/search/search.h"
#include "model/search/search_steps.h"
#include "tokenizer/vocabulary.h"

namespace mt {

double length_penalty(int64_t length, double alpha) {
  return alpha == 0 ? 1.0 : std::pow((5.0 + double(length)) / 6.0, alpha);
}

void keep_n_best(std::vector<Hypothesis>& hyps, int64_t n_best) {
  std::stable_sort(hyps.begin(), hyps.end(), [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
  if (int64_t(hyps.size()) > n_best) hyps.resize(size_t(std::max<int64_t>(1, n_best)));
}

namespace {

struct Candidate {
  int64_t row, token;
  float score;
};

}  // namespace

std::vector<std::vector<Hypothesis>> beam_search(Transformer& model, const at::Tensor& src_all,
                                                 const SearchOptions& o) {
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  const int64_t K = std::max<int64_t>(1, o.beam);
  const auto device = src_all.device();
  std::vector<std::vector<Hypothesis>> finished(src_all.size(0));
  // A sentence is done once it has `beam` finished hypotheses and its best live one, normalised at
  // the present length, scores below the worst of them (as Hugging Face's beam search does):
  // stopping at the first `beam` finished ones, as fairseq does, favours short output.
  auto sentence_done = [&](std::vector<Hypothesis>& done, float best_alive, int64_t length) {
    if (int64_t(done.size()) < K) return false;
    std::nth_element(done.begin(), done.begin() + (K - 1), done.end(),
                     [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
    return done[size_t(K - 1)].score >= best_alive / length_penalty(length, o.length_penalty);
  };

  SearchBatch batch = start_search(model, src_all, o);
  if (batch.sentences.empty()) return finished;
  DecoderState state = model->start_decoding(batch.encoded);

  // Step 0 runs one row per sentence (its beams would all start from the same BOS); the first
  // reorder fans each out to K rows.
  auto scores = at::zeros({batch.size(), 1});  // CPU: cumulative log-probs, (sentences, rows per sentence)
  auto history = at::empty({batch.size(), 0}, at::kLong);  // CPU, tokens so far
  auto last = at::full({batch.size()}, int64_t(SpecialIds::bos), at::TensorOptions(device).dtype(at::kLong));

  for (int64_t t = 0;; ++t) {
    const int64_t B = batch.size(), width = scores.size(1), N = B * width;
    // Only each row's best `take` tokens can make a sentence's best `take` candidates: rank those,
    // instead of adding the beam scores to all V log-probabilities of every row.
    auto logits = model->decode_step_logits(last, state);  // (N, V)
    const int64_t V = logits.size(1);
    auto normalizer = logsumexp_rows(logits);  // log-probabilities are logits - normalizer
    restrict_tokens(logits, batch.max_len, width, t, o, history);
    // Without EOS among them, the best K are enough to keep K alive.
    const bool eos_banned = t < o.min_length;
    const int64_t take = std::min<int64_t>(eos_banned ? K : 2 * K, V);
    auto [row_scores, row_best] = row_topk(logits, take);
    auto row_logp = row_scores - normalizer.unsqueeze(1);
    auto cand = (scores.to(device).view({N, 1}) + row_logp).view({B, width * take});
    auto top = cand.topk(take, 1);
    auto top_scores = std::get<0>(top).to(at::kCPU).contiguous();
    auto top_index = std::get<1>(top).to(at::kCPU).contiguous();
    auto row_tokens = row_best.to(at::kCPU).contiguous();
    auto ts = top_scores.accessor<float, 2>();
    auto ti = top_index.accessor<int64_t, 2>();
    auto rt = row_tokens.accessor<int64_t, 2>();
    auto hist = history.accessor<int64_t, 2>();
    auto hypothesis = [&](int64_t row, float score, int64_t length) {
      std::vector<int64_t> tokens(hist[row].data(), hist[row].data() + history.size(1));
      return Hypothesis{std::move(tokens), score / length_penalty(length, o.length_penalty)};
    };

    std::vector<int64_t> keep_sentences, rows, tokens;
    std::vector<float> kept_scores;
    for (int64_t b = 0; b < B; ++b) {
      const int64_t s = batch.sentences[b];
      std::vector<Candidate> alive;
      for (int64_t j = 0; j < take && ts[b][j] > kNegInf; ++j) {
        const int64_t row = b * width + ti[b][j] / take;
        Candidate c{row, rt[row][ti[b][j] % take], ts[b][j]};
        if (c.token == SpecialIds::eos) {
          if (j < K) finished[s].push_back(hypothesis(c.row, c.score, t + 1));
        } else if (int64_t(alive.size()) < K) {
          alive.push_back(c);
        }
      }
      const bool out_of_length = t + 1 >= batch.max_len[b];
      if (out_of_length && eos_banned) {  // the length limit before the minimum: the live beams end here
        for (const auto& c : alive) {
          auto h = hypothesis(c.row, c.score, t + 1);
          h.tokens.push_back(c.token);
          finished[s].push_back(std::move(h));
        }
      }
      if (out_of_length || alive.empty() || sentence_done(finished[s], alive.front().score, t + 1)) continue;
      while (int64_t(alive.size()) < K) alive.push_back({alive.back().row, alive.back().token, kNegInf});
      keep_sentences.push_back(b);
      for (const auto& c : alive) {
        rows.push_back(c.row);
        tokens.push_back(c.token);
        kept_scores.push_back(c.score);
      }
    }
    if (keep_sentences.empty()) break;

    auto rows_cpu = at::tensor(rows, at::kLong);
    auto rows_dev = rows_cpu.to(device);
    if (int64_t(keep_sentences.size()) == B) {
      state.reorder(rows_dev);
    } else {
      state.select(rows_dev, at::tensor(keep_sentences, at::kLong).to(device));
      batch.keep(keep_sentences);
    }
    auto next = at::tensor(tokens, at::kLong);
    history = at::cat({history.index_select(0, rows_cpu), next.unsqueeze(1)}, 1);
    scores = at::tensor(kept_scores, at::kFloat).view({batch.size(), K});
    last = next.to(device);
  }

  for (auto& hyps : finished) {
    keep_n_best(hyps, o.n_best);
  }
  for (int64_t s = 0; s < int64_t(finished.size()); ++s)
    if (finished[s].empty()) finished[s].push_back({});  // empty source: empty translation
  return finished;
}

std::vector<std::vector<Hypothesis>> search(Transformer& model, const at::Tensor& src, const SearchOptions& options) {
  return options.beam <= 1 ? greedy_search(model, src, options) : beam_search(model, src, options);
}

}  // namespace mt
