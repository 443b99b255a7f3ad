// Lexically constrained beam search with dynamic beam allocation (Post & Vilar 2018): each step
// ranks, besides every row's best tokens, the next token of each term a row has not written yet,
// groups the candidates by how many constraint tokens they have met (their bank) and fills the
// beam from the banks in turn, best bank first, so hypotheses that have placed a term are not
// crowded out by ones that have not, and a term longer than the beam is still reached. Only a
// hypothesis that holds every term may end. The model places the terms; where the length limit
// comes first, the best hypothesis gets the missing terms appended, so each is always present.
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "model/kernels/logsumexp.h"
#include "model/kernels/row_topk.h"
#include "model/search/search.h"
#include "model/search/search_steps.h"
#include "tokenizer/vocabulary.h"

namespace mt {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// How far one hypothesis is through its sentence's terms.
struct Progress {
  std::vector<bool> met;   // per term
  int current = -1;        // the term being written, or -1
  size_t position = 0;     // its tokens written so far
  int64_t tokens_met = 0;  // the bank: tokens of terms met, the one in progress included
  bool term_just_ended = false;  // the last token completed a term

  bool all_met() const { return current < 0 && std::all_of(met.begin(), met.end(), [](bool m) { return m; }); }

  // The state after writing `token`. A term left half-way is forgotten; a token that starts an
  // unmet term begins it.
  Progress after(int64_t token, const std::vector<Constraint>& terms) const {
    Progress p = *this;
    p.term_just_ended = false;
    if (p.current >= 0) {
      const auto& term = terms[size_t(p.current)];
      if (term[p.position] == token) {
        ++p.position, ++p.tokens_met;
        if (p.position == term.size()) {
          p.met[size_t(p.current)] = true, p.current = -1, p.position = 0;
          p.term_just_ended = true;
        }
        return p;
      }
      p.tokens_met -= int64_t(p.position);
      p.current = -1, p.position = 0;
    }
    for (size_t i = 0; i < terms.size(); ++i) {
      if (p.met[i] || terms[i].front() != token) continue;
      ++p.tokens_met;
      if (terms[i].size() == 1) p.met[i] = true, p.term_just_ended = true;
      else p.current = int(i), p.position = 1;
      break;
    }
    return p;
  }

  // The tokens that would write what is left: the term in progress, then every unmet one.
  std::vector<int64_t> remainder(const std::vector<Constraint>& terms) const {
    std::vector<int64_t> tokens;
    if (current >= 0) tokens.assign(terms[size_t(current)].begin() + long(position), terms[size_t(current)].end());
    for (size_t i = 0; i < terms.size(); ++i)
      if (!met[i] && int(i) != current) tokens.insert(tokens.end(), terms[i].begin(), terms[i].end());
    return tokens;
  }
};

struct Candidate {
  int64_t row, token;
  float score;
  Progress progress;
};

}  // namespace

