// The learning-rate schedule: warm-up, inverse square root, and the cool-down to zero at the end.
#include <gtest/gtest.h>

#include "model/train/trainer.h"

namespace {

mt::TrainConfig schedule(int64_t max_steps, int64_t decay_steps) {
  mt::TrainConfig c;
  c.lr = 1e-3;
  c.warmup = 100;
  c.max_steps = max_steps;
  c.decay_steps = decay_steps;
  return c;
}

TEST(LearningRate, WarmsUpThenFallsWithTheInverseSquareRoot) {
  const auto c = schedule(0, 0);
  EXPECT_DOUBLE_EQ(mt::scheduled_lr(c, 50), 0.5e-3);
  EXPECT_DOUBLE_EQ(mt::scheduled_lr(c, 100), 1e-3);
  EXPECT_DOUBLE_EQ(mt::scheduled_lr(c, 400), 0.5e-3);
}

TEST(LearningRate, CoolsDownLinearlyOverTheLastDecaySteps) {
  const auto c = schedule(1000, 200);
  EXPECT_DOUBLE_EQ(mt::scheduled_lr(c, 800), mt::inverse_sqrt_lr(800, 1e-3, 100));  // not yet
  EXPECT_NEAR(mt::scheduled_lr(c, 901), 0.5 * mt::inverse_sqrt_lr(901, 1e-3, 100), 1e-12);
  EXPECT_GT(mt::scheduled_lr(c, 1000), 0.0);  // the last step still trains
  EXPECT_LT(mt::scheduled_lr(c, 1000), 0.01 * mt::inverse_sqrt_lr(1000, 1e-3, 100));
}

TEST(LearningRate, DecayWithoutAStepLimitIsAConfigError) {
  auto c = schedule(0, 200);
  c.train = {mt::DataSource{"corpus.tsv"}};
  EXPECT_THROW(mt::validate(c), std::runtime_error);
  c.max_steps = 100;  // shorter than the decay
  EXPECT_THROW(mt::validate(c), std::runtime_error);
  c.max_steps = 1000;
  EXPECT_NO_THROW(mt::validate(c));
}

}  // namespace
