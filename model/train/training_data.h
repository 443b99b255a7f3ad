// The training examples: every source of the config read once, cleaned, tokenized and kept as
// token ids in one flat buffer (no text, each pair's ids once for both directions), with a
// per-source report and the per-epoch sample that the sources' weights ask for.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "model/train/corpus.h"
#include "tokenizer/tokenizer.h"

namespace mt {

struct CleaningOptions {
  int64_t max_tokens = 100;  // per side, after tokenisation
  double max_ratio = 3.0;    // token-length ratio between the sides (both at least 1)
  bool dedupe = true;        // across all sources: a pair seen before is dropped
};

struct CleaningStats {
  int64_t read = 0, empty = 0, too_long = 0, bad_ratio = 0, duplicates = 0, kept = 0;
  std::string summary() const;
};

// Pairs as token ids. Example 2p is pair p from English to Chinese, 2p + 1 the other way; a
// source is `<2zh|2en> [source tag] tokens EOS` and a target `tokens EOS`.
class ExampleSet {
 public:
  // Cleans and adds a pair; false (and the reason counted) when it is dropped. `source_tag`, a
  // control token id, follows the direction tag of both its examples' sources (-1: none).
  bool add(const SentencePair& pair, const Tokenizer& tokenizer, const CleaningOptions& options, CleaningStats& stats,
           int32_t source_tag = -1);

  int64_t size() const { return int64_t(starts_.size()); }  // two starts, two examples a pair
  int64_t source_length(int64_t example) const {
    return side_length(example, false) + 2 + (tags_[size_t(example / 2)] >= 0 ? 1 : 0);
  }
  int64_t target_length(int64_t example) const { return side_length(example, true) + 1; }
  // The example's source or target ids, tag and EOS included, written from `out`.
  void write_source(int64_t example, int64_t* out) const;
  void write_target(int64_t example, int64_t* out) const;

 private:
  size_t slot(int64_t example, bool target) const;  // index into starts_
  int64_t side_length(int64_t example, bool target) const;
  const int32_t* side(int64_t example, bool target) const;

  std::vector<int32_t> ids_;      // every pair's English ids, then its Chinese ids
  std::vector<uint64_t> starts_;  // 2p: where pair p's English starts, 2p + 1: its Chinese
  std::vector<int32_t> tags_;     // pair p's source tag, -1 for none
  std::unordered_set<uint64_t> seen_;  // hashes of the kept pairs' ids, for dedupe
};

// Both directions of every source of the config.
class TrainingData {
 public:
  struct SourceReport {
    std::string name;
    double weight = 1;
    Direction direction = Direction::both;
    CleaningStats stats;
    // The examples this source trains: first_example + k * stride for k < examples (stride 2
    // when it trains one direction only).
    int64_t first_example = 0, examples = 0, stride = 1;
    int64_t example(int64_t k) const { return first_example + k * stride; }
    int64_t per_epoch() const;  // examples an epoch draws from it
  };

  TrainingData(const Tokenizer& tokenizer, CleaningOptions options) : tokenizer_(tokenizer), options_(options) {}
  // Streams a source in; its report is added.
  void add(const DataSource& source);
  // Pairs that come from elsewhere (the glossary) under a name of their own.
  void add(const std::string& name, const std::vector<SentencePair>& pairs, double weight = 1.0);
  // The source-tag ids in use, piece -> id ("<bt>" -> 6).
  const std::vector<std::pair<std::string, int32_t>>& tags() const { return tags_; }

  const ExampleSet& examples() const { return set_; }
  const std::vector<SourceReport>& reports() const { return reports_; }
  // This epoch's examples: each source's repeated floor(weight) times plus a random share of
  // the fraction left, drawn from (seed, epoch) so a resumed run draws the same.
  std::vector<int64_t> epoch_sample(uint64_t seed, int64_t epoch) const;
  // The per-source report as TSV (name, weight, read, kept, dropped by reason, per epoch).
  std::string report_tsv() const;

 private:
  SourceReport& begin(const std::string& name, double weight);
  void end(SourceReport& report, Direction direction);
  int32_t tag_id(const std::string& tag);
  const Tokenizer& tokenizer_;
  CleaningOptions options_;
  ExampleSet set_;
  std::vector<SourceReport> reports_;
  std::vector<std::pair<std::string, int32_t>> tags_;
};

// The control token a source tag is written as: "bt" -> "<bt>".
std::string tag_piece(const std::string& tag);

// Writes the sources' text, both sides one line each, for SentencePiece training: one epoch's
// draw by the sources' weights (a source of weight 2 twice, of weight 0.3 a random 30%), with the
// same markup stripping as the examples.
void write_tokenizer_corpus(const std::vector<DataSource>& sources, const std::string& path, uint64_t seed);

}  // namespace mt
