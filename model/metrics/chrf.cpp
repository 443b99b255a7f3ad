// chrF2 as sacreBLEU 2.6.0 computes it (metrics/chrf.py, metrics/helpers.py): character n-grams of
// order 1..6 over the text with all whitespace removed, statistics summed over the corpus, then one
// F-beta score from the precision and recall averaged over the orders that have n-grams on both sides.
#include "model/metrics/chrf.h"

#include "tokenizer/utf8.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace mt {
namespace {

constexpr int kCharOrder = 6;
constexpr double kBeta = 2.0;

// Code points of a UTF-8 string without whitespace (n-grams are counted in code points, like Python).
std::u32string decode_without_space(const std::string& s) {
  std::u32string out;
  for (char32_t cp : utf8::decode(s))
    if (!utf8::is_python_space(cp)) out.push_back(cp);
  return out;
}

using Counts = std::unordered_map<std::u32string_view, int>;

Counts char_ngrams(const std::u32string& s, int n) {
  Counts counts;
  for (size_t i = 0; i + n <= s.size(); ++i) ++counts[std::u32string_view(s).substr(i, n)];
  return counts;
}

// CHRF._compute_f_score without eps smoothing. stats holds [hyp, ref, match] per order.
double f_score(const long (&stats)[kCharOrder][3]) {
  const double factor = kBeta * kBeta;
  double avg_prec = 0, avg_rec = 0;
  int effective_order = 0;
  for (const auto& s : stats) {
    if (s[0] > 0 && s[1] > 0) {  // orders with no n-grams on one side are left out of the average
      avg_prec += double(s[2]) / s[0];
      avg_rec += double(s[2]) / s[1];
      ++effective_order;
    }
  }
  if (effective_order == 0) return 0.0;
  avg_prec /= effective_order;
  avg_rec /= effective_order;
  if (avg_prec + avg_rec == 0) return 0.0;
  return 100 * (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec);
}

}  // namespace

ChrfScore corpus_chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs) {
  if (hyps.size() != refs.size())
    throw std::invalid_argument("corpus_chrf: hypotheses and references differ in length");
  long stats[kCharOrder][3] = {};
  for (size_t i = 0; i < hyps.size(); ++i) {
    std::u32string h = decode_without_space(hyps[i]), r = decode_without_space(refs[i]);
    for (int n = 1; n <= kCharOrder; ++n) {
      Counts hc = char_ngrams(h, n), rc = char_ngrams(r, n);
      long hyp_count = 0, ref_count = r.size() >= size_t(n) ? r.size() - n + 1 : 0, match_count = 0;
      for (const auto& [ng, c] : hc) {
        hyp_count += c;
        auto it = rc.find(ng);
        if (it != rc.end()) match_count += std::min(c, it->second);
      }
      // CHRF._get_match_statistics: "hyp_count if ref_ngrams else 0" -- when the reference is too
      // short to have n-grams of this order, the hypothesis ones are not counted either. This matters
      // for short Chinese references.
      stats[n - 1][0] += ref_count > 0 ? hyp_count : 0;
      stats[n - 1][1] += ref_count;
      stats[n - 1][2] += match_count;
    }
  }
  ChrfScore out;
  out.score = f_score(stats);
  out.signature = "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0";
  return out;
}

}  // namespace mt
