// Corpus BLEU and chrF exactly as sacreBLEU 2.x computes them.
#pragma once
#include <string>
#include <vector>

namespace mt {

struct BleuScore {
  double score = 0;                  // 0..100
  double precisions[4] = {0, 0, 0, 0};
  double brevity_penalty = 0;
  long sys_len = 0, ref_len = 0;
  std::string signature;             // nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0
};

// tokenize: "13a" (default for English), "zh" (for Chinese), or "none".
BleuScore corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                      const std::string& tokenize = "13a");

}  // namespace mt
