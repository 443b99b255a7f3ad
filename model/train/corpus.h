// Parallel text on disk: one source is a TSV file (english<TAB>chinese) or a PREFIX with
// PREFIX.en / PREFIX.zh line-aligned, any of them gzip-compressed (FILE.gz). Pairs are streamed,
// so a corpus of millions of lines is never held as text.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mt {

struct SentencePair {
  std::string en, zh;
};

// Which directions a source trains: back-translated pairs only the one whose target is real text.
enum class Direction { both, en_zh, zh_en };
Direction parse_direction(const std::string& name);  // "both", "en-zh" or "zh-en"; throws otherwise
std::string to_string(Direction direction);

// A training corpus as the config names it: where it is and how much of it an epoch sees.
struct DataSource {
  std::string path;
  // Examples an epoch draws, as a multiple of the pairs kept: 2 repeats every pair twice, 0.5
  // takes a different random half each epoch (Marian/fairseq/OpenNMT corpus weights).
  double weight = 1.0;
  // Strip reStructuredText leftovers (literal-block "::", escapes, **bold**, ``code``,
  // footnote marks): documentation sources converted from .po files keep some.
  bool strip_markup = false;
  // Subtitles separate Chinese clauses with a space ("对 我看见了"): write a full-width comma there.
  bool zh_spaces_to_commas = false;
  Direction direction = Direction::both;
  // A control token after the direction tag of every source sentence ("bt" -> <bt>): tagged
  // back-translation (Caswell et al. 2019) and style tags (Kobus et al. 2017). Translation never
  // adds one, so the model learns the untagged sources' style as its own.
  std::string tag{};

  std::string name() const;  // the file name without folders and extensions: "wmt-news"
};

// Reads a source pair by pair; throws std::runtime_error naming the file and line.
class PairReader {
 public:
  explicit PairReader(const std::string& path);
  ~PairReader();
  PairReader(PairReader&&) noexcept;
  bool next(SentencePair& pair);

 private:
  struct Files;
  std::unique_ptr<Files> files_;
};

// Calls `visit` with every pair of the source, markup stripped when the source asks for it.
void for_each_pair(const DataSource& source, const std::function<void(SentencePair&)>& visit);

// All pairs of a (small) source at once: dev sets, glossaries.
std::vector<SentencePair> read_parallel(const std::string& path);

}  // namespace mt
