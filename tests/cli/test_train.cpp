// `mt train` through the binary: a run killed at any moment resumes from its last checkpoint;
// SIGTERM saves and exits cleanly; the recipe's tiny mode runs end to end.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/cli/run_mt.h"
#include "tests/cli/test_support.h"

namespace fs = std::filesystem;

namespace {

std::string train_args(const std::string& out, int max_steps) {
  const std::string data = std::string(MT_SOURCE_DIR) + "/tests/data/";
  return "--threads 1 train -c " + data + "tiny_train.yaml -o " + out + " --set 'train=[" + data +
         "tiny_parallel.tsv]' --set dev=" + out + "/dev --max-steps " + std::to_string(max_steps);
}

// Starts mt in the background and returns its pid.
pid_t start_mt(const std::string& args, const std::string& log) {
  const std::string pid_file = log + ".pid";
  const std::string cmd = std::string(MT_BINARY) + " " + args + " > " + log + " 2>&1 & echo $! > " + pid_file;
  if (std::system(cmd.c_str()) != 0) return -1;
  return pid_t(std::stol(slurp(pid_file)));
}

bool wait_for(const std::function<bool()>& condition, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int wait_exit(pid_t pid, double seconds) {
  wait_for([&] { return kill(pid, 0) != 0; }, seconds);
  return kill(pid, 0) != 0 ? 0 : -1;
}

// A dev set made of the first training pairs, as .en/.zh files.
void write_dev(const std::string& out) {
  fs::create_directories(out);
  const auto lines = split_lines(slurp(std::string(MT_SOURCE_DIR) + "/tests/data/tiny_parallel.tsv"));
  std::string en, zh;
  for (size_t i = 0; i < 8; ++i) {
    en += lines[i].substr(0, lines[i].find('\t')) + "\n";
    zh += lines[i].substr(lines[i].find('\t') + 1) + "\n";
  }
  write_text(out + "/dev.en", en);
  write_text(out + "/dev.zh", zh);
}

}  // namespace

TEST(TrainResume, KilledRunResumesFromItsLastCheckpoint) {
  const auto out = temp_path("train_kill");
  fs::remove_all(out);
  write_dev(out);
  const pid_t pid = start_mt(train_args(out, 100000), out + ".log");
  ASSERT_GT(pid, 0);
  // Kill it hard once it has written a checkpoint and gone on training past it.
  ASSERT_TRUE(wait_for([&] { return fs::exists(out + "/checkpoint.pt") || kill(pid, 0) != 0; }, 120));
  ASSERT_TRUE(fs::exists(out + "/checkpoint.pt")) << slurp(out + ".log");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  kill(pid, SIGKILL);
  wait_exit(pid, 10);
  EXPECT_FALSE(fs::exists(out + "/final"));
  // As a kill in the middle of writing a snapshot leaves it.
  write_text(out + "/snapshots/tmp.pt", "half a snapshot");

  auto r = run_mt(train_args(out, 40) + " --resume");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resumed from step"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out + "/final/model.json"));
  // The final model was picked on the whole dev set among the best, last and averaged checkpoints.
  EXPECT_NE(r.err.find("average of the last 2: dev BLEU"), std::string::npos) << r.err;
  // The resumed run's model translates.
  auto t = run_mt("translate --beam 2 -m " + out + "/final", "I am a student.\n\n");
  EXPECT_EQ(t.exit_code, 0) << t.err;
  EXPECT_EQ(split_lines(t.out).size(), 2u);
  // Resumed once more after its last step, the run trains nothing and only picks the final model.
  fs::remove_all(out + "/final");
  auto again = run_mt(train_args(out, 40) + " --resume");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("| step "), std::string::npos) << again.err;
  EXPECT_TRUE(fs::exists(out + "/final/model.json"));
  fs::remove_all(out);
}

TEST(TrainResume, SigtermSavesACheckpointAndExitsCleanly) {
  const auto out = temp_path("train_term");
  fs::remove_all(out);
  write_dev(out);
  const pid_t pid = start_mt(train_args(out, 100000), out + ".log");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for([&] { return slurp(out + ".log").find("step 5 ") != std::string::npos || kill(pid, 0) != 0; }, 120));
  ASSERT_EQ(kill(pid, 0), 0) << "training ended early: " << slurp(out + ".log");
  kill(pid, SIGTERM);
  ASSERT_EQ(wait_exit(pid, 60), 0);
  const auto log = slurp(out + ".log");
  EXPECT_NE(log.find("checkpoint saved"), std::string::npos) << log;
  EXPECT_TRUE(fs::exists(out + "/checkpoint.pt"));
  EXPECT_FALSE(fs::exists(out + "/checkpoint.pt.tmp"));
  fs::remove_all(out);
}

