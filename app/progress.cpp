#include "app/progress.h"

#include <cstdio>
#include <string>

namespace mt::app {

ProgressBar::ProgressBar(bool enabled, int64_t total_lines)
    : enabled_(enabled), total_(total_lines), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void ProgressBar::update(int64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200) && done != total_) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? double(done) / seconds : 0;
  if (total_ > 0) {
    const int width = 30, filled = int(width * done / total_);
    const double eta = rate > 0 ? double(total_ - done) / rate : 0;
    std::fprintf(stderr, "\r[%s%s] %3d%% %ld/%ld lines | %.1f lines/s | ETA %ld:%02ld ", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), int(100 * done / total_), long(done), long(total_), rate,
                 long(eta) / 60, long(eta) % 60);
  } else {
    std::fprintf(stderr, "\r%ld lines | %.1f lines/s ", long(done), rate);
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_) std::fprintf(stderr, "\n");
}

}  // namespace mt::app
