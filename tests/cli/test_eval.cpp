// `mt eval` reproduces sacreBLEU's own scores and fails clearly on bad input.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/cli/run_mt.h"
#include "tests/cli/test_support.h"

TEST(EvalSacrebleuFixtures, EveryRowWithinOneHundredth) {
  REQUIRE_SHARED_DATA();
  const std::string dir = shared_data() + "/sacrebleu-fixtures/";
  std::istringstream rows(slurp(dir + "expected.tsv"));
  std::string row;
  std::getline(rows, row);  // header
  int checked = 0;
  while (std::getline(rows, row)) {
    std::vector<std::string> f;
    std::istringstream cols(row);
    for (std::string c; std::getline(cols, c, '\t');) f.push_back(c);
    ASSERT_GE(f.size(), 8u);
    auto r = run_mt("eval -r " + dir + f[0] + ".ref -i " + dir + f[0] + ".hyp --tokenize " + f[1] + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_NEAR(j["bleu"].get<double>(), std::stod(f[2]), 0.01) << f[0];
    EXPECT_NEAR(j["chrf"].get<double>(), std::stod(f[7]), 0.01) << f[0];
    EXPECT_EQ(j["signature"].get<std::string>(), f[8]) << f[0];
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(EvalOutput, PlainOutputHasSacrebleuSignature) {
  const auto ref = temp_path("ref.txt"), hyp = temp_path("hyp.txt");
  write_text(ref, "the cat sat on the mat\nhello world\n");
  write_text(hyp, "the cat sat on a mat\nhello world\n");
  auto r = run_mt("eval -r " + ref + " -i " + hyp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("BLEU = "), std::string::npos);
  EXPECT_NE(r.out.find("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chrF2 = "), std::string::npos);
}

TEST(EvalErrors, LineCountMismatchIsAnError) {
  const auto ref = temp_path("ref2.txt"), hyp = temp_path("hyp2.txt");
  write_text(ref, "a\nb\nc\n");
  write_text(hyp, "a\nb\n");
  auto r = run_mt("eval -r " + ref + " -i " + hyp);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("2 lines"), std::string::npos) << r.err;
}

TEST(EvalErrors, MissingReferenceIsAnError) {
  auto r = run_mt("eval -r /nonexistent/ref.txt", "x\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(split_lines(r.err).size(), 1u);
}

TEST(EvalTranslate, TranslatesAndScoresInOneGo) {
  REQUIRE_MODEL();
  const auto src = temp_path("src.txt"), ref = temp_path("ref3.txt");
  write_text(src, "I am hungry.\nWhere is the bathroom?\n");
  write_text(ref, "我饿了。\n洗手间在哪里？\n");
  auto r = run_mt("eval -m " + test_model() + " -s " + src + " -r " + ref + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tokenize"], "zh");
  EXPECT_GT(j["chrf"].get<double>(), 0.0);
}
