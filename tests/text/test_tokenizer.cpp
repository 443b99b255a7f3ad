// Normalizer and tokenizer tests. The tokenizer is trained here, on tests/data/tiny_corpus.txt,
// once for the whole suite (well under a second).
#include <gtest/gtest.h>

#include <fstream>
#include <sentencepiece_processor.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "tokenizer/normalizer.h"
#include "tokenizer/tokenizer.h"

namespace fs = std::filesystem;
using mt::Lang;
using mt::normalize;

// ---- normalize ----

TEST(Normalize, EmptyAndBlank) {
  EXPECT_EQ(normalize(""), "");
  EXPECT_EQ(normalize("   \t \n"), "");
}

TEST(Normalize, FoldsWhitespaceAndTrims) {
  EXPECT_EQ(normalize("  hello \t\t world  "), "hello world");
  EXPECT_EQ(normalize("a\xC2\xA0\xC2\xA0" "b"), "a b");            // NBSP
  EXPECT_EQ(normalize("\xE3\x80\x80你好\xE3\x80\x80世界\xE3\x80\x80"), "你好 世界");  // U+3000
  EXPECT_EQ(normalize("line\r\nbreak"), "line break");
}

TEST(Normalize, ControlCharactersBecomeSpaces) {
  EXPECT_EQ(normalize(std::string("a\0b", 3)), "a b");
  EXPECT_EQ(normalize("a\x01\x1F\x7F" "b"), "a b");
  EXPECT_EQ(normalize("a\xC2\x85" "b"), "a b");  // U+0085, a C1 control
  EXPECT_EQ(normalize("\xEF\xBB\xBFhello"), "hello");  // BOM dropped
}

TEST(Normalize, FullWidthLettersAndDigitsBecomeAscii) {
  EXPECT_EQ(normalize("ＡＢＣ　ａｂｃ　０１２３"), "ABC abc 0123");
  EXPECT_EQ(normalize("我有３个ｉＰｈｏｎｅ"), "我有3个iPhone");
}

TEST(Normalize, KeepsChinesePunctuation) {
  const std::string text = "你好，世界。你是谁？太好了！他说：“是的”";
  EXPECT_EQ(normalize(text), text);
  EXPECT_EQ(normalize("Hello, world!"), "Hello, world!");
}

TEST(Normalize, TraditionalToSimplified) {
  EXPECT_EQ(normalize("他們在台灣騎腳踏車"), "他们在台湾骑自行车");
  EXPECT_EQ(normalize("這個軟體很好用"), "这个软件很好用");  // Taiwan vocabulary too
}

TEST(Normalize, InvalidUtf8BecomesReplacementCharacter) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(normalize("a\xFF" "b"), "a" + fffd + "b");
  EXPECT_EQ(normalize("\xE4\xBD"), fffd);                    // truncated 你
  EXPECT_EQ(normalize("\xC0\xAF"), fffd + fffd);             // overlong '/'
  EXPECT_EQ(normalize("\xED\xA0\x80" "x"), fffd + fffd + fffd + "x");  // UTF-16 surrogate
  EXPECT_EQ(normalize("中\x80文"), "中" + fffd + "文");
}

TEST(Normalize, NeverCrashesOnArbitraryBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (int i = 0; i < 256; ++i) all += static_cast<char>(255 - i);
  bool invalid = false;
  const std::string repaired = mt::repair_utf8(all, &invalid);
  EXPECT_TRUE(invalid);
  bool again = true;
  EXPECT_EQ(mt::repair_utf8(repaired, &again), repaired);
  EXPECT_FALSE(again);
  const std::string normalized = normalize(all);
  EXPECT_EQ(mt::repair_utf8(normalized), normalized);
  for (size_t i = 0; i + 3 <= all.size(); ++i) normalize(all.substr(i, 3));
}

TEST(RepairUtf8, ValidTextUnchanged) {
  bool invalid = true;
  const std::string text = "Hello 你好 😀 é";
  EXPECT_EQ(mt::repair_utf8(text, &invalid), text);
  EXPECT_FALSE(invalid);
}

TEST(ToTraditional, ConvertsSimplified) {
  EXPECT_EQ(mt::to_traditional("他们在台湾骑自行车"), "他們在臺灣騎腳踏車");  // s2twp writes 臺
  EXPECT_EQ(mt::to_traditional("hello"), "hello");
  EXPECT_EQ(mt::to_traditional(""), "");
}

// ---- guess_language ----

