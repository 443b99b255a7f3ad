// The word aligner (model/align): its words, what it learns from a small synthetic corpus whose
// true alignment is known, its file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "model/align/word_aligner.h"

namespace {

using mt::WordLink;

TEST(AlignmentTokens, WordsHanCharactersAndPunctuation) {
  const auto tokens = mt::alignment_tokens("Hello, World 2026! 你好。");
  std::vector<std::string> keys;
  for (const auto& t : tokens) keys.push_back(t.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"hello", ",", "world", "2026", "!", "你", "好", "。"}));
  // Code points, not bytes.
  EXPECT_EQ(tokens[2].begin, 7u);
  EXPECT_EQ(tokens[2].end, 12u);
  EXPECT_EQ(tokens[5].begin, 19u);
  EXPECT_EQ(tokens[7].end, 22u);
  EXPECT_TRUE(mt::alignment_tokens(" \t ").empty());
}

// English "the ADJ NOUN VERB the ADJ NOUN ." and its Chinese; half of the sentences start with
// "yesterday", which Chinese puts after the subject.
struct Entry {
  const char* en;
  const char* zh;
};
const std::vector<Entry> kAdjectives = {{"red", "红色"}, {"big", "大"}, {"small", "小"}, {"old", "旧"}};
const std::vector<Entry> kNouns = {{"cat", "猫"}, {"dog", "狗"}, {"car", "汽车"}, {"book", "书"}, {"house", "房子"}, {"bird", "鸟"}};
const std::vector<Entry> kVerbs = {{"sees", "看见"}, {"likes", "喜欢"}, {"buys", "买"}, {"finds", "找到"}};

const mt::WordAligner& trained() {
  static const mt::WordAligner aligner = [] {
    std::mt19937 random(7);
    auto pick = [&](const std::vector<Entry>& list) { return list[random() % list.size()]; };
    mt::WordAlignerTrainer trainer;
    for (int i = 0; i < 600; ++i) {
      const Entry a1 = pick(kAdjectives), n1 = pick(kNouns), v = pick(kVerbs), a2 = pick(kAdjectives), n2 = pick(kNouns);
      const bool yesterday = i % 2;
      std::string en = std::string(yesterday ? "yesterday the " : "the ") + a1.en + " " + n1.en + " " + v.en + " the " +
                       a2.en + " " + n2.en + ".";
      std::string zh = std::string(a1.zh) + n1.zh + (yesterday ? "昨天" : "") + v.zh + a2.zh + n2.zh + "。";
      EXPECT_TRUE(trainer.add(en, zh, 60));
    }
    EXPECT_FALSE(trainer.add("", "空", 60));
    EXPECT_FALSE(trainer.add("one two three", "一二三", 2));  // over max_tokens
    return trainer.train(mt::AlignerTrainOptions{});
  }();
  return aligner;
}

std::string to_string(const std::vector<WordLink>& links) {
  std::string s;
  for (const auto& l : links) s += std::to_string(l.source) + "-" + std::to_string(l.target) + " ";
  return s;
}

bool has(const std::vector<WordLink>& links, size_t source, size_t target) {
  return std::find(links.begin(), links.end(), WordLink{source, target}) != links.end();
}

TEST(WordAligner, LearnsTheWordsOfASmallCorpus) {
  const std::string en = "yesterday the big dog likes the red car.", zh = "大狗昨天喜欢红色汽车。";
  // Each content word (token index, code points in en) and its translation (tokens = code points in zh).
  struct Word {
    size_t token, begin, zh_begin, zh_end;
  };
  const std::vector<Word> words = {{0, 0, 2, 4}, {2, 14, 0, 1}, {3, 18, 1, 2}, {4, 22, 4, 6}, {6, 32, 6, 8}, {7, 36, 8, 10}};
  // Both directions: every content word is linked, and only into its own translation.
  const auto links = trained().align(en, zh);
  EXPECT_TRUE(std::is_sorted(links.begin(), links.end()));
  for (const auto& w : words) {
    size_t linked = 0;
    for (const auto& l : links)
      if (l.source == w.token) {
        ++linked;
        EXPECT_TRUE(l.target >= w.zh_begin && l.target < w.zh_end) << w.token << "-" << l.target << " in " << to_string(links);
      }
    EXPECT_GE(linked, 1u) << "token " << w.token << " unlinked in " << to_string(links);
  }
  // What places markup: every content word goes into its own translation, and the two-character
  // words the corpus always aligns to one English word ("likes", "red", "car") whole.
  const auto spans = trained().align_spans(en, zh);
  for (const auto& w : words) {
    size_t linked = 0;
    for (const auto& s : spans)
      if (s.source_begin == w.begin) {
        ++linked;
        EXPECT_TRUE(s.target_begin >= w.zh_begin && s.target_end <= w.zh_end) << "word at " << w.begin;
        if (w.token >= 4) EXPECT_TRUE(s.target_begin == w.zh_begin && s.target_end == w.zh_end) << "word at " << w.begin;
      }
    EXPECT_GE(linked, 1u) << "word at " << w.begin;
  }
}

