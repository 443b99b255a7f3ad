// A one-line progress bar on stderr (lines, lines/s, ETA), redrawn at most five times a second.
#pragma once
#include <chrono>
#include <cstdint>

namespace mt::app {

class ProgressBar {
 public:
  ProgressBar(bool enabled, int64_t total_lines);  // total 0: unknown (no bar, no ETA)
  void update(int64_t lines_done);
  void finish();

 private:
  bool enabled_;
  int64_t total_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace mt::app