TEST(GuessLanguage, Cases) {
  EXPECT_EQ(mt::guess_language("Hello world"), Lang::En);
  EXPECT_EQ(mt::guess_language("你好世界"), Lang::Zh);
  EXPECT_EQ(mt::guess_language("iPhone 很好"), Lang::Zh);
  EXPECT_EQ(mt::guess_language("他用iPhone"), Lang::Zh);
  EXPECT_EQ(mt::guess_language("I love 北京 very much"), Lang::En);
  EXPECT_EQ(mt::guess_language("他們在台灣"), Lang::Zh);
  EXPECT_EQ(mt::guess_language("ＡＢＣ　ｄｅｆ"), Lang::En);
  EXPECT_EQ(mt::guess_language(""), Lang::En);
  EXPECT_EQ(mt::guess_language("12345 !!"), Lang::En);
  EXPECT_EQ(mt::guess_language("\xFF\xFE"), Lang::En);
}

// ---- Tokenizer ----

class TokenizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("mt-test-tokenizer-" + std::to_string(getpid())));
    fs::create_directories(*dir_);
    mt::TokenizerTrainOptions options;
    options.inputs = {std::string(MT_SOURCE_DIR) + "/tests/data/tiny_corpus.txt"};
    options.model_prefix = (*dir_ / "spm").string();
    options.vocab_size = 500;  // 256 byte pieces + 6 specials + the common characters + pieces
    options.character_coverage = 0.98;  // rare characters go through byte fallback
    mt::Tokenizer::train(options);
    tok_ = new mt::Tokenizer(mt::Tokenizer::load(options.model_prefix + ".model"));
  }
  static void TearDownTestSuite() {
    delete tok_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string model_path() { return (*dir_ / "spm.model").string(); }
  static std::string round_trip(const std::string& text) { return tok_->decode(tok_->encode(text)); }

  static fs::path* dir_;
  static mt::Tokenizer* tok_;
};
fs::path* TokenizerTest::dir_ = nullptr;
mt::Tokenizer* TokenizerTest::tok_ = nullptr;

TEST_F(TokenizerTest, SpecialIdsAreStable) {
  sentencepiece::SentencePieceProcessor sp;
  ASSERT_TRUE(sp.LoadFromSerializedProto(tok_->bytes()).ok());
  EXPECT_EQ(sp.PieceToId("<pad>"), mt::SpecialIds::pad);
  EXPECT_EQ(sp.PieceToId("<s>"), mt::SpecialIds::bos);
  EXPECT_EQ(sp.PieceToId("</s>"), mt::SpecialIds::eos);
  EXPECT_EQ(sp.PieceToId("<unk>"), mt::SpecialIds::unk);
  EXPECT_EQ(sp.PieceToId("<2zh>"), mt::SpecialIds::to_zh);
  EXPECT_EQ(sp.PieceToId("<2en>"), mt::SpecialIds::to_en);
  EXPECT_EQ(mt::SpecialIds::pad, 0);
  EXPECT_EQ(mt::SpecialIds::to_zh, 4);
  EXPECT_EQ(mt::SpecialIds::to_en, 5);
  EXPECT_EQ(mt::target_tag(Lang::Zh), 4);
  EXPECT_EQ(mt::target_tag(Lang::En), 5);
  // Control ids decode to nothing.
  EXPECT_EQ(tok_->decode({mt::SpecialIds::bos, mt::SpecialIds::to_zh, mt::SpecialIds::to_en,
                          mt::SpecialIds::eos, mt::SpecialIds::pad}),
            "");
  EXPECT_GT(tok_->vocab_size(), 262);  // 6 specials + 256 bytes + pieces
  EXPECT_LE(tok_->vocab_size(), 500);
}

TEST_F(TokenizerTest, EnglishRoundTrip) {
  const std::string text = "The children are playing in the park.";
  EXPECT_EQ(round_trip(text), text);
  EXPECT_FALSE(tok_->encode(text).empty());
}

TEST_F(TokenizerTest, ChineseRoundTrip) {
  const std::string text = "孩子们在公园里玩，天气很好。";
  EXPECT_EQ(round_trip(text), text);
}

TEST_F(TokenizerTest, TraditionalEncodesAsSimplified) {
  EXPECT_EQ(tok_->encode("他們在台灣騎腳踏車"), tok_->encode("他们在台湾骑自行车"));
  EXPECT_EQ(round_trip("他們在台灣騎腳踏車"), "他们在台湾骑自行车");
}

TEST_F(TokenizerTest, MixedRoundTrip) {
  const std::string text = "我在Beijing买了2台iPhone 15, very nice!";
  EXPECT_EQ(round_trip(text), text);
}

