#include "app/document/inline_translation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "tokenizer/terminology.h"
#include "tokenizer/utf8.h"

namespace mt::doc {

namespace {

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view leading_space(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && is_ascii_space(s[n])) ++n;
  return s.substr(0, n);
}
std::string_view trailing_space(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && is_ascii_space(s[s.size() - 1 - n])) ++n;
  return s.substr(s.size() - n);
}
std::string trim(std::string_view s) {
  s.remove_prefix(leading_space(s).size());
  s.remove_suffix(trailing_space(s).size());
  return std::string(s);
}

std::u32string lower(std::u32string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
  return s;
}
using utf8::is_han;
bool is_boundary_char(char32_t c) { return c == ' ' || c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?'; }

// A fragment's translation as it may appear inside the sentence's: without the full stop and the
// capital letter a fragment translated alone gets.
std::u32string fragment_key(const std::string& translation) {
  std::u32string s = utf8::decode(trim(translation));
  while (!s.empty() && std::u32string_view(U".。!！?？,，;；:：").find(s.back()) != std::u32string_view::npos) s.pop_back();
  return lower(s);
}

std::string encode(const std::u32string& s, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) utf8::append(out, s[i]);
  return out;
}

// What one unit asks of the model.
struct Plan {
  bool translate = false;
  size_t first = 0, last = 0;  // the runs from the first to the last with words: the sentence
  std::string sentence;        // their plain text
  std::vector<size_t> start;   // per run first..last: where it starts in the sentence (code points)
  std::vector<size_t> length;  // and its length there
  std::map<size_t, size_t> fragment;  // text run -> piece of its own translation (with markup around)
  size_t piece = 0;                   // the sentence's piece
};

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// One placement: markup bytes at a position of the translation, or in place of a stretch of it.
struct Placement {
  size_t begin, end;
  std::string bytes;
  bool spaced;
};

// A heading, cell or label comes back as a sentence, with a full stop the source did not have.
std::u32string without_added_full_stop(std::u32string t, const std::string& source) {
  const std::u32string s = utf8::decode(source);
  const std::u32string_view ends = U".。!！?？…:：;；";
  const bool source_ends = !s.empty() && ends.find(s.back()) != std::u32string_view::npos;
  if (!source_ends && !t.empty() && (t.back() == U'。' || t.back() == '.')) t.pop_back();
  return t;
}

