// Validation: every dev set's loss and its BLEU/chrF in both directions with the real search, the
// one score that validation and the final pick maximise, and the metrics.tsv row of each validation.
#pragma once
#include <string>
#include <vector>

#include "model/network/transformer.h"
#include "model/search/search.h"
#include "model/train/training_data.h"
#include "tokenizer/tokenizer.h"

namespace mt {

struct DevSet {
  std::string name;                // "newstest2017"
  std::vector<SentencePair> pairs;
  ExampleSet examples;             // for the dev loss (pairs too long to train on left out)
};

DevSet load_dev_set(const std::string& path, const Tokenizer& tokenizer, const CleaningOptions& cleaning);

struct DevScores {
  std::string set;
  double bleu_en_zh = 0, chrf_en_zh = 0, bleu_zh_en = 0, chrf_zh_en = 0;
};

// Mean NLL per target token of the set, teacher-forced.
double dev_loss(Transformer& network, const DevSet& set, int64_t batch_tokens, const std::string& precision,
                const c10::Device& device);
// Translates the first `sentences` pairs of each set both ways and scores them as `mt eval` does.
std::vector<DevScores> dev_scores(Transformer& network, const Tokenizer& tokenizer, const std::vector<DevSet>& sets,
                                  size_t sentences, const SearchOptions& search);

// The harmonic mean of the BLEU of every set in both directions. Unlike the arithmetic mean it
// falls with the worst of them, so a gain on one domain cannot hide a collapse of another.
double combined_score(const std::vector<DevScores>& scores);

// metrics.tsv: one row per validation, a group of columns per dev set.
class MetricsLog {
 public:
  MetricsLog(std::string path, const std::vector<DevSet>& sets);  // writes the header if the file is new
  void write(int64_t step, int64_t epoch, double train_nll, const std::vector<double>& dev_losses,
             const std::vector<DevScores>& scores, double score, double elapsed) const;

 private:
  std::string path_;
};

}  // namespace mt
