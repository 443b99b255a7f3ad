// Training data: sources read plain or gzip-compressed, cleaned and deduplicated across sources,
// weighted per epoch, and batched into the rows the network is trained on.
#include <gtest/gtest.h>

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "model/train/batcher.h"
#include "model/train/markup.h"
#include "model/train/train_config.h"
#include "model/train/training_data.h"

namespace fs = std::filesystem;
using namespace mt;

namespace {

const Tokenizer& shipped_tokenizer() {
  static const Tokenizer t = Tokenizer::load(std::string(MT_SOURCE_DIR) + "/models/en-zh/tokenizer.model");
  return t;
}

class TrainingDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mt-data-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string write_gz(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, text.data(), unsigned(text.size()));
    gzclose(f);
    return path;
  }
  // n distinct pairs "Sentence number i." / "第i句。"
  static std::pair<std::string, std::string> numbered(int from, int n) {
    std::string en, zh;
    for (int i = from; i < from + n; ++i) {
      en += "Sentence number " + std::to_string(i) + ".\n";
      zh += "第" + std::to_string(i) + "句。\n";
    }
    return {en, zh};
  }
  fs::path dir_;
};

std::vector<SentencePair> read_all(const std::string& path) {
  std::vector<SentencePair> pairs;
  for_each_pair({path}, [&](SentencePair& p) { pairs.push_back(p); });
  return pairs;
}

}  // namespace

TEST_F(TrainingDataTest, ReadsTsvAndFilePairsPlainOrGzipped) {
  write("a.tsv", "Hello.\t你好。\tattribution\r\nBye.\t再见。");
  write_gz("b.tsv.gz", "Hello.\t你好。\nBye.\t再见。\n");
  write("c.en", "Hello.\nBye.\n");
  write_gz("c.zh.gz", "你好。\n再见。\n");
  for (const char* name : {"a.tsv", "b.tsv.gz", "c"}) {
    const auto pairs = read_all((dir_ / name).string());
    ASSERT_EQ(pairs.size(), 2u) << name;
    EXPECT_EQ(pairs[0].en, "Hello.") << name;
    EXPECT_EQ(pairs[0].zh, "你好。") << name;
    EXPECT_EQ(pairs[1].en, "Bye.") << name;
    EXPECT_EQ(pairs[1].zh, "再见。") << name;
  }
  EXPECT_EQ(DataSource{"x/b.tsv.gz"}.name(), "b");
  EXPECT_EQ(DataSource{"../shared/data/extra/wmt-news"}.name(), "wmt-news");
}

TEST_F(TrainingDataTest, BadSourcesFailWithTheFileNamed) {
  write("d.en", "one\ntwo\n");
  write("d.zh", "一\n");
  write("e.tsv", "no tab here\n");
  try {
    read_all((dir_ / "d").string());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("different line counts"), std::string::npos) << e.what();
  }
  try {
    read_all((dir_ / "e.tsv").string());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("e.tsv:1: expected english<TAB>chinese"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_all((dir_ / "missing").string()), std::runtime_error);
  write("f.tsv.gz", "not gzip at all, but zlib reads plain text through\tgzopen\n");
  EXPECT_EQ(read_all((dir_ / "f.tsv.gz").string()).size(), 1u);
}

TEST(Markup, StripsRestLeftoversButNotCode) {
  EXPECT_EQ(strip_rest_markup("For example::"), "For example:");
  EXPECT_EQ(strip_rest_markup("例如::"), "例如:");
  EXPECT_EQ(strip_rest_markup("The output is ::"), "The output is");
  EXPECT_EQ(strip_rest_markup("A pointer to const char \\*, see [#]_ and [1]_."), "A pointer to const char *, see and.");
  EXPECT_EQ(strip_rest_markup("This is **very** important, use ``len(x)``."), "This is very important, use len(x).");
  EXPECT_EQ(strip_rest_markup("Python |version| docs"), "Python version docs");
  EXPECT_EQ(strip_rest_markup("def f(*args, **kwargs): std::string s"), "def f(*args, **kwargs): std::string s");
  EXPECT_EQ(strip_rest_markup("a | b | c"), "a | b | c");
}

