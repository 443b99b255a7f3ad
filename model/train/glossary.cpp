#include "model/train/glossary.h"

#include <unordered_map>

namespace mt {

namespace {
int64_t word_count(const std::string& text) {
  int64_t words = 0;
  bool in_word = false;
  for (char ch : text) {
    const bool space = ch == ' ';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}
}  // namespace

std::vector<SentencePair> read_glossary(const std::string& path, const GlossaryOptions& options,
                                        GlossaryStats* stats) {
  GlossaryStats s;
  std::vector<SentencePair> short_entries;
  for (auto& p : read_parallel(path)) {
    ++s.read;
    if (word_count(p.en) > options.max_words) ++s.too_long;
    else short_entries.push_back(std::move(p));
  }
  std::unordered_map<std::string, int64_t> renderings, glosses;  // senses per gloss, per word
  for (const auto& p : short_entries) ++renderings[p.en], ++glosses[p.zh];
  std::vector<SentencePair> kept;
  for (auto& p : short_entries) {
    if (renderings[p.en] > options.max_senses || glosses[p.zh] > options.max_senses) ++s.ambiguous;
    else kept.push_back(std::move(p));
  }
  s.kept = int64_t(kept.size());
  if (stats) *stats = s;
  return kept;
}

}  // namespace mt
