#include "app/serve/file_store.h"

#include <random>

namespace mt::serve {

std::string FileStore::put(const std::string& name, std::string bytes) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char key[40];
  std::snprintf(key, sizeof key, "%016llx%016llx", static_cast<unsigned long long>(random()),
                static_cast<unsigned long long>(random()));
  const std::string id = std::string(key) + "." + name;
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = Clock::now();
  expire(now);
  bytes_ += bytes.size();
  files_[id] = {{name, std::move(bytes)}, now};
  while (bytes_ > max_bytes_ && files_.size() > 1) {  // the oldest go first
    auto oldest = files_.begin();
    for (auto it = files_.begin(); it != files_.end(); ++it)
      if (it->second.stored < oldest->second.stored) oldest = it;
    if (oldest->first == id) break;
    bytes_ -= oldest->second.file.bytes.size();
    files_.erase(oldest);
  }
  return id;
}

std::optional<StoredFile> FileStore::get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  expire(Clock::now());
  const auto it = files_.find(key);
  if (it == files_.end()) return std::nullopt;
  return it->second.file;
}

size_t FileStore::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return files_.size();
}

void FileStore::expire(Clock::time_point now) {
  for (auto it = files_.begin(); it != files_.end();) {
    if (now - it->second.stored > lifetime_) {
      bytes_ -= it->second.file.bytes.size();
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace mt::serve
