// `mt repl` with piped input: scriptable, one output line per input line, commands never on stdout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "tests/cli/run_mt.h"

namespace {

// $MT_TEST_MODEL, else the shipped model.
std::string test_model() {
  const char* env = std::getenv("MT_TEST_MODEL");
  return env && *env ? env : std::string(MT_SOURCE_DIR) + "/models/en-zh";
}

#define REQUIRE_MODEL()                                                                              \
  if (!std::filesystem::is_directory(test_model())) GTEST_SKIP() << "no model at " << test_model() << ": REPL tests skipped"

// One thread: the tests stay cheap next to anything else running on the machine.
MtResult repl(const std::string& flags, const std::string& input) {
  return run_mt("--threads 1 -q repl -m '" + test_model() + "' " + flags, input);
}

size_t count_lines(const std::string& text) { return size_t(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST(Repl, PipedInputGivesOneLinePerTextLine) {
  REQUIRE_MODEL();
  auto r = repl("", "Hello, how are you?\n\n:to en\n我很好，谢谢。\nThe weather is nice today.\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 4u) << r.out;  // 5 lines, one of them a command
  EXPECT_EQ(r.out.find("mt>"), std::string::npos) << "no prompt when piped";
  // The empty input line gives an empty output line in the same place.
  const size_t first = r.out.find('\n');
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(r.out[first + 1], '\n') << r.out;
}

TEST(Repl, BadCommandsGiveAMessageAndTheReplGoesOn) {
  REQUIRE_MODEL();
  auto r = repl("", ":beam 0\n:to xx\n:frobnicate\nHello.\n:nbest two\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 1u) << r.out;
  EXPECT_GE(count_lines(r.err), 4u) << r.err;
  EXPECT_NE(r.err.find(":beam"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":to"), std::string::npos) << r.err;
}

TEST(Repl, NBestPrintsScoreTabText) {
  REQUIRE_MODEL();
  auto r = repl("--beam 3", ":nbest 3\nGood morning.\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t n = count_lines(r.out);
  EXPECT_GE(n, 1u);
  EXPECT_LE(n, 3u);
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    EXPECT_NO_THROW(std::stod(line.substr(0, tab))) << line;
  }
}

TEST(Repl, InvalidUtf8TabsAndCarriageReturnsKeepLinesAligned) {
  REQUIRE_MODEL();
  auto r = repl("", "bad \xff\xfe bytes\r\ntab\there\r\n\t\r\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 3u) << r.out;
}

TEST(Repl, QuitStopsReading) {
  REQUIRE_MODEL();
  auto r = repl("", "Hello.\n:q\nNot translated.\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 1u) << r.out;
}

TEST(Repl, MissingModelFailsWithOneLine) {
  auto r = run_mt("repl -m /nonexistent", "Hello.\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// The exit code for flag errors is main()'s business (CliSmoke checks it); here: refused, and why.
TEST(Repl, BadFlagsAreRefusedBeforeLoading) {
  for (const char* flags : {"--beam 0", "--n-best 0", "--to fr"}) {
    auto r = run_mt(std::string("repl -m /nonexistent ") + flags, "");
    EXPECT_NE(r.exit_code, 0) << flags;
    EXPECT_NE(r.exit_code, 1) << flags << ": a usage error, not a failure to load";
    EXPECT_NE(r.err.find(std::string(flags).substr(0, 4)), std::string::npos) << r.err;
  }
}
