// Tests of corpus BLEU and chrF: small hand-computed cases, then every row of the sacreBLEU 2.6.0
// fixtures in ../shared/data/sacrebleu-fixtures (skipped when that directory is absent).
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/metrics/bleu.h"
#include "model/metrics/chrf.h"

namespace {

using Lines = std::vector<std::string>;

// ---- hand-computed cases ----

TEST(Bleu, IdenticalIs100) {
  Lines s = {"The cat sat on the mat.", "Hello, world!"};
  mt::BleuScore b = mt::corpus_bleu(s, s);
  EXPECT_DOUBLE_EQ(b.score, 100.0);
  EXPECT_DOUBLE_EQ(b.brevity_penalty, 1.0);
  EXPECT_EQ(b.sys_len, 11);  // The cat sat on the mat . / Hello , world !
  EXPECT_EQ(b.ref_len, 11);
  EXPECT_EQ(b.signature, "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
}

TEST(Bleu, EmptyHypothesisIs0) {
  mt::BleuScore b = mt::corpus_bleu({""}, {"the cat sat on the mat"});
  EXPECT_EQ(b.score, 0.0);
  EXPECT_EQ(b.sys_len, 0);
  EXPECT_EQ(b.ref_len, 6);
  EXPECT_EQ(b.brevity_penalty, 0.0);
}

TEST(Bleu, HandComputedPrecisions) {
  // the cat sat on the mat / the cat sat on a mat: clipped matches 5/6, 3/5, 2/4, 1/3, BP 1,
  // so BLEU = 100 * (5/6 * 3/5 * 1/2 * 1/3)^(1/4) = 100 * (1/12)^(1/4).
  mt::BleuScore b = mt::corpus_bleu({"the cat sat on the mat"}, {"the cat sat on a mat"});
  EXPECT_NEAR(b.precisions[0], 100.0 * 5 / 6, 1e-9);
  EXPECT_NEAR(b.precisions[1], 100.0 * 3 / 5, 1e-9);
  EXPECT_NEAR(b.precisions[2], 100.0 * 2 / 4, 1e-9);
  EXPECT_NEAR(b.precisions[3], 100.0 * 1 / 3, 1e-9);
  EXPECT_NEAR(b.score, 100.0 * std::pow(1.0 / 12, 0.25), 1e-9);  // 53.7285
}

TEST(Bleu, ExpSmoothingAndBrevityPenalty) {
  // a b c d / a b d c: 4/4, 1/3, then no 3- or 4-gram matches: "exp" smoothing gives 1/(2*2), 1/(4*1).
  mt::BleuScore b = mt::corpus_bleu({"a b c d"}, {"a b d c"}, "none");
  EXPECT_NEAR(b.precisions[2], 25.0, 1e-9);
  EXPECT_NEAR(b.precisions[3], 25.0, 1e-9);
  EXPECT_NEAR(b.score, 100.0 * std::pow(1.0 / 48, 0.25), 1e-9);
  // Hypothesis of 3 tokens for a 4-token reference: BP = exp(1 - 4/3).
  mt::BleuScore s = mt::corpus_bleu({"a b c"}, {"a b c d"}, "none");
  EXPECT_NEAR(s.brevity_penalty, std::exp(1.0 - 4.0 / 3.0), 1e-12);
}

TEST(Bleu, Tokenizer13a) {
  // Numbers keep their decimal point and comma; trailing punctuation and symbols split off;
  // &quot; is unescaped; a dash after a digit is split.
  mt::BleuScore b = mt::corpus_bleu({"It costs $3.50, &quot;really&quot;. 1990-2000"},
                                    {"It costs $ 3.50 , \" really \" . 1990 - 2000"});
  EXPECT_DOUBLE_EQ(b.score, 100.0);
  EXPECT_EQ(b.sys_len, 12);
}

TEST(Bleu, TokenizerZh) {
  // Each CJK character (and full-width punctuation, and, by sacreBLEU's range quirk, curly quotes) is
  // its own token; runs of Latin letters/digits stay together.
  mt::BleuScore b = mt::corpus_bleu({"他说：“你好！”我用iPhone 15。"}, {"x"}, "zh");
  EXPECT_EQ(b.sys_len, 13);  // 他 说 ： “ 你 好 ！ ” 我 用 iPhone 15 。
  EXPECT_EQ(b.signature, "nrefs:1|case:mixed|eff:no|tok:zh|smooth:exp|version:2.6.0");
}

TEST(Chrf, IdenticalIs100AndEmptyIs0) {
  Lines s = {"The cat sat on the mat.", "他说你好。"};
  EXPECT_DOUBLE_EQ(mt::corpus_chrf(s, s).score, 100.0);
  EXPECT_EQ(mt::corpus_chrf({""}, {"the cat"}).score, 0.0);
  EXPECT_EQ(mt::corpus_chrf(s, s).signature,
            "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0");
}

TEST(Chrf, WhitespaceIgnored) {
  EXPECT_DOUBLE_EQ(mt::corpus_chrf({"a bc"}, {"ab  c"}).score, 100.0);
}

TEST(Chrf, ShortReferenceDropsHypothesisNgrams) {
  // abcd / ab: the reference has only orders 1-2, so the hypothesis' 3- and 4-grams are not counted
  // (sacreBLEU's "hyp_count if ref_ngrams else 0"). P = (2/4 + 1/3) / 2 = 5/12, R = (1 + 1) / 2 = 1,
  // F2 = 5 * P * R / (4 * P + R) = (25/12) / (32/12) = 25/32.
  EXPECT_NEAR(mt::corpus_chrf({"abcd"}, {"ab"}).score, 100.0 * 25 / 32, 1e-9);
}

TEST(Chrf, HandComputed) {
  // abc / abd: unigrams 2/3 both ways, bigrams 1/2, trigrams 0/1; orders 4-6 have no n-grams and are
  // left out. Average P = R = 7/18, and F2 of equal P and R is that value.
  EXPECT_NEAR(mt::corpus_chrf({"abc"}, {"abd"}).score, 100.0 * 7 / 18, 1e-9);
}

// ---- sacreBLEU fixtures ----

std::string shared_data_dir() {
  if (const char* env = std::getenv("MT_SHARED_DATA")) return env;
  return std::string(MT_SOURCE_DIR) + "/../shared/data";
}

std::string fixture_dir() { return shared_data_dir() + "/sacrebleu-fixtures"; }

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, '\t')) out.push_back(field);
  return out;
}