std::vector<std::vector<Hypothesis>> constrained_beam_search(Transformer& model, const at::Tensor& src_all,
                                                             const std::vector<SentenceTerms>& constraints,
                                                             const std::vector<int64_t>& word_continuations,
                                                             const SearchOptions& o) {
  // Twice the beam: the banks share it out, and with `beam` rows each would get one or none (Post &
  // Vilar use wider beams too). On the terminology set (beam 4) it gained 1.7 BLEU zh->en and 0.8
  // en->zh over the plain beam, for 1.4x its time.
  const int64_t K = 2 * std::max<int64_t>(1, o.beam);
  const auto device = src_all.device();
  // The length bonus at most linear: beams that may not end before they hold every term wander
  // on, and translate's alpha 2.0 would rank their long detours above the short, right answer
  // ("...重新启动pod。重新启动pod。Posssss Podssss。" over "...重新启动Pods。").
  const double alpha = std::min(o.length_penalty, 1.0);
  std::vector<std::vector<Hypothesis>> finished(size_t(src_all.size(0)));
  std::vector<std::vector<Constraint>> terms(constraints.size());
  for (size_t s = 0; s < constraints.size(); ++s)
    for (const auto& c : constraints[s].terms)
      if (!c.empty()) terms[s].push_back(c);
  const auto continuations = at::tensor(word_continuations, at::kLong).to(device);

  SearchBatch batch = start_search(model, src_all, o);
  if (batch.sentences.empty()) return finished;
  for (int64_t b = 0; b < batch.size(); ++b) {  // room for the terms on top of the usual limit
    int64_t extra = 0;
    for (const auto& t : terms[size_t(batch.sentences[b])]) extra += int64_t(t.size());
    batch.max_len[b] = std::min(batch.max_len[b] + extra, model->config().max_positions - 1);
  }
  DecoderState state = model->start_decoding(batch.encoded);
  auto hypothesis = [&](const std::vector<int64_t>& tokens, float score) {
    return Hypothesis{tokens, score / float(length_penalty(int64_t(tokens.size()) + 1, alpha))};
  };

  // Per sentence still decoding: its rows' tokens, scores and progress (one row at step 0).
  std::vector<std::vector<std::vector<int64_t>>> history(size_t(batch.size()), {{}});
  std::vector<std::vector<float>> scores(size_t(batch.size()), {0.0f});
  std::vector<std::vector<Progress>> progress;
  for (int64_t b = 0; b < batch.size(); ++b)
    progress.push_back({Progress{std::vector<bool>(terms[size_t(batch.sentences[b])].size(), false)}});
  auto last = at::full({batch.size()}, int64_t(SpecialIds::bos), at::TensorOptions(device).dtype(at::kLong));

  for (int64_t t = 0;; ++t) {
    const int64_t width = int64_t(scores.front().size());
    auto logits = model->decode_step_logits(last, state);  // (N, V)
    auto normalizer = logsumexp_rows(logits);
    auto flat_history = at::empty({batch.size() * width, o.no_repeat_ngram > 0 ? t : 0}, at::kLong);
    auto fh = flat_history.accessor<int64_t, 2>();
    for (int64_t b = 0; b < batch.size(); ++b)
      for (int64_t r = 0; r < width; ++r)
        for (int64_t i = 0; i < flat_history.size(1); ++i) fh[b * width + r][i] = history[size_t(b)][size_t(r)][size_t(i)];
    restrict_tokens(logits, batch.max_len, width, t, o, flat_history);
    // Only a hypothesis that holds every term may end.
    std::vector<int64_t> no_end;
    for (int64_t b = 0; b < batch.size(); ++b)
      for (int64_t r = 0; r < width; ++r)
        if (!progress[size_t(b)][size_t(r)].all_met()) no_end.push_back(b * width + r);
    if (!no_end.empty())
      logits.index_put_({at::tensor(no_end, at::kLong).to(device), at::full({int64_t(no_end.size())}, int64_t(SpecialIds::eos), at::kLong).to(device)},
                        at::scalar_tensor(kNegInf, logits.options()));
    // A whole-word term just written is followed by a new word, punctuation or the end.
    if (continuations.numel() > 0)
      for (int64_t b = 0; b < batch.size(); ++b)
        if (constraints[size_t(batch.sentences[b])].whole_words)
          for (int64_t r = 0; r < width; ++r)
            if (progress[size_t(b)][size_t(r)].term_just_ended) logits[b * width + r].index_fill_(0, continuations, kNegInf);
    const int64_t take = std::min<int64_t>(2 * K, logits.size(1));
    auto [row_scores, row_best] = row_topk(logits, take);
    auto best_logp = (row_scores - normalizer.unsqueeze(1)).to(at::kCPU).contiguous();
    auto best_tokens = row_best.to(at::kCPU).contiguous();
    // The log-probability of each row's next term token, wherever it ranks.
    std::vector<int64_t> term_rows, term_tokens;
    for (int64_t b = 0; b < batch.size(); ++b) {
      const auto& ts = terms[size_t(batch.sentences[b])];
      for (int64_t r = 0; r < width; ++r) {
        const Progress& p = progress[size_t(b)][size_t(r)];
        for (size_t i = 0; i < ts.size(); ++i) {
          if (p.met[i]) continue;
          term_rows.push_back(b * width + r);
          term_tokens.push_back(int(i) == p.current ? ts[i][p.position] : ts[i].front());
        }
      }
    }
    std::vector<float> term_logp;
    if (!term_rows.empty()) {
      auto rows = at::tensor(term_rows, at::kLong).to(device);
      auto picked = logits.index({rows, at::tensor(term_tokens, at::kLong).to(device)}).to(at::kFloat) -
                    normalizer.index_select(0, rows).to(at::kFloat);
      picked = picked.to(at::kCPU).contiguous();
      term_logp.assign(picked.data_ptr<float>(), picked.data_ptr<float>() + picked.numel());
    }
    auto bl = best_logp.accessor<float, 2>();
    auto bt = best_tokens.accessor<int64_t, 2>();

    std::vector<int64_t> keep_sentences, rows, next_tokens;
    decltype(history) next_history;
    decltype(scores) next_scores;
    decltype(progress) next_progress;
    size_t term_at = 0;
    for (int64_t b = 0; b < batch.size(); ++b) {
      const size_t sb = size_t(b);
      const int64_t s = batch.sentences[b];
      const auto& ts = terms[size_t(s)];
      std::vector<Candidate> candidates;
      std::set<std::pair<int64_t, int64_t>> seen;  // (row, token)
      auto add = [&](int64_t r, int64_t token, float logp) {
        const float score = scores[sb][size_t(r)] + logp;
        if (score == kNegInf || !seen.insert({r, token}).second) return;
        if (token == SpecialIds::eos) {
          finished[size_t(s)].push_back(hypothesis(history[sb][size_t(r)], score));
          return;
        }
        candidates.push_back({r, token, score, progress[sb][size_t(r)].after(token, ts)});
      };
      for (int64_t r = 0; r < width; ++r) {
        for (int64_t j = 0; j < take; ++j) add(r, bt[b * width + r][j], bl[b * width + r][j]);
        for (size_t i = 0; i < ts.size(); ++i) {
          if (progress[sb][size_t(r)].met[i]) continue;
          add(r, term_tokens[term_at], term_logp[term_at]);
          ++term_at;
        }
      }
      // Dynamic beam allocation: the best of each bank in turn, from the bank furthest through the terms.
      std::map<int64_t, std::vector<Candidate>, std::greater<>> banks;
      for (auto& c : candidates) banks[c.progress.tokens_met].push_back(std::move(c));
      for (auto& [bank, members] : banks)
        std::stable_sort(members.begin(), members.end(), [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
      std::vector<Candidate> alive;
      for (size_t round = 0; int64_t(alive.size()) < K; ++round) {
        bool any = false;
        for (auto& [bank, members] : banks) {
          if (round >= members.size() || int64_t(alive.size()) >= K) continue;
          alive.push_back(members[round]);
          any = true;
        }
        if (!any) break;
      }
      const bool out_of_length = t + 1 >= batch.max_len[b];
      if (out_of_length || alive.empty()) {
        if (finished[size_t(s)].empty()) {  // no hypothesis placed every term in time: append what is missing
          int64_t best = 0;
          for (int64_t r = 1; r < width; ++r) {
            const auto& p = progress[sb];
            if (std::make_pair(p[size_t(r)].tokens_met, scores[sb][size_t(r)]) > std::make_pair(p[size_t(best)].tokens_met, scores[sb][size_t(best)]))
              best = r;
          }
          auto tokens = history[sb][size_t(best)];
          const auto rest = progress[sb][size_t(best)].remainder(ts);
          tokens.insert(tokens.end(), rest.begin(), rest.end());
          finished[size_t(s)].push_back(hypothesis(tokens, scores[sb][size_t(best)]));
        }
        continue;
      }
      // Done once `beam` hypotheses have ended and no live one that holds every term could beat
      // them. Beams still short of a term do not count: they would have to pay for the term
      // first, and waiting for them ran every sentence to its length limit.
      float best_alive = kNegInf;
      for (const auto& c : alive)
        if (c.progress.all_met()) best_alive = std::max(best_alive, c.score);
      auto& done = finished[size_t(s)];
      if (int64_t(done.size()) >= K) {
        std::nth_element(done.begin(), done.begin() + (K - 1), done.end(),
                         [](const Hypothesis& x, const Hypothesis& y) { return x.score > y.score; });
        if (done[size_t(K - 1)].score >= best_alive / float(length_penalty(t + 1, alpha))) continue;
      }
      while (int64_t(alive.size()) < K) alive.push_back({alive.back().row, alive.back().token, kNegInf, alive.back().progress});
      keep_sentences.push_back(b);
      next_history.emplace_back();
      next_scores.emplace_back();
      next_progress.emplace_back();
      for (const auto& c : alive) {
        rows.push_back(b * width + c.row);
        next_tokens.push_back(c.token);
        auto h = history[sb][size_t(c.row)];
        h.push_back(c.token);
        next_history.back().push_back(std::move(h));
        next_scores.back().push_back(c.score);
        next_progress.back().push_back(c.progress);
      }
    }
    if (keep_sentences.empty()) break;

    auto rows_dev = at::tensor(rows, at::kLong).to(device);
    if (int64_t(keep_sentences.size()) == batch.size()) {
      state.reorder(rows_dev);
    } else {
      state.select(rows_dev, at::tensor(keep_sentences, at::kLong).to(device));
      batch.keep(keep_sentences);
    }
    history = std::move(next_history);
    scores = std::move(next_scores);
    progress = std::move(next_progress);
    last = at::tensor(next_tokens, at::kLong).to(device);
  }

  for (auto& hyps : finished) keep_n_best(hyps, o.n_best);
  for (auto& hyps : finished)
    if (hyps.empty()) hyps.push_back({});  // empty source: empty translation
  return finished;
}

}  // namespace mt
