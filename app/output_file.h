// Output that appears whole or not at all: a named file is written as NAME.tmp.PID and renamed on
// commit(); if the run fails (exception, Ctrl-C, SIGTERM) the temporary file is removed. "-" is stdout.
// A library inside another program (the Python module) passes remove_on_signal = false: the
// signals stay the host's, and only a failure it sees as an exception removes the file.
#pragma once
#include <fstream>
#include <ostream>
#include <string>

namespace mt::app {

class OutputFile {
 public:
  explicit OutputFile(const std::string& path, bool remove_on_signal = true);
  ~OutputFile();
  std::ostream& stream() { return path_ == "-" ? *stdout_ : file_; }
  void commit();

 private:
  std::string path_, tmp_;
  std::ofstream file_;
  std::ostream* stdout_;
  bool committed_ = false;
};

}  // namespace mt::app
