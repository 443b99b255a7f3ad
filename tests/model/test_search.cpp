// Beam and greedy search: agreement, batching, limits, n-best, and a model that really learns.
#include <gtest/gtest.h>

#include <algorithm>

#include <c10/core/InferenceMode.h>
#include <torch/optim/adam.h>

#include "model/search/search.h"
#include "model/train/loss.h"
#include "tests/model/tiny_model.h"

using namespace mt;

TEST(BeamSearch, BeamOneEqualsGreedy) {
  torch::manual_seed(10);
  Transformer net(tiny_config());
  net->eval();
  c10::InferenceMode guard;
  auto src = random_batch({5, 9, 3, 7}, 50);
  SearchOptions o;
  o.beam = 1;
  o.max_len_a = 1.0;
  o.max_len_b = 5;
  auto greedy = greedy_search(net, src, o);
  auto beam = beam_search(net, src, o);
  for (size_t i = 0; i < greedy.size(); ++i) {
    EXPECT_EQ(greedy[i][0].tokens, beam[i][0].tokens) << "sentence " << i;
    EXPECT_NEAR(greedy[i][0].score, beam[i][0].score, 1e-4);
  }
}

TEST(BeamSearch, PaddedBatchOfDifferentLengthsEqualsOneByOne) {
  torch::manual_seed(11);
  Transformer net(tiny_config());
  net->eval();
  c10::InferenceMode guard;
  auto src = random_batch({2, 12, 6}, 50);
  SearchOptions o;
  o.beam = 4;
  auto together = beam_search(net, src, o);
  for (int64_t i = 0; i < src.size(0); ++i) {
    auto row = src.narrow(0, i, 1);
    const auto length = row.ne(SpecialIds::pad).sum().item<int64_t>();
    auto alone = beam_search(net, row.narrow(1, 0, length), o);
    EXPECT_EQ(together[size_t(i)][0].tokens, alone[0][0].tokens) << "sentence " << i;
    EXPECT_NEAR(together[size_t(i)][0].score, alone[0][0].score, 1e-3);
  }
}

TEST(BeamSearch, EmptySourceGivesEmptyOutput) {
  torch::manual_seed(12);
  Transformer net(tiny_config());
  net->eval();
  c10::InferenceMode guard;
  auto src = random_batch({4, 4}, 50);
  src[1].fill_(SpecialIds::pad);
  for (int64_t beam : {1, 3}) {
    SearchOptions o;
    o.beam = beam;
    auto out = search(net, src, o);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_TRUE(out[1][0].tokens.empty());
  }
}

TEST(BeamSearch, NBestIsSortedAndBounded) {
  torch::manual_seed(13);
  Transformer net(tiny_config());
  net->eval();
  c10::InferenceMode guard;
  SearchOptions o;
  o.beam = 5;
  o.n_best = 3;
  auto out = beam_search(net, random_batch({6, 8}, 50), o);
  for (const auto& hyps : out) {
    ASSERT_EQ(hyps.size(), 3u);
    EXPECT_GE(hyps[0].score, hyps[1].score);
    EXPECT_GE(hyps[1].score, hyps[2].score);
  }
}

TEST(BeamSearch, OutputLengthLimitsHold) {
  torch::manual_seed(14);
  Transformer net(tiny_config());
  net->eval();
  c10::InferenceMode guard;
  auto src = random_batch({4, 10}, 50);
  SearchOptions o;
  o.beam = 3;
  o.max_len_a = 0.5;
  o.max_len_b = 2;
  auto out = beam_search(net, src, o);
  EXPECT_LE(out[0][0].tokens.size(), size_t(0.5 * 5 + 2));
  EXPECT_LE(out[1][0].tokens.size(), size_t(0.5 * 11 + 2));
  // Forced decoding: no EOS before the limit, exactly that many steps.
  o.min_length = o.max_len_b = 7;
  o.max_len_a = 0;
  for (auto& hyps : search(net, src, o)) EXPECT_EQ(hyps[0].tokens.size(), 7u);
  o.beam = 1;
  for (auto& hyps : search(net, src, o)) EXPECT_EQ(hyps[0].tokens.size(), 7u);
  // A minimum below the limit: at least that long, and ended by EOS within the limit.
  o.min_length = 4;
  o.max_len_b = 9;
  for (int64_t beam : {1, 3}) {
    o.beam = beam;
    for (auto& hyps : search(net, src, o)) {
      EXPECT_GE(hyps[0].tokens.size(), 4u);
      EXPECT_LE(hyps[0].tokens.size(), 9u);
    }
  }
}

TEST(BeamSearch, NoRepeatNgramForbidsRepeatedBigrams) {
  torch::manual_seed(15);
  auto c = tiny_config(8);  // tiny vocabulary: repeats are otherwise likely
  Transformer net(c);
  net->eval();
  c10::InferenceMode guard;
  SearchOptions o;
  o.beam = 2;
  o.min_length = o.max_len_b = 12;
  o.max_len_a = 0;
  o.no_repeat_ngram = 2;
  auto out = beam_search(net, random_batch({5}, 8), o);
  const auto& t = out[0][0].tokens;
  std::set<std::pair<int64_t, int64_t>> seen;
  for (size_t i = 0; i + 1 < t.size(); ++i) EXPECT_TRUE(seen.insert({t[i], t[i + 1]}).second) << "repeated bigram at " << i;
}