TEST_F(TokenizerTest, EmojiAndRareCharactersUseByteFallback) {
  const std::string text = "I love 🍜 and 𠀀 ümlaut";
  const auto ids = tok_->encode(text);
  for (int id : ids) EXPECT_NE(id, mt::SpecialIds::unk);
  EXPECT_EQ(tok_->decode(ids), text);
}

TEST_F(TokenizerTest, FullWidthAndWhitespaceAreNormalized) {
  EXPECT_EQ(tok_->encode("ＡＢＣ　１２３"), tok_->encode("ABC 123"));
  EXPECT_EQ(round_trip("  hello\t\tworld  "), "hello world");
}

TEST_F(TokenizerTest, InvalidUtf8AndEmpty) {
  EXPECT_EQ(round_trip("a\xFF" "b\xC3"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  EXPECT_TRUE(tok_->encode("").empty());
  EXPECT_EQ(tok_->decode({}), "");
}

TEST_F(TokenizerTest, DigitsAreSplit) {
  const auto pieces = tok_->encode_pieces("1925");
  ASSERT_EQ(pieces.size(), 5u);  // "▁", then one piece per digit
  EXPECT_EQ(pieces[1], "1");
}

TEST_F(TokenizerTest, LiteralTagTextIsNotATag) {
  const auto ids = tok_->encode("<2en>");
  EXPECT_EQ(std::count(ids.begin(), ids.end(), mt::SpecialIds::to_en), 0);
  EXPECT_EQ(tok_->decode(ids), "<2en>");
}

TEST_F(TokenizerTest, DecodeSkipsSpecialAndOutOfRangeIds) {
  auto ids = tok_->encode("hello");
  const std::string plain = tok_->decode(ids);
  ids.insert(ids.begin(), {mt::SpecialIds::to_zh, mt::SpecialIds::bos});
  ids.push_back(mt::SpecialIds::eos);
  ids.push_back(-7);
  ids.push_back(1000000);
  EXPECT_EQ(tok_->decode(ids), plain);
}

TEST_F(TokenizerTest, FromBytesEqualsLoad) {
  const mt::Tokenizer loaded = mt::Tokenizer::load(model_path());
  const mt::Tokenizer copy = mt::Tokenizer::from_bytes(loaded.bytes());
  EXPECT_TRUE(copy.bytes() == loaded.bytes());  // EXPECT_EQ would print the whole model
  EXPECT_EQ(copy.vocab_size(), loaded.vocab_size());
  const std::string text = "我们明天在车站见吧。 See you at the station tomorrow.";
  EXPECT_EQ(copy.encode(text), loaded.encode(text));
  EXPECT_EQ(copy.encode(text), tok_->encode(text));
}

TEST_F(TokenizerTest, TrainingIsDeterministic) {
  mt::TokenizerTrainOptions options;
  options.inputs = {std::string(MT_SOURCE_DIR) + "/tests/data/tiny_corpus.txt"};
  options.model_prefix = (*dir_ / "again").string();
  options.vocab_size = 500;
  options.character_coverage = 0.98;  // rare characters go through byte fallback
  mt::Tokenizer::train(options);
  // The serialized models differ only in the recorded temp-file paths, so compare the pieces.
  sentencepiece::SentencePieceProcessor first, second;
  ASSERT_TRUE(first.LoadFromSerializedProto(tok_->bytes()).ok());
  ASSERT_TRUE(second.Load(options.model_prefix + ".model").ok());
  ASSERT_EQ(first.GetPieceSize(), second.GetPieceSize());
  for (int id = 0; id < first.GetPieceSize(); ++id) {
    ASSERT_EQ(first.IdToPiece(id), second.IdToPiece(id)) << "id " << id;
    ASSERT_FLOAT_EQ(first.GetScore(id), second.GetScore(id)) << "id " << id;
  }
}

// Source tags (<bt>, <subs>) are control tokens after <2zh> and <2en>: text that spells one is
// never read as the tag, and decoding drops it.
TEST_F(TokenizerTest, SourceTagsAreControlTokens) {
  mt::TokenizerTrainOptions options;
  options.inputs = {std::string(MT_SOURCE_DIR) + "/tests/data/tiny_corpus.txt"};
  options.model_prefix = (*dir_ / "tagged").string();
  options.vocab_size = 500;
  options.character_coverage = 0.98;
  options.control_symbols = {"<bt>", "<subs>"};
  mt::Tokenizer::train(options);
  const auto tagged = mt::Tokenizer::load(options.model_prefix + ".model");
  EXPECT_EQ(tagged.control_id("<2zh>"), mt::SpecialIds::to_zh);
  EXPECT_EQ(tagged.control_id("<bt>"), 6);
  EXPECT_EQ(tagged.control_id("<subs>"), 7);
  EXPECT_EQ(tagged.control_id("<news>"), -1);
  EXPECT_EQ(tok_->control_id("<bt>"), -1);  // a tokenizer trained without it
  const auto ids = tagged.encode("<bt> hello");
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 6), 0);
  std::vector<int> with_tag = {6};
  const auto hello = tagged.encode("hello");
  with_tag.insert(with_tag.end(), hello.begin(), hello.end());
  EXPECT_EQ(tagged.decode(with_tag), "hello");
  options.control_symbols = {"a,b"};
  EXPECT_THROW(mt::Tokenizer::train(options), std::runtime_error);
}

