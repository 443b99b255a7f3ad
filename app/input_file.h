// Input from a named file, or standard input for "-"; a file that can't be opened is a one-line error.
#pragma once
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

namespace mt::app {

class InputFile {
 public:
  explicit InputFile(const std::string& path) {
    if (path == "-") return;
    file_.open(path, std::ios::binary);
    if (!file_) throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
    in_ = &file_;
  }
  std::istream& stream() { return *in_; }

 private:
  std::ifstream file_;
  std::istream* in_ = &std::cin;
};

// A translation printed as one output line, whatever the model or tokenizer produced.
inline std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

}  // namespace mt::app