// The training loss at the first progress line ("| loss 5.123 |").
double first_logged_loss(const std::string& log) {
  const auto at = log.find("| loss ");
  return at == std::string::npos ? -1 : std::stod(log.substr(at + 7));
}

TEST(TrainFineTune, StartsFromTheModelAndAddsTheGlossary) {
  const auto base = temp_path("train_base"), tuned = temp_path("train_tuned");
  fs::remove_all(base);
  fs::remove_all(tuned);
  write_dev(base);
  auto first = run_mt(train_args(base, 40));
  ASSERT_EQ(first.exit_code, 0) << first.err;

  const std::string glossary = std::string(MT_SOURCE_DIR) + "/tests/data/tiny_glossary.tsv";
  auto r = run_mt(train_args(tuned, 10) + " --set dev=" + base + "/dev --set init_from=" + base +
                  "/final --set glossary=" + glossary + " --set lr=0.0005");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("fine-tuning " + base + "/final"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("9 entries, kept 3"), std::string::npos) << r.err;
  // It goes on from the trained weights: its first loss is far below the fresh run's.
  EXPECT_LT(first_logged_loss(r.err), first_logged_loss(first.err) - 0.5) << r.err << first.err;
  EXPECT_NE(r.err.find("the model fine-tuned from (" + base + "/final): dev BLEU"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("halfway between it and the fine-tuned weights: dev BLEU"), std::string::npos) << r.err;
  auto t = run_mt("translate -m " + tuned + "/final", "tea\n");
  EXPECT_EQ(t.exit_code, 0) << t.err;
  fs::remove_all(base);
  fs::remove_all(tuned);
}

// Two weighted sources (one gzip-compressed) and two dev sets: the data report gives each
// source's share of an epoch, and every validation reports both dev sets.
TEST(TrainData, TwoWeightedSourcesAndTwoDevSets) {
  const auto out = temp_path("train_two_sources");
  fs::remove_all(out);
  write_dev(out);
  const auto lines = split_lines(slurp(std::string(MT_SOURCE_DIR) + "/tests/data/tiny_parallel.tsv"));
  std::string first, en, zh;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i < 24) first += lines[i] + "\n";
    else en += lines[i].substr(0, lines[i].find('\t')) + "\n", zh += lines[i].substr(lines[i].find('\t') + 1) + "\n";
  }
  write_text(out + "/first.tsv", first);
  write_text(out + "/second.en", en);
  write_text(out + "/second.zh", zh);
  ASSERT_EQ(std::system(("gzip -f " + out + "/second.zh").c_str()), 0);
  const size_t second_pairs = lines.size() - 24;
  const std::string data = std::string(MT_SOURCE_DIR) + "/tests/data/";
  auto r = run_mt("--threads 1 train -c " + data + "tiny_train.yaml -o " + out + " --set data=" + out +
                  " --set 'train=[first.tsv, {path: second, weight: 3}]' --set 'dev=[dev, " + out +
                  "/dev]' --max-steps 12");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = split_lines(slurp(out + "/data-report.tsv"));
  ASSERT_EQ(report.size(), 3u) << slurp(out + "/data-report.tsv");
  EXPECT_EQ(report[1], "first\t1\tboth\t24\t24\t0\t0\t0\t0\t48");
  const auto n = std::to_string(second_pairs);
  EXPECT_EQ(report[2], "second\t3\tboth\t" + n + "\t" + n + "\t0\t0\t0\t0\t" + std::to_string(second_pairs * 6));
  EXPECT_NE(r.err.find("training data second (weight 3)"), std::string::npos) << r.err;
  // metrics.tsv: a group of columns per dev set (both named "dev" here, from two folders).
  const auto metrics = split_lines(slurp(out + "/metrics.tsv"));
  ASSERT_GE(metrics.size(), 2u);
  EXPECT_EQ(metrics[0],
            "step\tepoch\ttrain_nll\tdev_nll\tdev_bleu_en_zh\tdev_chrf_en_zh\tdev_bleu_zh_en\tdev_chrf_zh_en"
            "\tdev_nll\tdev_bleu_en_zh\tdev_chrf_en_zh\tdev_bleu_zh_en\tdev_chrf_zh_en\tscore\telapsed_s");
  EXPECT_EQ(std::count(metrics[1].begin(), metrics[1].end(), '\t'), 14) << metrics[1];
  EXPECT_NE(r.err.find("(harmonic mean | dev "), std::string::npos) << r.err;
  fs::remove_all(out);
}

