// Translated files kept in memory until they are downloaded from /download_file or expire (as
// LibreTranslate's /translate_file answers with a URL). Bounded in bytes: the oldest go first.
#pragma once
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace mt::serve {

struct StoredFile {
  std::string name;   // the file name the download gets
  std::string bytes;
};

class FileStore {
 public:
  using Clock = std::chrono::steady_clock;
  FileStore(std::chrono::seconds lifetime, size_t max_bytes) : lifetime_(lifetime), max_bytes_(max_bytes) {}

  // Keeps a file; returns its key ("<random hex>.<name>"), what the download URL ends with.
  std::string put(const std::string& name, std::string bytes);
  // The file under `key`, unless it expired.
  std::optional<StoredFile> get(const std::string& key);
  size_t size() const;

 private:
  void expire(Clock::time_point now);  // under mutex_

  struct Entry {
    StoredFile file;
    Clock::time_point stored;
  };
  std::chrono::seconds lifetime_;
  size_t max_bytes_, bytes_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> files_;
};

}  // namespace mt::serve
