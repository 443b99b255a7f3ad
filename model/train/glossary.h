// Dictionary entries (english_gloss<TAB>chinese, e.g. the CC-CEDICT glossary) as extra training
// pairs: the sentence corpus is small, and rare words ("first-aid kit" -> 急救箱) are what the
// model gets wrong. Long glosses and words with many renderings are left out: they teach noise
// rather than a translation.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/train/corpus.h"

namespace mt {

struct GlossaryOptions {
  int64_t max_words = 3;   // English glosses of at most this many words
  int64_t max_senses = 3;  // drop a gloss with more Chinese renderings than this (and vice versa)
};

struct GlossaryStats {
  int64_t read = 0, too_long = 0, ambiguous = 0, kept = 0;
};

std::vector<SentencePair> read_glossary(const std::string& path, const GlossaryOptions& options, GlossaryStats* stats);

}  // namespace mt