TEST_F(TrainingDataTest, WeightsSetEachSourcesShareOfAnEpoch) {
  auto [en_a, zh_a] = numbered(0, 40);
  auto [en_b, zh_b] = numbered(100, 60);
  write("a.en", en_a), write("a.zh", zh_a);
  write("b.en", en_b), write_gz("b.zh.gz", zh_b);
  TrainingData data(shipped_tokenizer(), CleaningOptions{});
  data.add(DataSource{(dir_ / "a").string(), 2.0});
  data.add(DataSource{(dir_ / "b").string(), 0.25});
  ASSERT_EQ(data.reports().size(), 2u);
  EXPECT_EQ(data.reports()[0].examples, 80);   // both directions of 40 pairs
  EXPECT_EQ(data.reports()[1].examples, 120);
  EXPECT_EQ(data.reports()[0].per_epoch(), 160);
  EXPECT_EQ(data.reports()[1].per_epoch(), 30);

  auto count = [&](const std::vector<int64_t>& sample) {
    std::map<int64_t, int> a, b;
    for (auto e : sample) (e < 80 ? a : b)[e]++;
    return std::make_pair(a, b);
  };
  const auto epoch0 = data.epoch_sample(1, 0), again = data.epoch_sample(1, 0), epoch1 = data.epoch_sample(1, 1);
  EXPECT_EQ(epoch0, again);  // a resumed run draws the same epoch
  ASSERT_EQ(epoch0.size(), 190u);
  const auto [a0, b0] = count(epoch0);
  EXPECT_EQ(a0.size(), 80u);  // every example of a, each twice
  for (const auto& [e, n] : a0) EXPECT_EQ(n, 2) << e;
  EXPECT_EQ(b0.size(), 30u);  // a quarter of b, no example twice
  for (const auto& [e, n] : b0) EXPECT_EQ(n, 1) << e;
  EXPECT_NE(b0, count(epoch1).second);  // another quarter next epoch

  const auto tsv = data.report_tsv();
  EXPECT_NE(tsv.find("a\t2\tboth\t40\t40\t0\t0\t0\t0\t160\n"), std::string::npos) << tsv;
  EXPECT_NE(tsv.find("b\t0.25\tboth\t60\t60\t0\t0\t0\t0\t30\n"), std::string::npos) << tsv;
}

TEST_F(TrainingDataTest, CleaningIsReportedPerSourceAndDedupesAcrossSources) {
  write("a.tsv", "Hello.\t你好。\nHello.\t你好。\n\t空的\n" + std::string(300, 'x') + " y\t长\n");
  write("b.tsv", "Hello.\t你好。\nGood night.\t晚安。\n");
  TrainingData data(shipped_tokenizer(), CleaningOptions{20, 3.0, true});
  data.add(DataSource{(dir_ / "a.tsv").string()});
  data.add(DataSource{(dir_ / "b.tsv").string()});
  const auto& a = data.reports()[0].stats;
  const auto& b = data.reports()[1].stats;
  EXPECT_EQ(a.read, 4);
  EXPECT_EQ(a.kept, 1);
  EXPECT_EQ(a.duplicates, 1);
  EXPECT_EQ(a.empty, 1);
  EXPECT_EQ(a.too_long + a.bad_ratio, 1);
  EXPECT_EQ(b.read, 2);
  EXPECT_EQ(b.duplicates, 1);  // already in a
  EXPECT_EQ(b.kept, 1);
  EXPECT_EQ(data.examples().size(), 4);
}

TEST_F(TrainingDataTest, BatchesHoldTaggedSourcesAndShiftedTargets) {
  write("a.tsv", "Good night.\t晚安。\n");
  TrainingData data(shipped_tokenizer(), CleaningOptions{});
  data.add(DataSource{(dir_ / "a.tsv").string()});
  const auto en = shipped_tokenizer().encode("Good night."), zh = shipped_tokenizer().encode("晚安。");
  const Batch b = collate(data.examples(), {0, 1});
  const auto row = [](const at::Tensor& t, int64_t r) {
    std::vector<int64_t> v;
    for (int64_t j = 0; j < t.size(1); ++j)
      if (t[r][j].item<int64_t>() != SpecialIds::pad) v.push_back(t[r][j].item<int64_t>());
    return v;
  };
  auto expect = [](int64_t first, const std::vector<int>& ids, int64_t last) {
    std::vector<int64_t> v;
    if (first >= 0) v.push_back(first);
    v.insert(v.end(), ids.begin(), ids.end());
    if (last >= 0) v.push_back(last);
    return v;
  };
  EXPECT_EQ(row(b.src, 0), expect(SpecialIds::to_zh, en, SpecialIds::eos));
  EXPECT_EQ(row(b.tgt_out, 0), expect(-1, zh, SpecialIds::eos));
  EXPECT_EQ(row(b.tgt_in, 0), expect(SpecialIds::bos, zh, -1));
  EXPECT_EQ(row(b.src, 1), expect(SpecialIds::to_en, zh, SpecialIds::eos));
  EXPECT_EQ(row(b.tgt_out, 1), expect(-1, en, SpecialIds::eos));
  EXPECT_EQ(b.tgt_tokens, int64_t(en.size() + zh.size() + 2));
  EXPECT_EQ(b.src_tokens, int64_t(en.size() + zh.size() + 4));
  // Every example lands in exactly one validation batch.
  int64_t seen = 0;
  for (const auto& batch : plan_batches(data.examples(), 64)) seen += int64_t(batch.size());
  EXPECT_EQ(seen, 2);
}

