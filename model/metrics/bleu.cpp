// Corpus BLEU, a line-by-line port of sacreBLEU 2.6.0 (metrics/bleu.py, tokenizers/tokenizer_13a.py,
// tokenizer_zh.py, tokenizer_re.py). Text is processed as Unicode code points, as Python does.
#include "model/metrics/bleu.h"

#include "tokenizer/utf8.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace mt {
namespace {


// Python's str.split() with no argument.
std::vector<std::u32string> py_split(const std::u32string& s) {
  std::vector<std::u32string> tokens;
  std::u32string cur;
  for (char32_t c : s) {
    if (utf8::is_python_space(c)) {
      if (!cur.empty()) tokens.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) tokens.push_back(std::move(cur));
  return tokens;
}

std::u32string py_rstrip(std::u32string s) {
  while (!s.empty() && utf8::is_python_space(s.back())) s.pop_back();
  return s;
}

std::u32string py_strip(const std::u32string& s) {
  size_t b = 0;
  while (b < s.size() && utf8::is_python_space(s[b])) ++b;
  return py_rstrip(s.substr(b));
}

void replace_all(std::u32string& s, const std::u32string& from, const std::u32string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::u32string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

// ---- TokenizerRegexp: the mteval-v13a punctuation rules ----

bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_period_comma(char32_t c) { return c == '.' || c == ','; }

// [\{-\~\[-\` -\&\(-\+\:-\@\/]: ASCII symbols (and space) except ' - . , and digits/letters.
bool is_split_symbol(char32_t c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

// re.sub() of a two-character pattern (first matches `a`, second matches `b`): scans left to right and
// resumes after each match, so matches never overlap, exactly like Python's re.sub.
template <class A, class B>
std::u32string sub_pair(const std::u32string& s, A a, B b, bool space_before, bool space_between,
                        bool space_after) {
  std::u32string out;
  out.reserve(s.size() + 16);
  size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && a(s[i]) && b(s[i + 1])) {
      if (space_before) out += U' ';
      out += s[i];
      if (space_between) out += U' ';
      out += s[i + 1];
      if (space_after) out += U' ';
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::vector<std::u32string> regexp_tokenize(const std::u32string& line) {
  std::u32string s;
  s.reserve(line.size() * 2);
  for (char32_t c : line) {  // ([\{-\~...]) -> ' \1 '
    if (is_split_symbol(c)) {
      s += U' ';
      s += c;
      s += U' ';
    } else {
      s += c;
    }
  }
  auto not_digit = [](char32_t c) { return !is_digit(c); };
  auto is_dash = [](char32_t c) { return c == '-'; };
  s = sub_pair(s, not_digit, is_period_comma, false, true, true);  // ([^0-9])([\.,]) -> '\1 \2 '
  s = sub_pair(s, is_period_comma, not_digit, true, true, false);  // ([\.,])([^0-9]) -> ' \1 \2'
  s = sub_pair(s, is_digit, is_dash, false, true, true);           // ([0-9])(-)      -> '\1 \2 '
  return py_split(s);
}

// Tokenizer13a: unescape a few XML entities, pad with spaces, apply the regexp rules.
std::vector<std::u32string> tokenize_13a(std::u32string line) {
  replace_all(line, U"<skipped>", U"");
  replace_all(line, U"-\n", U"");
  replace_all(line, U"\n", U" ");
  if (line.find(U'&') != std::u32string::npos) {
    replace_all(line, U"&quot;", U"\"");
    replace_all(line, U"&amp;", U"&");
    replace_all(line, U"&lt;", U"<");
    replace_all(line, U"&gt;", U">");
  }
  return regexp_tokenize(U" " + line + U" ");
}

// TokenizerZh's _is_chinese_char. sacreBLEU writes two ranges as '\u20000'..'\u2a6d6' and
// '\u2f800'..'\u2fa1d', which Python reads as two-character strings ('\u2000' '0' etc.); its string
// comparison then accepts the single characters U+2001..U+2A6D and U+2F81..U+2FA1. That covers
// general punctuation such as curly quotes and dashes, so we reproduce it rather than the intent.
bool is_chinese_char(char32_t c) {
  static const char32_t ranges[][2] = {
      {0x3400, 0x4DB5}, {0x4E00, 0x9FA5}, {0x9FA6, 0x9FBB}, {0xF900, 0xFA2D}, {0xFA30, 0xFA6A},
      {0xFA70, 0xFAD9}, {0x2001, 0x2A6D}, {0x2F81, 0x2FA1}, {0xFF00, 0xFFEF}, {0x2E80, 0x2EFF},
      {0x3000, 0x303F}, {0x31C0, 0x31EF}, {0x2F00, 0x2FDF}, {0x2FF0, 0x2FFF}, {0x3100, 0x312F},
      {0x31A0, 0x31BF}, {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, {0x2600, 0x26FF}, {0x2700, 0x27BF},
      {0x3200, 0x32FF}, {0x3300, 0x33FF}};
  for (const auto& r : ranges)
    if (c >= r[0] && c <= r[1]) return true;
  return false;
}

// TokenizerZh: every "Chinese" character becomes its own token, the rest goes through the regexp rules
// (no padding and no entity unescaping, unlike 13a).
std::vector<std::u32string> tokenize_zh(const std::u32string& line) {
  std::u32string s;
  for (char32_t c : py_strip(line)) {
    if (is_chinese_char(c)) {
      s += U' ';
      s += c;
      s += U' ';
    } else {
      s += c;
    }
  }
  return regexp_tokenize(s);
}

// BLEU._preprocess_segment: rstrip, then tokenize; the n-gram extraction then splits on whitespace.
std::vector<std::string> tokenize(const std::string& sent, const std::string& method) {
  std::u32string line = py_rstrip(utf8::decode(sent));
  std::vector<std::u32string> toks = method == "13a"  ? tokenize_13a(line)
                                     : method == "zh" ? tokenize_zh(line)
                                                      : py_split(line);
  std::vector<std::string> out;
  out.reserve(toks.size());
  for (const auto& t : toks) {
    std::string u;
    for (char32_t c : t) utf8::append(u, c);
    out.push_back(std::move(u));
  }
  return out;
}

// n-gram -> count for orders 1..4. Tokens never contain spaces, so a space-joined key is unambiguous.
std::unordered_map<std::string, int> count_ngrams(const std::vector<std::string>& toks, int n) {
  std::unordered_map<std::string, int> counts;
  for (size_t i = 0; i + n <= toks.size(); ++i) {
    std::string key = toks[i];
    for (int k = 1; k < n; ++k) key += ' ' + toks[i + k];
    ++counts[key];
  }
  return counts;
}

}  // namespace

BleuScore corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                      const std::string& tokenize_method) {
  if (tokenize_method != "13a" && tokenize_method != "zh" && tokenize_method != "none")
    throw std::invalid_argument("corpus_bleu: unknown tokenizer '" + tokenize_method + "'");
  if (hyps.size() != refs.size())
    throw std::invalid_argument("corpus_bleu: hypotheses and references differ in length");
  constexpr int kMaxOrder = 4;
  long correct[kMaxOrder] = {0, 0, 0, 0}, total[kMaxOrder] = {0, 0, 0, 0};

  BleuScore r;
  for (size_t i = 0; i < hyps.size(); ++i) {
    std::vector<std::string> h = tokenize(hyps[i], tokenize_method);
    std::vector<std::string> g = tokenize(refs[i], tokenize_method);
    r.sys_len += h.size();
    r.ref_len += g.size();  // single reference: the "closest" length is simply its length
    for (int n = 1; n <= kMaxOrder; ++n) {
      auto hc = count_ngrams(h, n), gc = count_ngrams(g, n);
      for (const auto& [ng, c] : hc) {
        total[n - 1] += c;
        auto it = gc.find(ng);
        if (it != gc.end()) correct[n - 1] += std::min(c, it->second);
      }
    }
  }

  // BLEU.compute_bleu with smooth_method="exp", effective_order=false.
  if (r.sys_len < r.ref_len)
    r.brevity_penalty = r.sys_len > 0 ? std::exp(1.0 - double(r.ref_len) / r.sys_len) : 0.0;
  else
    r.brevity_penalty = 1.0;
  r.signature = "nrefs:1|case:mixed|eff:no|tok:" + tokenize_method + "|smooth:exp|version:2.6.0";

  bool any_correct = false;
  for (long c : correct) any_correct |= c > 0;
  if (!any_correct) return r;  // sacreBLEU stops early: score 0, precisions 0

  double smooth_mteval = 1.0;
  for (int n = 1; n <= kMaxOrder; ++n) {
    if (total[n - 1] == 0) break;
    if (correct[n - 1] == 0) {  // "exp" smoothing: halve the pseudo-count at each empty order
      smooth_mteval *= 2;
      r.precisions[n - 1] = 100.0 / (smooth_mteval * total[n - 1]);
    } else {
      r.precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
    }
  }
  double log_sum = 0;
  for (double p : r.precisions) log_sum += p > 0 ? std::log(p) : -9999999999.0;  // sacreBLEU's my_log
  r.score = r.brevity_penalty * std::exp(log_sum / kMaxOrder);
  return r;
}

}  // namespace mt