std::string project(const Unit& unit, const Plan& p, const std::string& translation,
                    const std::vector<std::string>& answers, const Escape& escape) {
  const std::u32string t = without_added_full_stop(utf8::decode(trim(translation)), p.sentence);
  const std::u32string t_lower = lower(t);
  const bool english = std::none_of(t.begin(), t.end(), is_han);
  const size_t total = code_points(p.sentence);

  // Where each run's own translation (or an inline code's text) first occurs in the sentence's.
  std::vector<std::pair<size_t, size_t>> found(unit.size(), {std::string::npos, 0});  // run -> [begin, end) in t
  std::vector<size_t> candidates;
  for (size_t i = p.first; i <= p.last; ++i) {
    std::u32string key;
    if (auto f = p.fragment.find(i); f != p.fragment.end()) key = fragment_key(answers[f->second]);
    else if (!unit[i].is_text) key = lower(utf8::decode(trim(unit[i].text)));  // inline code, verbatim
    if (key.empty()) continue;
    const size_t at = t_lower.find(key);
    if (at == std::u32string::npos) continue;
    size_t end = at + key.size();
    // The full stop fragment_key took off, when the sentence has it there too.
    const std::u32string run = utf8::decode(trim(unit[i].text));
    while (end < t.size() && !run.empty() && is_boundary_char(run.back()) && t[end] == run.back()) ++end;
    found[i] = {at, end};
    candidates.push_back(i);
  }
  // Keep the matches that follow the source order and cover the most text (the markup keeps its
  // order, so a run found out of order cannot anchor it).
  std::vector<size_t> best(candidates.size()), previous(candidates.size(), size_t(-1));
  size_t top = size_t(-1);
  for (size_t c = 0; c < candidates.size(); ++c) {
    const auto [at, end] = found[candidates[c]];
    best[c] = end - at;
    for (size_t d = 0; d < c; ++d)
      if (found[candidates[d]].second <= at && best[d] + (end - at) > best[c]) {
        best[c] = best[d] + (end - at);
        previous[c] = d;
      }
    if (top == size_t(-1) || best[c] > best[top]) top = c;
  }
  std::vector<bool> kept(unit.size(), false);
  for (size_t c = top; c != size_t(-1); c = previous[c]) kept[candidates[c]] = true;
  for (size_t i : candidates)
    if (!kept[i]) found[i] = {std::string::npos, 0};

  // Anchors: sentence position -> translation position, increasing in both.
  std::vector<std::pair<double, double>> anchors = {{0, 0}};
  for (size_t i = p.first; i <= p.last; ++i) {
    if (found[i].first == std::string::npos) continue;
    // The run without its surrounding spaces is what was found.
    const size_t k = i - p.first;
    const size_t lead = code_points(leading_space(unit[i].text)), trail = code_points(trailing_space(unit[i].text));
    anchors.push_back({double(p.start[k] + lead), double(found[i].first)});
    anchors.push_back({double(p.start[k] + std::max(p.length[k], lead + trail) - trail), double(found[i].second)});
  }
  anchors.push_back({double(total), double(t.size())});

  // Where sentence position x falls in the translation; `toward_start`: snap an English position to
  // the start of its word, else to its end, within [lo, hi].
  auto map_position = [&](size_t x, bool toward_start, size_t lo, size_t hi) {
    size_t a = 0;
    while (a + 1 < anchors.size() && anchors[a + 1].first <= double(x) && anchors[a + 1].second >= anchors[a].second) ++a;
    if (a + 1 == anchors.size()) return std::clamp(t.size(), lo, hi);
    const auto [x0, y0] = anchors[a];
    const auto [x1, y1] = anchors[a + 1];
    const double y = x1 > x0 ? y0 + (double(x) - x0) * (y1 - y0) / (x1 - x0) : y0;
    size_t pos = std::clamp(size_t(toward_start ? std::floor(y) : std::ceil(y)), lo, hi);
    auto inside_word = [&](size_t at) { return at > 0 && at < t.size() && !is_boundary_char(t[at - 1]) && !is_boundary_char(t[at]); };
    if (english && inside_word(pos)) {
      if (toward_start)
        while (pos > lo && inside_word(pos)) --pos;
      else
        while (pos < hi && inside_word(pos)) ++pos;
    }
    return pos;
  };

  std::vector<Placement> placements;
  size_t last = 0;
  for (size_t i = p.first; i < p.last; ++i) {
    if (unit[i].is_text) {
      if (found[i].first != std::string::npos) last = found[i].second;
      continue;
    }
    const size_t k = i - p.first;
    size_t begin, end;
    if (found[i].first != std::string::npos) {
      std::tie(begin, end) = found[i];  // inline code copied verbatim: replaced by its markup
    } else {
      // The next located run bounds this one from above.
      size_t hi = t.size();
      for (size_t j = i + 1; j <= p.last; ++j)
        if (found[j].first != std::string::npos) {
          hi = found[j].first;
          break;
        }
      // Markup opens the words after it or closes those before: the source's spaces tell
      // ("the **red** button"), else whether words follow.
      const std::string& before = unit[i - 1].text;
      const std::string& after = unit[i + 1].text;
      const bool space_before = !before.empty() && is_ascii_space(before.back());
      const bool space_after = !after.empty() && is_ascii_space(after.front());
      const bool opens = space_before != space_after ? space_before : unit[i + 1].is_text && has_words(after);
      hi = std::max(last, hi);
      begin = end = map_position(p.start[k], opens, last, hi);
      // Emphasis must touch its words: the space goes outside.
      if (opens)
        while (begin < hi && t[begin] == ' ') ++begin;
      else
        while (begin > last && t[begin - 1] == ' ') --begin;
      end = begin;
      // Words before this markup, since the last placement, keep at least a word or character
      // (an element never comes out empty where there is room).
      const bool words_before = i > p.first && unit[i - 1].is_text && has_words(unit[i - 1].text) &&
                                found[i - 1].first == std::string::npos;
      auto blank = [&](size_t from, size_t to) {
        for (size_t c = from; c < to && c < t.size(); ++c)
          if (t[c] != ' ') return false;
        return true;
      };
      if (words_before && !placements.empty() && blank(last, begin) && last < hi) {
        begin = last;
        while (begin < hi && t[begin] == ' ') ++begin;
        begin = std::min(hi, begin + 1);
        while (english && begin < hi && !is_boundary_char(t[begin])) ++begin;
        end = begin;
      }
    }
    placements.push_back({begin, end, unit[i].original, unit[i].spaced});
    last = end;
  }

  std::string out;
  size_t at = 0;
  auto is_space = [](char32_t c) { return c == ' ' || c == '\t'; };
  for (const auto& pl : placements) {
    out += escape(encode(t, at, pl.begin));
    if (pl.spaced && pl.begin > 0 && !is_space(t[pl.begin - 1])) out += ' ';
    // Two pieces of markup placed side by side must not fuse ("`a``b`" is one code span).
    const bool fuses = !out.empty() && !pl.bytes.empty() && out.back() == pl.bytes.front() &&
                       std::string_view("`*_~").find(pl.bytes.front()) != std::string_view::npos;
    if (fuses) out += ' ';
    out += pl.bytes;
    if (pl.spaced && pl.end < t.size() && !is_space(t[pl.end])) out += ' ';
    at = pl.end;
  }
  out += escape(encode(t, at, t.size()));
  return out;
}

