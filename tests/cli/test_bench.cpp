// mt bench: the reference benchmark's flags (--threads after the command too) and its JSON keys.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_mt.h"

namespace {
const std::string kShape = " --d-model 32 --heads 2 --ffn 64 --enc-layers 1 --dec-layers 1 --vocab 100 --threads 1 --json";
}

TEST(Bench, DecodeReportsForcedStepsAsTheReferenceDoes) {
  auto r = run_mt("bench decode" + kShape + " --beam 2 --batch-size 2 --sentences 4 --force-steps 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sentences"], 4);
  EXPECT_EQ(j["out_tokens"], 4 * 3);  // EOS suppressed: every sentence decodes exactly 3 tokens
  EXPECT_EQ(j["threads"], 1);
  EXPECT_GT(j["sentences_per_s"].get<double>(), 0);
  EXPECT_GT(j["tgt_tokens_per_s"].get<double>(), 0);
}

TEST(Bench, TrainReportsTokensPerSecond) {
  auto r = run_mt("bench train" + kShape + " --batch-tokens 64 --src-len 8 --tgt-len 8 --steps 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["src_tgt_tokens_per_s"].get<double>(), 0);
  // By default the precision training's "auto" picks on this machine, reported as what it ran.
  EXPECT_TRUE(j["precision"] == "fp32" || j["precision"] == "bf16") << j["precision"];
}

TEST(Bench, TrainTraceHoldsTheStepsOperators) {
  const std::string trace = ::testing::TempDir() + "/mt_bench_trace.json";
  auto r = run_mt("bench train" + kShape + " --batch-tokens 64 --src-len 8 --tgt-len 8 --steps 2 --trace " + trace);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto events = nlohmann::json::parse(slurp(trace));
  std::remove(trace.c_str());
  bool linear = false, backward = false;
  for (const auto& e : events) {
    const auto name = e.value("name", "");
    linear = linear || name == "aten::linear";
    backward = backward || name.find("Backward") != std::string::npos;
  }
  EXPECT_TRUE(linear && backward) << "the trace should show the forward's and backward's operators";
  auto bad = run_mt("bench train" + kShape + " --steps 1 --trace /nonexistent/dir/trace.json");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--trace: cannot write"), std::string::npos) << bad.err;
}

TEST(Bench, UnknownComputeTypeIsAUsageError) {
  EXPECT_EQ(run_mt("bench decode --compute-type float64").exit_code, 2);
}