TEST(TrainConfigErrors, UnknownSettingIsAnError) {
  auto r = run_mt("train -c " + std::string(MT_SOURCE_DIR) + "/tests/data/tiny_train.yaml --set no_such_key=1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no_such_key"), std::string::npos) << r.err;
}

TEST(TrainConfigErrors, ResumeWithoutCheckpointIsAnError) {
  auto r = run_mt(train_args(temp_path("nothing_here"), 5) + " --resume");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nothing to resume"), std::string::npos) << r.err;
}

// scripts/train.sh --tiny --config scripts/en-zh.yaml --glossary --finetune scripts/en-zh-restart.yaml:
// prepare -> tokenizer -> train -> average -> fine-tune with the glossary -> fine-tune that again ->
// evaluate, end to end. On the Tatoeba recipe: the default one tokenizes every corpus, minutes of
// work for a smoke run.
TEST(TrainRecipe, TinyModeRunsEndToEnd) {
  REQUIRE_SHARED_DATA();
  const auto out = temp_path("recipe_tiny");
  fs::remove_all(out);
  const std::string cmd = "MT=" + std::string(MT_BINARY) + " bash " + std::string(MT_SOURCE_DIR) +
                          "/scripts/train.sh --tiny --config scripts/en-zh.yaml --glossary --finetune scripts/en-zh-restart.yaml --out " + out +
                          " > " + out + ".log 2>&1";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(status, 0) << slurp(out + ".log");
  EXPECT_TRUE(fs::exists(out + "/final/model.json"));
  // Each later stage fine-tunes the one before; the last one's pick is what gets evaluated.
  EXPECT_TRUE(fs::exists(out + "-glossary/final/model.json"));
  EXPECT_TRUE(fs::exists(out + "-restart/final/model.json"));
  EXPECT_NE(slurp(out + ".log").find("fine-tuning " + out + "/final"), std::string::npos);
  EXPECT_NE(slurp(out + ".log").find("fine-tuning " + out + "-glossary/final"), std::string::npos);
  EXPECT_TRUE(fs::exists(out + "-restart/test-en-zh.json"));
  EXPECT_TRUE(fs::exists(out + "-restart/test-zh-en.json"));
  for (const auto& path : {out, out + "-glossary", out + "-restart", out + "-dev.en", out + "-dev.zh"}) fs::remove_all(path);
}

// scripts/train_distributed.sh: 2 local ranks over Gloo; killing one stops the job with an error,
// and the launcher resumes it from rank 0's checkpoint.
TEST(TrainDistributed, LauncherRunStopsWhenARankDiesAndResumes) {
  const auto out = temp_path("train_dp");
  fs::remove_all(out);
  write_dev(out);
  const std::string data = std::string(MT_SOURCE_DIR) + "/tests/data/";
  const std::string args = " 2 -c " + data + "tiny_train.yaml -o " + out + " --set 'train=[" + data +
                           "tiny_parallel.tsv]' --set dev=" + out + "/dev --dist-timeout 30";
  const std::string launcher = "MT=" + std::string(MT_BINARY) + " bash " + std::string(MT_SOURCE_DIR) + "/scripts/train_distributed.sh";
  const std::string log = out + ".log";
  ASSERT_EQ(std::system((launcher + args + " --max-steps 100000 > " + log + " 2>&1 & echo $! > " + log + ".pid").c_str()), 0);
  ASSERT_TRUE(wait_for([&] { return fs::exists(out + "/checkpoint.pt"); }, 120)) << slurp(log);
  // Kill rank 1 (the process whose environment says RANK=1).
  ASSERT_EQ(std::system(("for p in $(pgrep -f -- '-o " + out + " '); do tr '\\0' '\\n' < /proc/$p/environ 2>/dev/null "
                         "| grep -qx RANK=1 && kill -9 $p; done; true").c_str()), 0);
  const pid_t launcher_pid = pid_t(std::stol(slurp(log + ".pid")));
  ASSERT_EQ(wait_exit(launcher_pid, 60), 0) << "the job should stop when a rank dies";
  EXPECT_NE(slurp(log).find("exited with"), std::string::npos) << slurp(log);

  const int status = std::system((launcher + args + " --max-steps 400 --resume > " + log + " 2>&1").c_str());
  EXPECT_EQ(status, 0) << slurp(log);
  EXPECT_NE(slurp(log).find("resumed from step"), std::string::npos) << slurp(log);
  EXPECT_TRUE(fs::exists(out + "/final/model.json"));
  fs::remove_all(out);
}
