#include "app/serve/batch_queue.h"

namespace mt::serve {

struct BatchQueue::Job {
  std::vector<std::string> lines;
  Lang target;
  Glossary glossary;
  size_t alternatives = 0;
  size_t taken = 0;      // lines handed to the engine so far (under the queue's mutex)
  size_t remaining = 0;  // lines not yet translated (engine thread only)
  std::vector<std::string> results;
  std::promise<std::vector<std::string>> promise;
  std::atomic<bool> cancelled{false};
};

std::optional<std::vector<std::string>> BatchQueue::Ticket::wait(std::chrono::milliseconds timeout) {
  if (result_.wait_for(timeout) != std::future_status::ready) {
    job_->cancelled = true;
    return std::nullopt;
  }
  return result_.get();  // rethrows the engine's exception, if any
}

BatchQueue::BatchQueue(Engine engine, QueueOptions options)
    : engine_(std::move(engine)), options_(options), thread_([this] { run(); }) {}

BatchQueue::~BatchQueue() { stop(); }

std::optional<BatchQueue::Ticket> BatchQueue::submit(std::vector<std::string> lines, Lang target, Glossary glossary,
                                                     size_t alternatives) {
  auto job = std::make_shared<Job>();
  job->target = target;
  job->glossary = std::move(glossary);
  job->alternatives = alternatives;
  job->remaining = lines.size();
  job->results.resize(lines.size() * (1 + alternatives));
  job->lines = std::move(lines);
  Ticket ticket;
  ticket.result_ = job->promise.get_future();
  ticket.job_ = job;
  if (job->lines.empty()) {
    job->promise.set_value({});
    return ticket;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return std::nullopt;
    if (queued_lines_ > 0 && queued_lines_ + job->lines.size() > options_.max_queued_lines) return std::nullopt;
    queued_lines_ += job->lines.size();
    pending_.push_back(job);
  }
  wake_.notify_one();
  return ticket;
}

void BatchQueue::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

QueueStats BatchQueue::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {queued_lines_, batches_, batched_lines_};
}

std::vector<BatchQueue::Slice> BatchQueue::take_batch(std::vector<std::string>* lines, BatchKey* key) {
  std::vector<Slice> slices;
  // The oldest request's language (glossary, alternatives) goes first; later requests with the same join it.
  key->target = pending_.front()->target;
  key->glossary = pending_.front()->glossary;
  key->alternatives = pending_.front()->alternatives;
  for (auto it = pending_.begin(); it != pending_.end() && lines->size() < options_.max_batch_lines;) {
    Job& job = **it;
    const size_t left = job.lines.size() - job.taken;
    if (job.cancelled) {  // its client gave up waiting: skip the lines nobody will read
      queued_lines_ -= left;
      it = pending_.erase(it);
      continue;
    }
    if (job.target != key->target || job.glossary != key->glossary || job.alternatives != key->alternatives) {
      ++it;
      continue;
    }
    const size_t count = std::min(left, options_.max_batch_lines - lines->size());
    slices.push_back({*it, job.taken, count, lines->size()});
    for (size_t i = job.taken; i < job.taken + count; ++i) lines->push_back(std::move(job.lines[i]));
    job.taken += count;
    queued_lines_ -= count;
    it = job.taken == job.lines.size() ? pending_.erase(it) : std::next(it);
  }
  return slices;
}

void BatchQueue::run() {
  for (;;) {
    std::vector<std::string> lines;
    BatchKey key;
    std::vector<Slice> slices;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and nothing left to translate
      slices = take_batch(&lines, &key);
      if (!slices.empty()) {
        ++batches_;
        batched_lines_ += lines.size();
      }
    }
    if (slices.empty()) continue;  // only cancelled requests were waiting
    std::vector<std::string> translations;
    try {
      translations = engine_(lines, key.target, key.glossary, key.alternatives);
      if (translations.size() != lines.size() * (1 + key.alternatives))
        throw std::runtime_error("the engine returned a wrong number of lines");
    } catch (...) {
      // A failed batch fails every request in it, each exactly once.
      const auto error = std::current_exception();
      for (auto& slice : slices) {
        if (slice.job->remaining == 0) continue;
        slice.job->remaining = 0;
        slice.job->cancelled = true;  // its lines still queued are dropped
        slice.job->promise.set_exception(error);
      }
      continue;
    }
    for (auto& slice : slices) {
      Job& job = *slice.job;
      if (job.remaining == 0) continue;  // failed in an earlier batch
      const size_t width = 1 + job.alternatives;  // results per line
      for (size_t i = 0; i < slice.count * width; ++i)
        job.results[slice.first * width + i] = std::move(translations[slice.offset * width + i]);
      job.remaining -= slice.count;
      if (job.remaining == 0) job.promise.set_value(std::move(job.results));
    }
  }
}

}  // namespace mt::serve
