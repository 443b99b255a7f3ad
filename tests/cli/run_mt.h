// Runs the built `mt` binary through the shell and captures exit code, stdout and stderr.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

struct MtResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// args are passed through the shell as written; stdin_text is fed on standard input.
inline MtResult run_mt(const std::string& args, const std::string& stdin_text = "") {
  static int counter = 0;
  const std::string base = ::testing::TempDir() + "/mt_cli_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  { std::ofstream(base + ".in", std::ios::binary) << stdin_text; }
  const std::string cmd = std::string(MT_BINARY) + " " + args + " < " + base + ".in > " + base + ".out 2> " + base + ".err";
  const int status = std::system(cmd.c_str());
  MtResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  std::remove((base + ".in").c_str());
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}
