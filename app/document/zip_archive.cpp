#include "app/document/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace mt::doc {

struct ZipArchive::Handle {
  zip_source_t* source = nullptr;  // the archive's bytes, kept to read the rewritten archive back
  zip_t* archive = nullptr;
  ~Handle() {
    if (archive) zip_discard(archive);
    if (source) zip_source_free(source);
  }
};

namespace {
std::string message(zip_error_t* error) {
  std::string text = zip_error_strerror(error);
  zip_error_fini(error);
  return text;
}
}  // namespace

ZipArchive::ZipArchive(const std::string& bytes, const ZipLimits& limits) : handle_(new Handle), limits_(limits) {
  zip_error_t error;
  zip_error_init(&error);
  // libzip owns (and frees) a malloc'd copy: rewriting the archive in place releases the old data.
  void* data = std::malloc(std::max<size_t>(bytes.size(), 1));
  if (!data) throw std::runtime_error("out of memory for the archive");
  std::memcpy(data, bytes.data(), bytes.size());
  handle_->source = zip_source_buffer_create(data, bytes.size(), /*freep=*/1, &error);
  if (!handle_->source) {
    std::free(data);
    throw std::runtime_error("cannot read the archive: " + message(&error));
  }
  handle_->archive = zip_open_from_source(handle_->source, ZIP_CHECKCONS, &error);
  if (!handle_->archive) throw std::runtime_error("not a valid zip archive (" + message(&error) + ")");
  zip_source_keep(handle_->source);  // it outlives the archive: the rewritten bytes are read from it
  if (uint64_t(zip_get_num_entries(handle_->archive, 0)) > limits_.max_entries)
    throw std::runtime_error("the archive has more than " + std::to_string(limits_.max_entries) + " files");
}

ZipArchive::~ZipArchive() = default;

std::vector<std::string> ZipArchive::names() const {
  std::vector<std::string> out;
  const zip_int64_t n = zip_get_num_entries(handle_->archive, 0);
  for (zip_int64_t i = 0; i < n; ++i)
    if (const char* name = zip_get_name(handle_->archive, zip_uint64_t(i), ZIP_FL_ENC_GUESS)) out.emplace_back(name);
  return out;
}

bool ZipArchive::has(const std::string& name) const { return zip_name_locate(handle_->archive, name.c_str(), 0) >= 0; }

std::string ZipArchive::read(const std::string& name) {
  const zip_int64_t index = zip_name_locate(handle_->archive, name.c_str(), 0);
  zip_stat_t stat;
  if (index < 0 || zip_stat_index(handle_->archive, zip_uint64_t(index), 0, &stat) != 0)
    throw std::runtime_error("the archive has no '" + name + "'");
  const bool known = (stat.valid & ZIP_STAT_SIZE) && (stat.valid & ZIP_STAT_COMP_SIZE);
  if (!known) throw std::runtime_error("'" + name + "' in the archive has no size");
  if (stat.size > limits_.max_entry_bytes || read_total_ + stat.size > limits_.max_total_bytes)
    throw std::runtime_error("'" + name + "' inflates to " + std::to_string(stat.size >> 20) + " MB: over the limit (a zip bomb?)");
  if (stat.size > (1u << 20) && double(stat.size) > limits_.max_ratio * double(std::max<zip_uint64_t>(stat.comp_size, 1)))
    throw std::runtime_error("'" + name + "' is compressed " + std::to_string(stat.size / std::max<zip_uint64_t>(stat.comp_size, 1)) +
                             " to 1: over the limit (a zip bomb?)");
  std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(zip_fopen_index(handle_->archive, zip_uint64_t(index), 0), zip_fclose);
  if (!file) throw std::runtime_error("cannot open '" + name + "' in the archive: " + zip_strerror(handle_->archive));
  // Read no more than the directory promises: a lying entry cannot inflate past the limits.
  std::string data(stat.size + 1, '\0');
  zip_int64_t got = 0;
  while (uint64_t(got) < data.size()) {
    const zip_int64_t n = zip_fread(file.get(), data.data() + got, data.size() - uint64_t(got));
    if (n < 0) throw std::runtime_error("'" + name + "' in the archive is corrupt: " + zip_file_strerror(file.get()));
    if (n == 0) break;
    got += n;
  }
  if (uint64_t(got) != stat.size) throw std::runtime_error("'" + name + "' in the archive is corrupt or truncated");
  data.resize(stat.size);
  read_total_ += stat.size;
  return data;
}

void ZipArchive::replace(const std::string& name, std::string contents) {
  const zip_int64_t index = zip_name_locate(handle_->archive, name.c_str(), 0);
  if (index < 0) throw std::runtime_error("the archive has no '" + name + "'");
  replacements_.push_back(std::make_unique<std::string>(std::move(contents)));
  const auto& kept = *replacements_.back();
  zip_source_t* source = zip_source_buffer(handle_->archive, kept.data(), kept.size(), 0);
  if (!source || zip_file_replace(handle_->archive, zip_uint64_t(index), source, 0) != 0) {
    if (source) zip_source_free(source);
    throw std::runtime_error("cannot replace '" + name + "': " + zip_strerror(handle_->archive));
  }
}

std::string ZipArchive::bytes() {
  if (zip_close(handle_->archive) != 0) throw std::runtime_error(std::string("cannot write the archive: ") + zip_strerror(handle_->archive));
  handle_->archive = nullptr;
  zip_stat_t stat;
  if (zip_source_stat(handle_->source, &stat) != 0 || zip_source_open(handle_->source) != 0)
    throw std::runtime_error("cannot read the rewritten archive back");
  std::string out(stat.size, '\0');
  const zip_int64_t n = zip_source_read(handle_->source, out.data(), out.size());
  zip_source_close(handle_->source);
  if (n < 0 || uint64_t(n) != out.size()) throw std::runtime_error("cannot read the rewritten archive back");
  replacements_.clear();
  return out;
}

}  // namespace mt::doc