// Markup, wordless text, markup ("`--version`, `--help`") is one piece of markup: the punctuation
// between stays where it was instead of being dropped from the sentence.
Unit merge_markup(const Unit& unit) {
  Unit out;
  for (size_t i = 0; i < unit.size(); ++i) {
    const Run& run = unit[i];
    const bool wordless_between = run.is_text && !has_words(run.text) && !trim(run.text).empty() && !out.empty() &&
                                  !out.back().is_text && i + 1 < unit.size() && !unit[i + 1].is_text;
    if ((wordless_between || (!run.is_text && !out.empty() && !out.back().is_text))) {
      out.back().original += run.original;
      out.back().text += run.text;
      out.back().spaced = out.back().spaced || run.spaced;
    } else {
      out.push_back(run);
    }
  }
  return out;
}

std::string originals(const Unit& unit, size_t begin, size_t end) {
  std::string s;
  for (size_t i = begin; i < end; ++i) s += unit[i].original;
  return s;
}

}  // namespace

std::string original_bytes(const Unit& unit) {
  std::string out;
  for (const auto& run : unit) out += run.original;
  return out;
}

std::string escape_xml_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

bool has_words(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    bool invalid = false;
    const char32_t c = utf8::next_code_point(text, &i, &invalid);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0x2AF && c != 0xD7 && c != 0xF7) ||
        (c >= 0x370 && c <= 0x52F) || (c >= 0x3400 && c <= 0x9FFF) || (c >= 0x3040 && c <= 0x30FF) ||
        (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x20000 && c <= 0x2FFFF))
      return true;
  }
  return false;
}

std::vector<std::string> translate_units(const std::vector<Unit>& units, const TranslateFn& translate,
                                         const Escape& escape) {
  // Identical pieces (menus, repeated cells, a word in bold twice) go to the model once.
  std::vector<std::string> pieces;
  std::map<std::string, size_t> index;
  auto ask = [&](const std::string& piece) {
    auto [it, added] = index.emplace(piece, pieces.size());
    if (added) pieces.push_back(piece);
    return it->second;
  };

  std::vector<Plan> plans(units.size());
  std::vector<Unit> merged(units.size());
  for (size_t u = 0; u < units.size(); ++u) {
    merged[u] = merge_markup(units[u]);
    const Unit& unit = merged[u];
    Plan& p = plans[u];
    for (size_t i = 0; i < unit.size(); ++i)
      if (unit[i].is_text && has_words(unit[i].text)) {
        if (!p.translate) p.first = i;
        p.last = i;
        p.translate = true;
      }
    if (!p.translate) continue;
    // Punctuation after the last words belongs to the sentence ("<b>crisis</b>." ends with its
    // full stop, and code before that is read too); markup after the last text stays outside.
    for (size_t i = p.last + 1; i < unit.size(); ++i)
      if (unit[i].is_text && unit[i].text.find_first_not_of(" \t\n\r\f") != std::string::npos) p.last = i;
    // The sentence: the runs' text (and what markup reads as), trimmed; where each run sits in it.
    // What the model is asked has the code in it marked verbatim: no glossary term is looked for there.
    std::string raw, marked;
    for (size_t i = p.first; i <= p.last; ++i) {
      p.start.push_back(code_points(raw));
      p.length.push_back(code_points(unit[i].text));
      raw += unit[i].text;
      marked += !unit[i].is_text && has_words(unit[i].text) ? mark_verbatim(unit[i].text) : unit[i].text;
      if (p.first < p.last && unit[i].is_text && has_words(unit[i].text)) p.fragment[i] = ask(trim(unit[i].text));
    }
    const size_t lead = code_points(leading_space(raw));
    for (auto& start : p.start) start = start > lead ? start - lead : 0;
    p.sentence = trim(raw);
    p.piece = ask(trim(marked));
  }

  auto answers = pieces.empty() ? std::vector<std::string>{} : translate(pieces);
  if (answers.size() != pieces.size()) throw std::runtime_error("the translator gave a wrong number of results");

  std::vector<std::string> out(units.size());
  for (size_t u = 0; u < units.size(); ++u) {
    const Unit& unit = merged[u];
    const Plan& p = plans[u];
    if (!p.translate) {
      out[u] = originals(unit, 0, unit.size());
      continue;
    }
    out[u] = originals(unit, 0, p.first) + std::string(leading_space(unit[p.first].original)) +
             project(unit, p, answers[p.piece], answers, escape) + std::string(trailing_space(unit[p.last].original)) +
             originals(unit, p.last + 1, unit.size());
  }
  return out;
}

}  // namespace mt::doc
