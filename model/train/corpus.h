// Parallel data for training: read (TSV or line-aligned file pairs), normalise, clean, and turn
// every pair into two examples (en->zh and zh->en) through the target-language tags.
#pragma once
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace mt {

struct SentencePair {
  std::string en, zh;
};

// "file.tsv" (english<TAB>chinese) or "prefix" with prefix.en / prefix.zh line-aligned.
std::vector<SentencePair> read_parallel(const std::string& path);

struct Example {
  std::vector<int32_t> src;  // target tag, tokens, EOS
  std::vector<int32_t> tgt;  // tokens, EOS
};

struct CleaningOptions {
  int64_t max_tokens = 100;  // per side, after tokenisation
  double max_ratio = 3.0;    // token-length ratio between the sides (both at least 1)
  bool dedupe = true;
};

struct CleaningStats {
  int64_t read = 0, empty = 0, too_long = 0, bad_ratio = 0, duplicates = 0, kept = 0;
  std::string summary() const;
};

// Both directions of every pair that survives cleaning.
std::vector<Example> make_examples(const std::vector<SentencePair>& pairs, const Tokenizer& tokenizer,
                                   const CleaningOptions& options, CleaningStats* stats);

}  // namespace mt
