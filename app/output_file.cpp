#include "app/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>

namespace mt::app {

namespace {
// The temporary file to remove if a signal ends the process (one output per process).
char g_tmp_path[4096] = {0};

extern "C" void remove_tmp_and_exit(int sig) {
  if (g_tmp_path[0]) unlink(g_tmp_path);
  _exit(128 + sig);
}
}  // namespace

OutputFile::OutputFile(const std::string& path, bool remove_on_signal) : path_(path), stdout_(&std::cout) {
  if (path_ == "-") return;
  tmp_ = path_ + ".tmp." + std::to_string(getpid());
  file_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!file_) throw std::runtime_error("cannot write '" + path_ + "': " + std::strerror(errno));
  if (!remove_on_signal) return;
  std::snprintf(g_tmp_path, sizeof g_tmp_path, "%s", tmp_.c_str());
  std::signal(SIGINT, remove_tmp_and_exit);
  std::signal(SIGTERM, remove_tmp_and_exit);
}

OutputFile::~OutputFile() {
  if (path_ == "-" || committed_) return;
  file_.close();
  std::remove(tmp_.c_str());
  if (tmp_ == g_tmp_path) g_tmp_path[0] = 0;  // another output's registration stays
}

void OutputFile::commit() {
  if (path_ == "-") {
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("cannot write to standard output");
    return;
  }
  file_.close();
  if (!file_) throw std::runtime_error("cannot write '" + path_ + "' (disk full?)");
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
    throw std::runtime_error("cannot write '" + path_ + "': " + std::strerror(errno));
  committed_ = true;
  if (tmp_ == g_tmp_path) g_tmp_path[0] = 0;
}

}  // namespace mt::app