TEST(TokenizerErrors, MissingAndCorruptModels) {
  try {
    mt::Tokenizer::load("/nonexistent/x.model");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'/nonexistent/x.model'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mt::Tokenizer::from_bytes("not a model"), std::runtime_error);
  EXPECT_THROW(mt::Tokenizer::from_bytes(""), std::runtime_error);

  mt::TokenizerTrainOptions options;
  options.inputs = {"/nonexistent/corpus.txt"};
  options.model_prefix = (fs::temp_directory_path() / "mt-never-written").string();
  EXPECT_THROW(mt::Tokenizer::train(options), std::runtime_error);
}

// On the real dev set (half of it Traditional): normalising keeps Chinese punctuation full-width,
// is idempotent, and leaves no character that the Traditional->Simplified step would change again.
TEST(SharedData, DevSetNormalisesToSimplifiedWithFullWidthPunctuation) {
  const char* env = std::getenv("MT_SHARED_DATA");
  const std::string dir = env ? env : std::string(MT_SOURCE_DIR) + "/../shared/data";
  std::ifstream in(dir + "/dev/tatoeba-dev.zh");
  if (!in) GTEST_SKIP() << dir << "/dev not found: test skipped (CI has it)";
  int lines = 0, changed = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    const std::string once = mt::normalize(line);
    EXPECT_EQ(mt::normalize(once), once) << line;
    if (line.find("。") != std::string::npos) EXPECT_NE(once.find("。"), std::string::npos) << line;
    changed += once != line;
  }
  EXPECT_EQ(lines, 1000);
  EXPECT_GT(changed, 300) << "about half the dev lines are Traditional";
}

TEST(ChineseSpacing, SpacesNextToChineseAreDropped) {
  EXPECT_EQ(mt::tidy_chinese_spacing("我 喜欢 iPhone 。"), "我喜欢iPhone。");
  EXPECT_EQ(mt::tidy_chinese_spacing("I like tea"), "I like tea");
  EXPECT_EQ(mt::tidy_chinese_spacing(""), "");
}

TEST(ChineseSpacing, SubtitleClauseSpacesBecomeCommas) {
  EXPECT_EQ(mt::spaces_to_commas("如果你们真想让她说话 那我去跟她见面吧"), "如果你们真想让她说话，那我去跟她见面吧");
  EXPECT_EQ(mt::spaces_to_commas("对  我...看见了"), "对，我...看见了");  // a run of spaces is one comma
  // only between two Han characters: not next to Latin words, digits or punctuation, nor at the ends
  EXPECT_EQ(mt::spaces_to_commas("我喜欢 iPhone 手机"), "我喜欢 iPhone 手机");
  EXPECT_EQ(mt::spaces_to_commas("我... 看见了 "), "我... 看见了 ");
  EXPECT_EQ(mt::spaces_to_commas(" 好"), " 好");
  EXPECT_EQ(mt::spaces_to_commas("I see it"), "I see it");
  EXPECT_EQ(mt::spaces_to_commas(""), "");
}

// tw2sp on text that is already Simplified would corrupt it (什么 -> 什幺, 程序 -> 进程, 尼日尔 ->
// 尼日尔尔): only lines with Traditional-only characters are converted.
TEST(Normalize, SimplifiedTextIsLeftAlone) {
  for (const char* s : {"这是什么？", "你在做什么工作？", "这个程序很好。", "尼日尔仍然有五十万孩子。", "他很著名。"})
    EXPECT_EQ(mt::normalize(s), s);
  EXPECT_EQ(mt::normalize("這是什麼？"), "这是什么？");
}
