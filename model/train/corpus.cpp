#include "model/train/corpus.h"

#include <filesystem>
#include <stdexcept>

#include <zlib.h>

#include "model/train/markup.h"
#include "tokenizer/normalizer.h"

namespace mt {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One text file, plain or gzip-compressed (zlib reads both), line by line.
class LineFile {
 public:
  explicit LineFile(std::string path) : path_(std::move(path)), file_(gzopen(path_.c_str(), "rb")) {
    if (!file_) throw std::runtime_error("cannot read training data '" + path_ + "'");
    gzbuffer(file_, 1 << 16);
  }
  ~LineFile() { gzclose(file_); }
  LineFile(const LineFile&) = delete;

  // The next line without its '\n' (and a '\r' before it); false at the end.
  bool next(std::string& line) {
    line.clear();
    char buffer[8192];
    while (gzgets(file_, buffer, sizeof buffer)) {
      line += buffer;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        if (!line.empty() && line.back() == '\r') line.pop_back();
        ++number_;
        return true;
      }
    }
    int code = 0;
    const char* message = gzerror(file_, &code);
    if (code != Z_OK && code != Z_STREAM_END)
      throw std::runtime_error("'" + path_ + "' is damaged: " + message);
    if (line.empty()) return false;
    ++number_;  // a last line without '\n'
    return true;
  }
  const std::string& path() const { return path_; }
  int64_t number() const { return number_; }

 private:
  std::string path_;
  gzFile file_;
  int64_t number_ = 0;
};

// PREFIX.en, or PREFIX.en.gz when only that exists.
std::string side(const std::string& prefix, const char* lang) {
  const std::string plain = prefix + "." + lang;
  if (!std::filesystem::exists(plain) && std::filesystem::exists(plain + ".gz")) return plain + ".gz";
  return plain;
}

}  // namespace

Direction parse_direction(const std::string& name) {
  if (name == "both") return Direction::both;
  if (name == "en-zh") return Direction::en_zh;
  if (name == "zh-en") return Direction::zh_en;
  throw std::runtime_error("direction '" + name + "': expected both, en-zh or zh-en");
}

std::string to_string(Direction direction) {
  switch (direction) {
    case Direction::en_zh: return "en-zh";
    case Direction::zh_en: return "zh-en";
    default: return "both";
  }
}

std::string DataSource::name() const {
  std::string name = std::filesystem::path(path).filename().string();
  for (const char* suffix : {".gz", ".tsv"})
    if (ends_with(name, suffix)) name.resize(name.size() - std::char_traits<char>::length(suffix));
  return name;
}

struct PairReader::Files {
  std::unique_ptr<LineFile> tsv, en, zh;
  std::string line, other;
};

PairReader::PairReader(const std::string& path) : files_(std::make_unique<Files>()) {
  if (ends_with(path, ".tsv") || ends_with(path, ".tsv.gz")) {
    files_->tsv = std::make_unique<LineFile>(path);
  } else {
    files_->en = std::make_unique<LineFile>(side(path, "en"));
    files_->zh = std::make_unique<LineFile>(side(path, "zh"));
  }
}
PairReader::~PairReader() = default;
PairReader::PairReader(PairReader&&) noexcept = default;

bool PairReader::next(SentencePair& pair) {
  Files& f = *files_;
  if (f.tsv) {
    if (!f.tsv->next(f.line)) return false;
    const auto tab = f.line.find('\t');
    if (tab == std::string::npos)
      throw std::runtime_error(f.tsv->path() + ":" + std::to_string(f.tsv->number()) + ": expected english<TAB>chinese");
    const auto end = f.line.find('\t', tab + 1);  // extra columns (attribution) are ignored
    pair.en.assign(f.line, 0, tab);
    pair.zh.assign(f.line, tab + 1, end == std::string::npos ? std::string::npos : end - tab - 1);
    return true;
  }
  const bool a = f.en->next(pair.en), b = f.zh->next(pair.zh);
  if (a != b) throw std::runtime_error(f.en->path() + " and " + f.zh->path() + " have different line counts");
  return a;
}

void for_each_pair(const DataSource& source, const std::function<void(SentencePair&)>& visit) {
  PairReader reader(source.path);
  SentencePair pair;
  while (reader.next(pair)) {
    if (source.strip_markup) {
      pair.en = strip_rest_markup(pair.en);
      pair.zh = strip_rest_markup(pair.zh);
    }
    if (source.zh_spaces_to_commas) pair.zh = spaces_to_commas(pair.zh);
    visit(pair);
  }
}

std::vector<SentencePair> read_parallel(const std::string& path) {
  std::vector<SentencePair> pairs;
  for_each_pair({path}, [&](SentencePair& p) { pairs.push_back(std::move(p)); });
  return pairs;
}

}  // namespace mt
