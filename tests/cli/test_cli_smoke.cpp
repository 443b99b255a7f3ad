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

// OpenBLAS 0.3.21 takes CPUs it does not know (Emerald Rapids) for SSE3 ones, 5x slower in fp32:
// mt must end up on kernels for the instructions the CPU has, and print its output once.
TEST(CliSmoke, OpenBlasRunsKernelsForThisCpu) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "this CPU has no AVX2: OpenBLAS's SSE kernels are the right ones";
  const char* user_choice = std::getenv("OPENBLAS_CORETYPE");
  if (user_choice != nullptr) GTEST_SKIP() << "OPENBLAS_CORETYPE=" << user_choice << " is set: mt keeps the user's choice";
  setenv("OPENBLAS_VERBOSE", "2", 1);  // OpenBLAS prints "Core: <name>" as it loads
  auto r = run_mt("--version");
  unsetenv("OPENBLAS_VERBOSE");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto last = r.err.rfind("Core: ");
  if (last == std::string::npos) GTEST_SKIP() << "libtorch's BLAS is not a dynamic-arch OpenBLAS";
  const std::string core = r.err.substr(last + 6, r.err.find('\n', last) - last - 6);
  for (const char* fallback : {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom"}) EXPECT_NE(core, fallback);
  EXPECT_EQ(r.out, std::string("mt ") + MT_VERSION + "\n");
}
