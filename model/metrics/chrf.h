// chrF (beta 2, character order 6, word order 0) as sacreBLEU 2.x computes it.
#pragma once
#include <string>
#include <vector>

namespace mt {

struct ChrfScore {
  double score = 0;       // 0..100
  std::string signature;  // nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0
};

ChrfScore corpus_chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs);

}  // namespace mt