// Back-translated pairs train only the direction whose target is real text, with their tag after
// the direction tag; the subtitles' clause spaces become commas.
TEST_F(TrainingDataTest, OneWaySourcesAndSourceTags) {
  TokenizerTrainOptions options;
  options.inputs = {std::string(MT_SOURCE_DIR) + "/tests/data/tiny_corpus.txt"};
  options.model_prefix = (dir_ / "spm").string();
  options.vocab_size = 500;
  options.character_coverage = 0.98;
  options.control_symbols = {"<bt>"};
  Tokenizer::train(options);
  const auto tokenizer = Tokenizer::load(options.model_prefix + ".model");
  const int bt = tokenizer.control_id("<bt>");
  ASSERT_GT(bt, 0);

  auto [en_a, zh_a] = numbered(0, 10);
  auto [en_b, zh_b] = numbered(100, 10);
  write("a.en", en_a), write("a.zh", zh_a);
  write("b.en", en_b), write("b.zh", zh_b);
  write("subs.en", "Yes, I saw it.\n"), write("subs.zh", "对 我看见了\n");
  TrainingData data(tokenizer, CleaningOptions{});
  DataSource a{(dir_ / "a").string()}, b{(dir_ / "b").string(), 1.5}, subs{(dir_ / "subs").string()};
  a.direction = Direction::zh_en;  // real English, machine-made Chinese
  a.tag = "bt";
  b.direction = Direction::en_zh;
  subs.zh_spaces_to_commas = true;
  data.add(a), data.add(b), data.add(subs);
  ASSERT_EQ(data.tags().size(), 1u);
  EXPECT_EQ(data.tags()[0], std::make_pair(std::string("<bt>"), int32_t(bt)));
  EXPECT_EQ(data.reports()[0].examples, 10);
  EXPECT_EQ(data.reports()[0].per_epoch(), 10);
  EXPECT_EQ(data.reports()[1].per_epoch(), 15);
  int64_t a_examples = 0, b_examples = 0;
  for (int64_t e : data.epoch_sample(1, 0)) {
    if (e < 20) {
      EXPECT_EQ(e % 2, 1) << "a trains zh->en only";
      ++a_examples;
    } else if (e < 40) {
      EXPECT_EQ(e % 2, 0) << "b trains en->zh only";
      ++b_examples;
    }
  }
  EXPECT_EQ(a_examples, 10);
  EXPECT_EQ(b_examples, 15);

  const Batch batch = collate(data.examples(), {1, 20});
  const auto zh = tokenizer.encode("第0句。");
  EXPECT_EQ(batch.src[0][0].item<int64_t>(), SpecialIds::to_en);
  EXPECT_EQ(batch.src[0][1].item<int64_t>(), bt);
  EXPECT_EQ(batch.src[0][2].item<int64_t>(), zh[0]);
  EXPECT_EQ(data.examples().source_length(1), int64_t(zh.size()) + 3);
  EXPECT_EQ(batch.src[1][0].item<int64_t>(), SpecialIds::to_zh);
  EXPECT_NE(batch.src[1][1].item<int64_t>(), bt);  // b is untagged
  const auto tsv = data.report_tsv();
  EXPECT_NE(tsv.find("a\t1\tzh-en\t10\t10\t"), std::string::npos) << tsv;

  std::vector<int64_t> subs_target(size_t(data.examples().target_length(40)));
  data.examples().write_target(40, subs_target.data());
  subs_target.pop_back();  // EOS
  EXPECT_EQ(tokenizer.decode(std::vector<int>(subs_target.begin(), subs_target.end())), "对，我看见了");

  // A tag the tokenizer lacks is refused with its name.
  TrainingData untagged(shipped_tokenizer(), CleaningOptions{});
  try {
    untagged.add(a);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("<bt>"), std::string::npos) << e.what();
  }
}

