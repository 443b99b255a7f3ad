// The binary's basic contract: help, version, exit codes.
#include <gtest/gtest.h>

#include "tests/cli/run_mt.h"

TEST(CliSmoke, HelpListsCommandsAndExitsZero) {
  auto r = run_mt("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"translate", "repl", "train", "eval", "tokenizer"}) EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
}

TEST(CliSmoke, VersionPrintsVersion) {
  auto r = run_mt("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find(MT_VERSION), std::string::npos);
}

TEST(CliSmoke, UnknownCommandIsAUsageError) {
  auto r = run_mt("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST(CliSmoke, NoCommandIsAUsageError) { EXPECT_NE(run_mt("").exit_code, 0); }

TEST(CliSmoke, BadThreadsValueIsAUsageError) {
  auto r = run_mt("--threads 0 tokenizer encode");
  EXPECT_EQ(r.exit_code, 2);
}