struct Row {
  std::string name, tokenize, precisions, bleu_signature, chrf_signature;
  double bleu = 0, bp = 0, chrf = 0;
  long sys_len = 0, ref_len = 0;
};

// Rows of expected.tsv; a single "missing" row when the fixtures are absent, so the test can skip.
std::vector<Row> load_rows() {
  std::ifstream in(fixture_dir() + "/expected.tsv");
  if (!in) {
    Row missing;
    missing.name = "missing";
    return {missing};
  }
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f = split_tabs(line);
    if (f.size() < 10) continue;
    Row r;
    r.name = f[0];
    r.tokenize = f[1];
    r.bleu = std::stod(f[2]);
    r.precisions = f[3];
    r.bp = std::stod(f[4]);
    r.sys_len = std::stol(f[5]);
    r.ref_len = std::stol(f[6]);
    r.chrf = std::stod(f[7]);
    r.bleu_signature = f[8];
    r.chrf_signature = f[9];
    rows.push_back(r);
  }
  return rows;
}

Lines read_lines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  Lines lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class SacrebleuFixture : public testing::TestWithParam<Row> {};

TEST_P(SacrebleuFixture, MatchesSacrebleu) {
  const Row& row = GetParam();
  if (row.name == "missing") GTEST_SKIP() << "../shared/data not found: sacreBLEU fixtures skipped";
  Lines hyps = read_lines(fixture_dir() + "/" + row.name + ".hyp");
  Lines refs = read_lines(fixture_dir() + "/" + row.name + ".ref");

  mt::BleuScore b = mt::corpus_bleu(hyps, refs, row.tokenize);
  mt::ChrfScore c = mt::corpus_chrf(hyps, refs);
  char prec[64];
  std::snprintf(prec, sizeof prec, "%.1f/%.1f/%.1f/%.1f", b.precisions[0], b.precisions[1],
                b.precisions[2], b.precisions[3]);
  std::printf("%-13s BLEU %8.4f (expected %8.4f)  len %ld/%ld (%ld/%ld)  chrF %8.4f (expected %8.4f)\n",
              row.name.c_str(), b.score, row.bleu, b.sys_len, b.ref_len, row.sys_len, row.ref_len,
              c.score, row.chrf);

  EXPECT_NEAR(b.score, row.bleu, 0.01);
  EXPECT_EQ(b.sys_len, row.sys_len);
  EXPECT_EQ(b.ref_len, row.ref_len);
  EXPECT_NEAR(b.brevity_penalty, row.bp, 0.0005);
  EXPECT_EQ(prec, row.precisions);
  EXPECT_EQ(b.signature, row.bleu_signature);
  EXPECT_NEAR(c.score, row.chrf, 0.01);
  EXPECT_EQ(c.signature, row.chrf_signature);
}

INSTANTIATE_TEST_SUITE_P(Rows, SacrebleuFixture, testing::ValuesIn(load_rows()),
                         [](const testing::TestParamInfo<Row>& info) {
                           std::string name = info.param.name;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