TEST(WordAligner, EitherLanguageFirst) {
  const auto forward = trained().align("the old cat finds the small bird.", "旧猫找到小鸟。");
  auto backward = trained().align("旧猫找到小鸟。", "the old cat finds the small bird.");
  for (auto& l : backward) std::swap(l.source, l.target);
  std::sort(backward.begin(), backward.end());
  EXPECT_EQ(forward, backward);
  EXPECT_FALSE(forward.empty());
}

TEST(WordAligner, SpansCoverWholeChineseWords) {
  const std::string source = "the big dog buys the old car.";
  const auto spans = trained().align_spans(source, "大狗买旧汽车。");
  // "car" (code points 25-28) went to 汽车 (4-6) whole, each character's link spanning the word.
  size_t to_car = 0;
  for (const auto& s : spans)
    if (s.source_begin == 25) {
      ++to_car;
      EXPECT_EQ(s.target_begin, 4u);
      EXPECT_EQ(s.target_end, 6u);
    }
  EXPECT_GE(to_car, 1u);
  // Every target word belongs to one source word at most.
  for (size_t i = 0; i < spans.size(); ++i)
    for (size_t j = i + 1; j < spans.size(); ++j)
      if (spans[i].target_begin == spans[j].target_begin && spans[i].target_end == spans[j].target_end)
        EXPECT_EQ(spans[i].source_begin, spans[j].source_begin);
}

TEST(WordAligner, UnknownWordsStillAlignAndEmptySidesGiveNothing) {
  // Names and numbers copied as they are link to themselves.
  const auto links = trained().align("the big dog likes Zorglub 42.", "大狗喜欢Zorglub 42。");
  EXPECT_TRUE(has(links, 4, 4));  // zorglub
  EXPECT_TRUE(has(links, 5, 5));  // 42
  // A name the model changed a little ("abi" written "bi") still links to it.
  EXPECT_TRUE(has(trained().align("the big dog likes abi.", "大狗喜欢bi。"), 4, 4));
  EXPECT_TRUE(trained().align("", "大狗。").empty());
  // Past 4 million word pairs nothing is aligned (memory and time stay bounded).
  std::string long_en, long_zh;
  for (int i = 0; i < 2100; ++i) long_en += "dog ", long_zh += "狗";
  EXPECT_TRUE(trained().align(long_en, long_zh).empty());
  EXPECT_TRUE(trained().align_spans(long_en, long_zh).empty());
  EXPECT_TRUE(trained().align_spans("the dog.", "").empty());
}

TEST(WordAligner, FileRoundTripAndBadFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("mt_aligner_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "aligner.bin").string();
  trained().save(path);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const auto loaded = mt::WordAligner::load(path);
  EXPECT_EQ(loaded.table_size(), trained().table_size());
  const std::string en = "yesterday the small cat sees the red house.", zh = "小猫昨天看见红色房子。";
  EXPECT_EQ(loaded.align(en, zh), trained().align(en, zh));

  auto message = [](const std::string& file) {
    try {
      mt::WordAligner::load(file);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message((dir / "missing.bin").string()).find("cannot open"), std::string::npos);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string truncated = (dir / "truncated.bin").string();
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_NE(message(truncated).find("truncated"), std::string::npos);
  const std::string foreign = (dir / "foreign.bin").string();
  std::ofstream(foreign, std::ios::binary) << "PK\x03\x04 not an aligner";
  EXPECT_NE(message(foreign).find("not a word aligner"), std::string::npos);
  std::filesystem::remove_all(dir);
}


}  // namespace
