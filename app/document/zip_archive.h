// The zip packages Office, LibreOffice and EPUB files are: read and rewritten in memory (libzip),
// with limits that stop a zip bomb before it is inflated.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mt::doc {

struct ZipLimits {
  uint64_t max_entries = 20000;
  uint64_t max_entry_bytes = 64ull << 20;   // one file inflated
  uint64_t max_total_bytes = 512ull << 20;  // every file read, inflated
  double max_ratio = 200;                   // inflated / compressed, for entries over 1 MB
};

class ZipArchive {
 public:
  // Throws std::runtime_error (one line) for bytes that are not a zip archive, or a corrupt one.
  ZipArchive(const std::string& bytes, const ZipLimits& limits = {});
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  std::vector<std::string> names() const;  // in archive order
  bool has(const std::string& name) const;
  // An entry inflated; throws past the limits, or when its data is corrupt.
  std::string read(const std::string& name);
  // New contents for an entry, written by bytes(); the other entries are copied as they are.
  void replace(const std::string& name, std::string contents);
  // The archive with its replacements, in its original order (a stored "mimetype" stays stored).
  std::string bytes();

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  ZipLimits limits_;
  uint64_t read_total_ = 0;
  std::vector<std::unique_ptr<std::string>> replacements_;  // kept alive until bytes()
};

}  // namespace mt::doc
