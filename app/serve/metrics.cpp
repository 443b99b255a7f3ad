#include "app/serve/metrics.h"

#include <sstream>

namespace mt::serve {

void Metrics::count_request(const std::string& endpoint, int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{endpoint, status}];
}

void Metrics::observe_translation(double seconds, size_t texts, size_t characters) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  ++latency_counts_[bucket];
  latency_sum_ += seconds;
  texts_ += texts;
  characters_ += characters;
}

std::string Metrics::render(const QueueStats& queue) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  out << "# HELP mt_requests_total HTTP requests answered, by endpoint and status code.\n"
         "# TYPE mt_requests_total counter\n";
  for (const auto& [key, count] : requests_)
    out << "mt_requests_total{endpoint=\"" << key.first << "\",code=\"" << key.second << "\"} " << count << "\n";
  out << "# HELP mt_translated_texts_total Texts (entries of q) translated.\n"
         "# TYPE mt_translated_texts_total counter\n"
      << "mt_translated_texts_total " << texts_ << "\n"
      << "# HELP mt_translated_characters_total Characters of q translated.\n"
         "# TYPE mt_translated_characters_total counter\n"
      << "mt_translated_characters_total " << characters_ << "\n"
      << "# HELP mt_sentences_total Lines given to the engine (the translator splits long ones into sentences).\n"
         "# TYPE mt_sentences_total counter\n"
      << "mt_sentences_total " << queue.batched_lines << "\n"
      << "# HELP mt_engine_batches_total Engine calls; each packs the lines of every request waiting for one language.\n"
         "# TYPE mt_engine_batches_total counter\n"
      << "mt_engine_batches_total " << queue.batches << "\n"
      << "# HELP mt_queue_lines Lines waiting for the engine.\n"
         "# TYPE mt_queue_lines gauge\n"
      << "mt_queue_lines " << queue.queued_lines << "\n"
      << "# HELP mt_translate_duration_seconds Time from receiving a successful /translate request to its answer.\n"
         "# TYPE mt_translate_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t b = 0; b < latency_counts_.size(); ++b) {
    cumulative += latency_counts_[b];
    out << "mt_translate_duration_seconds_bucket{le=\"";
    if (b < kLatencyBuckets.size())
      out << kLatencyBuckets[b];
    else
      out << "+Inf";
    out << "\"} " << cumulative << "\n";
  }
  out << "mt_translate_duration_seconds_sum " << latency_sum_ << "\n"
      << "mt_translate_duration_seconds_count " << cumulative << "\n";
  return out.str();
}

}  // namespace mt::serve
