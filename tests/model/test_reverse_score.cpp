// The reverse score that reranking adds: log P(source | translation) by the other direction.
#include <gtest/gtest.h>

#include <ATen/ops/log_softmax.h>
#include <c10/core/InferenceMode.h>

#include "model/translate/reverse_score.h"
#include "tests/model/tiny_model.h"

using namespace mt;

namespace {

// The same quantity the long way: teacher-forced log-softmax of one unpadded pair.
double direct_mean_log_prob(Transformer& net, const std::vector<int64_t>& translation,
                            const std::vector<int64_t>& source, Lang source_lang) {
  std::vector<int64_t> src{target_tag(source_lang)}, in{SpecialIds::bos}, out(source);
  src.insert(src.end(), translation.begin(), translation.end());
  src.push_back(SpecialIds::eos);
  in.insert(in.end(), source.begin(), source.end());
  out.push_back(SpecialIds::eos);
  auto logp = at::log_softmax(net->forward(at::tensor(src).unsqueeze(0), at::tensor(in).unsqueeze(0)), -1)[0];
  double sum = 0;
  for (size_t t = 0; t < out.size(); ++t) sum += logp[int64_t(t)][out[t]].item<double>();
  return sum / double(out.size());
}

}  // namespace

TEST(ReverseScore, IsTheMeanLogProbabilityOfTheSourceGivenTheTranslation) {
  torch::manual_seed(5);
  Transformer net(tiny_config());
  net->eval();
  c10::InferenceMode guard;
  const std::vector<int64_t> t1{7, 8, 9}, s1{10, 11}, t2{12}, s2{13, 14, 15, 16, 17}, empty;
  const std::vector<ReversePair> pairs{{&t1, &s1, Lang::En}, {&t2, &s2, Lang::Zh}, {&empty, &s1, Lang::Zh}};
  const auto scores = reverse_log_probs(net, pairs, 4096);
  ASSERT_EQ(scores.size(), 3u);
  EXPECT_NEAR(scores[0], direct_mean_log_prob(net, t1, s1, Lang::En), 1e-4);
  EXPECT_NEAR(scores[1], direct_mean_log_prob(net, t2, s2, Lang::Zh), 1e-4);
  EXPECT_NEAR(scores[2], direct_mean_log_prob(net, empty, s1, Lang::Zh), 1e-4);
  // The tag matters: the same pair read as the other language scores differently.
  EXPECT_GT(std::abs(scores[0] - reverse_log_probs(net, {{&t1, &s1, Lang::Zh}}, 4096)[0]), 1e-6);
  // Batching (padding) does not change a score: one pair per batch gives the same numbers.
  const auto one_by_one = reverse_log_probs(net, pairs, /*budget=*/1);
  for (size_t i = 0; i < scores.size(); ++i) EXPECT_NEAR(one_by_one[i], scores[i], 1e-4);
}