// The tokenizer's text is one epoch's draw: a source of weight 3 three times, of weight 0 never.
TEST_F(TrainingDataTest, TokenizerCorpusFollowsTheWeights) {
  auto [en_a, zh_a] = numbered(0, 100);
  auto [en_b, zh_b] = numbered(1000, 100);
  auto [en_c, zh_c] = numbered(2000, 1000);
  write("a.en", en_a), write("a.zh", zh_a);
  write("b.en", en_b), write("b.zh", zh_b);
  write("c.en", en_c), write("c.zh", zh_c);
  const auto corpus = (dir_ / "corpus.txt").string();
  write_tokenizer_corpus({{(dir_ / "a").string(), 3}, {(dir_ / "b").string(), 0}, {(dir_ / "c").string(), 0.3}},
                         corpus, 1);
  std::ifstream in(corpus);
  std::map<char, int> lines;  // by the first digit of the sentence number: 0-9 a, 1 b, 2 c
  std::string line;
  int total = 0;
  while (std::getline(in, line)) {
    ++total;
    if (line.rfind("Sentence number 1", 0) == 0 && line.size() == std::string("Sentence number 1000.").size()) ++lines['b'];
    if (line.rfind("Sentence number 2", 0) == 0 && line.size() == std::string("Sentence number 2000.").size()) ++lines['c'];
  }
  EXPECT_EQ(lines['b'], 0);
  EXPECT_GT(lines['c'], 250);  // 30% of 1,000
  EXPECT_LT(lines['c'], 350);
  EXPECT_EQ(total - 2 * lines['c'], 2 * 300);  // a: 100 pairs, three times, both sides
}

TEST_F(TrainingDataTest, ConfigListsWeightedSourcesAndSeveralDevSets) {
  const auto path = write("c.yaml",
                          "train:\n  - plain.tsv\n  - {path: docs, weight: 0.5, strip_markup: true}\n"
                          "dev: [dev/a, dev/b]\n");
  TrainConfig c = load_train_config(path);
  ASSERT_EQ(c.train.size(), 2u);
  EXPECT_EQ(c.train[0].path, "plain.tsv");
  EXPECT_EQ(c.train[0].weight, 1.0);
  EXPECT_FALSE(c.train[0].strip_markup);
  EXPECT_EQ(c.train[1].path, "docs");
  EXPECT_EQ(c.train[1].weight, 0.5);
  EXPECT_TRUE(c.train[1].strip_markup);
  EXPECT_EQ(c.dev, (std::vector<std::string>{"dev/a", "dev/b"}));
  // The effective config written beside the run reads back the same.
  const auto again = load_train_config(write("d.yaml", to_yaml(c)));
  ASSERT_EQ(again.train.size(), 2u);
  EXPECT_EQ(again.train[1].weight, 0.5);
  EXPECT_TRUE(again.train[1].strip_markup);
  EXPECT_EQ(again.dev, c.dev);
  apply_override(c, "dev=one/set");
  EXPECT_EQ(c.dev, std::vector<std::string>{"one/set"});
  apply_override(c, "dev=");  // as scripts/bench.sh's data-parallel row: no dev set at all
  EXPECT_TRUE(c.dev.empty());
  EXPECT_THROW(load_train_config(write("e.yaml", "train: [{path: x, weigth: 2}]\n")), std::runtime_error);
  EXPECT_THROW(load_train_config(write("f.yaml", "train: [{path: x, weight: -1}]\n")), std::runtime_error);
  // Back-translation and subtitle options read and write back.
  const auto bt = load_train_config(
      write("g.yaml", "train: [{path: bt, direction: zh-en, tag: bt}, {path: subs, zh_spaces_to_commas: true}]\n"));
  const auto bt_again = load_train_config(write("h.yaml", to_yaml(bt)));
  for (const auto* config : {&bt, &bt_again}) {
    EXPECT_EQ(config->train[0].direction, Direction::zh_en);
    EXPECT_EQ(config->train[0].tag, "bt");
    EXPECT_TRUE(config->train[1].zh_spaces_to_commas);
    EXPECT_EQ(config->train[1].direction, Direction::both);
  }
  TrainConfig rooted;
  rooted.data = "../shared/data";
  EXPECT_EQ(data_path(rooted, "extra/wmt-news"), "../shared/data/extra/wmt-news");
  EXPECT_EQ(data_path(rooted, "/abs/x"), "/abs/x");
  EXPECT_EQ(data_path(rooted, "./runs/bt/mono-en"), "./runs/bt/mono-en");  // made by the recipe
  EXPECT_THROW(load_train_config(write("i.yaml", "train: [{path: x, direction: en-fr}]\n")), std::runtime_error);
  EXPECT_THROW(load_train_config(write("j.yaml", "train: [{path: x, tag: \"a b\"}]\n")), std::runtime_error);
}
