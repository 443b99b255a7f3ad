// The trainer's parts on their own: the checkpoint restores exactly what it saved, snapshots
// survive a half-written file, the final pick takes the best candidate, averaging is element-wise,
// and the combined dev score falls with the worst set.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <torch/optim/adam.h>

#include "model/train/checkpoint.h"
#include "model/train/final_pick.h"
#include "model/train/mixed_precision.h"
#include "model/train/trainer.h"
#include "model/kernels/cpu_features.h"
#include "model/train/validation.h"
#include "tests/model/tiny_model.h"

namespace fs = std::filesystem;
using namespace mt;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("mt-parts-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

bool same_weights(Transformer& a, Transformer& b) {
  auto pa = a->parameters(), pb = b->parameters();
  for (size_t i = 0; i < pa.size(); ++i)
    if (!at::equal(pa[i], pb[i])) return false;
  return true;
}

}  // namespace

TEST(Precision, AutoIsBf16OnlyWhereItsProductsAreTheFaster) {
  const auto on_cpu = mt::resolve_precision("auto", c10::kCPU);
  EXPECT_TRUE(on_cpu == "bf16" || on_cpu == "fp32") << on_cpu;
  if (mt::cpu::has_amx_bf16()) EXPECT_EQ(on_cpu, "bf16");
  if (!mt::cpu::has_avx512_bf16()) EXPECT_EQ(on_cpu, "fp32");  // bf16 would be emulated
  EXPECT_EQ(mt::resolve_precision("auto", c10::Device(c10::kCUDA)), "bf16");
  EXPECT_EQ(mt::resolve_precision("bf16", c10::kCPU), "bf16");  // what is asked runs
  EXPECT_THROW(mt::AutocastScope("auto", c10::kCPU), c10::Error);  // resolved first, never taken for bf16
  mt::TrainConfig c;
  c.train = {mt::DataSource{"corpus.tsv"}};
  c.precision = "auto";
  EXPECT_NO_THROW(mt::validate(c));
  c.precision = "fp8";
  EXPECT_THROW(mt::validate(c), std::runtime_error);
}

TEST(Checkpoint, RestoresWeightsOptimizerPositionAndRandomState) {
  TempDir dir;
  torch::manual_seed(3);
  Transformer net(tiny_config());
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  for (auto& p : net->parameters()) p.mutable_grad() = at::ones_like(p);
  adam.step();  // so the optimizer has moments to save
  Position at{1234, 5, 67, 12.5, 2, 3600.25};
  const auto path = (dir.path / "checkpoint.pt").string();
  save_checkpoint(path, net, adam, at);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const auto next_random = at::rand({4});  // what the RNG draws after the save

  torch::manual_seed(99);
  Transformer other(tiny_config());
  torch::optim::Adam other_adam(other->parameters(), torch::optim::AdamOptions(1e-3));
  const Position back = load_checkpoint(path, other, other_adam);
  EXPECT_EQ(back.step, 1234);
  EXPECT_EQ(back.epoch, 5);
  EXPECT_EQ(back.batch, 67);
  EXPECT_EQ(back.best_score, 12.5);
  EXPECT_EQ(back.bad_validations, 2);
  EXPECT_EQ(back.elapsed, 3600.25);
  EXPECT_TRUE(same_weights(net, other));
  EXPECT_TRUE(at::equal(at::rand({4}), next_random));
  // The same gradient then takes both optimizers to the same weights: the moments came back too.
  for (auto* n : {&net, &other})
    for (auto& p : (*n)->parameters()) p.mutable_grad() = at::full_like(p, 0.5);
  adam.step();
  other_adam.step();
  EXPECT_TRUE(same_weights(net, other));

  std::ofstream(path, std::ios::trunc) << "not a checkpoint";
  EXPECT_THROW(load_checkpoint(path, other, other_adam), std::runtime_error);
}