// A tiny model trained here learns to reverse sequences; beam search must then decode them exactly.
TEST(BeamSearchTrained, TinyModelLearnsToReverseSequences) {
  torch::manual_seed(16);
  auto c = tiny_config(16);
  c.d_model = 64;
  c.ffn = 128;
  Transformer net(c);
  const double peak_lr = 3e-3;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(peak_lr).betas({0.9, 0.98}));
  auto make = [](int64_t rows) {
    std::vector<int64_t> lengths(static_cast<size_t>(rows));
    for (auto& n : lengths) n = 3 + at::randint(4, {1}).item<int64_t>();
    auto src = random_batch(lengths, 16);
    auto tgt = at::full_like(src, SpecialIds::pad);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t n = lengths[size_t(r)];
      tgt[r].narrow(0, 0, n).copy_(src[r].narrow(0, 0, n).flip(0));
      tgt[r][n] = int64_t(SpecialIds::eos);
    }
    auto tgt_in = at::cat({at::full({rows, 1}, int64_t(SpecialIds::bos), at::kLong), tgt.narrow(1, 0, tgt.size(1) - 1)}, 1);
    tgt_in.masked_fill_(tgt_in.eq(SpecialIds::eos), SpecialIds::pad);
    return std::make_tuple(src, tgt_in, tgt);
  };
  net->train();
  // The learning rate decays linearly to zero: at a constant rate the last steps still jump
  // about, and how many of 20 come out exact then varies (17-20) with thread count and BLAS kernels.
  const int steps = 400;
  for (int step = 0; step < steps; ++step) {
    auto [src, tgt_in, tgt] = make(64);
    for (auto& group : adam.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(peak_lr * (1.0 - double(step) / steps));
    adam.zero_grad();
    auto loss = label_smoothed_loss(net->forward(src, tgt_in), tgt, 0.0);
    (loss.smoothed / tgt.ne(SpecialIds::pad).sum()).backward();
    adam.step();
  }
  net->eval();
  c10::InferenceMode guard;
  auto [src, tgt_in, tgt] = make(20);
  SearchOptions o;
  o.beam = 4;
  auto out = beam_search(net, src, o);
  int exact = 0;
  for (int64_t r = 0; r < 20; ++r) {
    const int64_t n = tgt[r].ne(SpecialIds::pad).sum().item<int64_t>() - 1;
    std::vector<int64_t> expected(tgt[r].data_ptr<int64_t>(), tgt[r].data_ptr<int64_t>() + n);
    exact += out[size_t(r)][0].tokens == expected;
  }
  EXPECT_GE(exact, 19) << "reversed exactly: " << exact << "/20";
}

namespace {

bool contains(const std::vector<int64_t>& tokens, const Constraint& term) {
  return std::search(tokens.begin(), tokens.end(), term.begin(), term.end()) != tokens.end();
}

}  // namespace

// Lexically constrained search: whatever the network prefers (here a random one), every
// hypothesis it returns holds each of its sentence's terms, in any order; sentences without
// terms in the same batch are searched as usual.
TEST(ConstrainedSearch, EveryHypothesisHoldsEveryTerm) {
  torch::manual_seed(17);
  Transformer net(tiny_config());
  net->eval();
  c10::InferenceMode guard;
  auto src = random_batch({5, 9, 3, 7}, 50);
  const std::vector<SentenceTerms> terms = {
      {{{11, 12}}, true},                      // one term of two tokens, a whole word
      {{{20}, {30, 31, 32}, {40, 41}}, false}, // several terms in one sentence
      {{{7, 8, 9, 10, 13, 14, 15, 16}}, true}, // a term longer than the beam would keep
      {},                                      // no term: as plain beam search
  };
  // Pretend 13-49 continue words: after a whole-word term none of them may come next.
  std::vector<int64_t> continuations;
  for (int64_t id = 13; id < 50; ++id) continuations.push_back(id);
  for (int64_t beam : {1, 2, 4}) {
    SearchOptions o;
    o.beam = beam;
    o.n_best = beam;
    o.max_len_a = 1.0;
    o.max_len_b = 2;  // short limits: the terms must still get in
    const auto out = constrained_beam_search(net, src, terms, continuations, o);
    ASSERT_EQ(out.size(), terms.size());
    for (size_t s = 0; s < terms.size(); ++s) {
      ASSERT_FALSE(out[s].empty()) << "sentence " << s;
      for (size_t h = 1; h < out[s].size(); ++h) EXPECT_GE(out[s][h - 1].score, out[s][h].score);
      for (const auto& hyp : out[s]) {
        for (const auto& term : terms[s].terms) EXPECT_TRUE(contains(hyp.tokens, term)) << "beam " << beam << ", sentence " << s;
        if (!terms[s].whole_words) continue;
        const auto& t = hyp.tokens;
        const auto& term = terms[s].terms.front();
        const auto at = std::search(t.begin(), t.end(), term.begin(), term.end());
        if (at != t.end() && at + long(term.size()) != t.end())  // not at the end: a new word follows
          EXPECT_TRUE(*(at + long(term.size())) < 13) << "beam " << beam << ", sentence " << s;
      }
    }
  }
}
