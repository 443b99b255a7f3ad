// Model folders: save -> load gives the same network; broken folders give one-line errors.
#include <gtest/gtest.h>

#include <c10/core/InferenceMode.h>

#include <filesystem>
#include <fstream>

#include "model/package/model_package.h"
#include "model/search/search.h"
#include "tests/model/tiny_model.h"

using namespace mt;
namespace fs = std::filesystem;

namespace {

class ModelPackageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::path(::testing::TempDir()) / ("mt_package_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    TokenizerTrainOptions t;
    t.inputs = {std::string(MT_SOURCE_DIR) + "/tests/data/tiny_corpus.txt"};
    t.model_prefix = (dir_ / "spm").string();
    t.vocab_size = 500;
    t.character_coverage = 0.98;
    Tokenizer::train(t);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // A freshly saved random model in its own folder.
  std::string save_random(const std::string& name, ModelConfig* config_out = nullptr) {
    auto tokenizer = Tokenizer::load((dir_ / "spm.model").string());
    auto config = tiny_config(tokenizer.vocab_size());
    torch::manual_seed(20);
    Transformer net(config);
    const std::string folder = (dir_ / name).string();
    save_model(folder, net, tokenizer);
    if (config_out) *config_out = config;
    return folder;
  }

  static std::string error_of(const std::string& folder) {
    try {
      load_model(folder);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  // Replaces `from` by `to` in a saved model's model.json.
  static void edit_model_json(const std::string& folder, const std::string& from, const std::string& to) {
    std::ifstream in(fs::path(folder) / "model.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
    std::ofstream(fs::path(folder) / "model.json") << text;
  }

  static fs::path dir_;
};
fs::path ModelPackageTest::dir_;

}  // namespace

TEST_F(ModelPackageTest, SaveThenLoadGivesIdenticalOutputs) {
  auto tokenizer = Tokenizer::load((dir_ / "spm.model").string());
  torch::manual_seed(21);
  Transformer net(tiny_config(tokenizer.vocab_size()));
  net->eval();
  const std::string folder = (dir_ / "roundtrip").string();
  save_model(folder, net, tokenizer);
  auto loaded = load_model(folder);
  c10::InferenceMode guard;
  auto src = random_batch({5, 8}, tokenizer.vocab_size());
  auto tgt = random_batch({6, 6}, tokenizer.vocab_size());
  EXPECT_TRUE(at::equal(net->forward(src, tgt), loaded.network->forward(src, tgt)));
  SearchOptions o;
  auto a = beam_search(net, src, o), b = beam_search(loaded.network, src, o);
  EXPECT_EQ(a[0][0].tokens, b[0][0].tokens);
  EXPECT_EQ(loaded.tokenizer.bytes(), tokenizer.bytes());
  EXPECT_FALSE(fs::exists(folder + ".tmp"));
}

TEST_F(ModelPackageTest, MissingFolderIsRejected) {
  EXPECT_NE(error_of((dir_ / "nope").string()).find("not found"), std::string::npos);
}

TEST_F(ModelPackageTest, TruncatedWeightsAreRejected) {
  auto folder = save_random("truncated");
  const auto weights = fs::path(folder) / "weights.pt";
  fs::resize_file(weights, fs::file_size(weights) / 2);
  auto message = error_of(folder);
  EXPECT_NE(message.find("weights"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST_F(ModelPackageTest, GarbageWeightsAreRejected) {
  auto folder = save_random("garbage");
  std::ofstream(fs::path(folder) / "weights.pt", std::ios::binary) << "this is not a torch archive";
  EXPECT_NE(error_of(folder).find("corrupt"), std::string::npos);
}

TEST_F(ModelPackageTest, CorruptJsonIsRejected) {
  auto folder = save_random("badjson");
  std::ofstream(fs::path(folder) / "model.json") << "{ not json";
  EXPECT_NE(error_of(folder).find("corrupt"), std::string::npos);
}

TEST_F(ModelPackageTest, FutureFormatVersionIsRejected) {
  auto folder = save_random("future");
  edit_model_json(folder, "\"version\": 1", "\"version\": 99");
  EXPECT_NE(error_of(folder).find("version 99"), std::string::npos);
}

TEST_F(ModelPackageTest, ShapeMismatchIsRejected) {
  auto folder = save_random("shape");
  edit_model_json(folder, "\"ffn\": 64", "\"ffn\": 96");
  EXPECT_NE(error_of(folder).find("wrong shape"), std::string::npos) << error_of(folder);
}

TEST_F(ModelPackageTest, VocabularyMismatchIsRejected) {
  auto folder = save_random("vocab");
  edit_model_json(folder, "\"vocab_size\": 500", "\"vocab_size\": 501");
  EXPECT_NE(error_of(folder).find("pieces"), std::string::npos);
}

TEST_F(ModelPackageTest, MissingTokenizerIsRejected) {
  auto folder = save_random("notok");
  fs::remove(fs::path(folder) / "tokenizer.model");
  EXPECT_NE(error_of(folder).find("tokenizer"), std::string::npos);
}