TEST(Checkpoint, SnapshotsKeepTheNewestAndIgnoreHalfWrittenOnes) {
  TempDir dir;
  Transformer net(tiny_config());
  const auto folder = (dir.path / "snapshots").string();
  for (int64_t step : {100, 200, 300, 400}) keep_snapshot(folder, net, step, 3);
  std::ofstream(dir.path / "snapshots" / "tmp.pt") << "half a snapshot";
  const auto kept = list_snapshots(folder);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(fs::path(kept[0]).filename(), "step-000000200.pt");
  EXPECT_EQ(fs::path(kept[2]).filename(), "step-000000400.pt");
}

TEST(FinalPick, AveragesElementWiseAndPicksTheBestScore) {
  torch::manual_seed(1);
  Transformer a(tiny_config()), b(tiny_config());
  Transformer mean = mean_weights({a, b}, tiny_config());
  auto pa = a->parameters(), pb = b->parameters(), pm = mean->parameters();
  for (size_t i = 0; i < pm.size(); ++i) EXPECT_TRUE(at::allclose(pm[i], (pa[i] + pb[i]) / 2)) << i;

  std::vector<Candidate> candidates{{"a", a}, {"b", b}, {"mean", mean}};
  std::vector<std::string> heard;
  const std::map<void*, double> scores{{a.get(), 10.0}, {b.get(), 12.0}, {mean.get(), 12.0}};
  const size_t chosen = pick_best(
      candidates, [&](Transformer& net) { return scores.at(net.get()); },
      [&](const Candidate& c, double) { heard.push_back(c.name); });
  EXPECT_EQ(chosen, 1u);  // the first of two equal scores
  EXPECT_EQ(heard, (std::vector<std::string>{"a", "b", "mean"}));
}

TEST(Validation, CombinedScoreFallsWithTheWorstSet) {
  const std::vector<DevScores> even{{"tatoeba", 30, 0, 30, 0}, {"news", 30, 0, 30, 0}};
  EXPECT_DOUBLE_EQ(combined_score(even), 30);
  // +10 on one domain does not make up for a collapse of the other, as an arithmetic mean would.
  const std::vector<DevScores> collapsed{{"tatoeba", 40, 0, 40, 0}, {"news", 2, 0, 2, 0}};
  EXPECT_LT(combined_score(collapsed), 5);
  EXPECT_EQ(combined_score({{"news", 0, 0, 10, 0}}), 0);
  EXPECT_EQ(combined_score({}), 0);
}

TEST(Validation, MetricsLogWritesOneHeaderAndAColumnGroupPerSet) {
  TempDir dir;
  const auto path = (dir.path / "metrics.tsv").string();
  std::vector<DevSet> sets(2);
  sets[0].name = "tatoeba-dev";
  sets[1].name = "newstest2017";
  MetricsLog(path, sets).write(100, 0, 3.5, {2.5, 4.5}, {{"tatoeba-dev", 1, 2, 3, 4}, {"newstest2017", 5, 6, 7, 8}}, 2.5, 60);
  MetricsLog(path, sets).write(200, 1, 3.0, {2.0, 4.0}, {{"tatoeba-dev", 1, 2, 3, 4}, {"newstest2017", 5, 6, 7, 8}}, 2.5, 120);
  std::ifstream in(path);
  std::string header, row1, row2, more;
  std::getline(in, header), std::getline(in, row1), std::getline(in, row2);
  EXPECT_EQ(header,
            "step\tepoch\ttrain_nll\ttatoeba-dev_nll\ttatoeba-dev_bleu_en_zh\ttatoeba-dev_chrf_en_zh\t"
            "tatoeba-dev_bleu_zh_en\ttatoeba-dev_chrf_zh_en\tnewstest2017_nll\tnewstest2017_bleu_en_zh\t"
            "newstest2017_chrf_en_zh\tnewstest2017_bleu_zh_en\tnewstest2017_chrf_zh_en\tscore\telapsed_s");
  EXPECT_EQ(row1, "100\t0\t3.5\t2.5\t1\t2\t3\t4\t4.5\t5\t6\t7\t8\t2.5\t60");
  EXPECT_EQ(row2.substr(0, 4), "200\t");
  EXPECT_FALSE(std::getline(in, more));
}
