// One engine thread, fed by every request at once: lines waiting from different requests are
// packed into the same engine call (per target language), which sorts them by length into
// token-budget batches as `mt translate` does with a file. Nothing waits for a batch to fill:
// whatever queued while the engine was busy goes into its next call (continuous batching).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tokenizer/normalizer.h"
#include "tokenizer/terminology.h"

namespace mt::serve {

// The terms a request's translations keep (null: none). Lines are batched only with lines of the
// same glossary.
using Glossary = std::shared_ptr<const Terminology>;
// Translates lines into `target`: per line its translation, then `alternatives` other translations
// ("" where the search found fewer), so (1 + alternatives) x lines results in all. Only ever called
// from the engine thread.
using Engine = std::function<std::vector<std::string>(const std::vector<std::string>& lines, Lang target,
                                                      const Glossary& glossary, size_t alternatives)>;

struct QueueOptions {
  size_t max_queued_lines = 1000;  // lines waiting; beyond it submit() refuses (503)
  size_t max_batch_lines = 256;    // lines per engine call
};

struct QueueStats {
  size_t queued_lines = 0;
  uint64_t batches = 0, batched_lines = 0;
};

class BatchQueue {
 public:
  struct Job;
  // A queued request's lines; wait() waits for their translations, in order.
  class Ticket {
   public:
    // nullopt when `timeout` passed first: the lines not yet started are then dropped.
    std::optional<std::vector<std::string>> wait(std::chrono::milliseconds timeout);

   private:
    friend class BatchQueue;
    std::shared_ptr<Job> job_;
    std::future<std::vector<std::string>> result_;
  };

  BatchQueue(Engine engine, QueueOptions options = {});
  ~BatchQueue();  // stop()
  BatchQueue(const BatchQueue&) = delete;
  BatchQueue& operator=(const BatchQueue&) = delete;

  // Queues the lines. Returns nullopt when the queue is full (a request is always taken while the
  // queue is empty, so one larger than the bound still goes through) or stopped.
  // Lines are batched only with lines of the same target, glossary and number of alternatives;
  // the ticket's results are laid out as the engine's.
  std::optional<Ticket> submit(std::vector<std::string> lines, Lang target, Glossary glossary = nullptr,
                               size_t alternatives = 0);
  // Translates what is queued, then ends the engine thread; later submits are refused.
  void stop();
  QueueStats stats() const;

 private:
  struct Slice {  // lines [first, first + count) of a job, placed at [offset, ...) of a batch
    std::shared_ptr<Job> job;
    size_t first, count, offset;
  };
  void run();
  struct BatchKey {  // what the lines of one engine call share
    Lang target = Lang::Zh;
    Glossary glossary;
    size_t alternatives = 0;
  };
  // Under mutex_: the oldest request's lines, and those of later ones that share its key.
  std::vector<Slice> take_batch(std::vector<std::string>* lines, BatchKey* key);

  Engine engine_;
  QueueOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> pending_;
  size_t queued_lines_ = 0;
  uint64_t batches_ = 0, batched_lines_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mt::serve
