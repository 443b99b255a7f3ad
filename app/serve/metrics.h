// What /metrics reports, in Prometheus' text format: requests by endpoint and status, texts and
// lines translated, the engine's batches, and a histogram of /translate latency.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "app/serve/batch_queue.h"

namespace mt::serve {

class Metrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds (then +Inf).
  static constexpr std::array<double, 14> kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                             1,     2.5,  5,     10,   30,  60,  120};

  void count_request(const std::string& endpoint, int status);
  void observe_translation(double seconds, size_t texts, size_t characters);
  std::string render(const QueueStats& queue) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::array<uint64_t, kLatencyBuckets.size() + 1> latency_counts_{};  // last: +Inf
  double latency_sum_ = 0;
  uint64_t texts_ = 0, characters_ = 0;
};

}  // namespace mt::serve
