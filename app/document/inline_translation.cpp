#include "app/document/inline_translation.h"

#include <algorithm>
#include <cctype>
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

// One placement: markup bytes at a position of the translation, or in place of a stretch of it.
struct Placement {
  size_t begin, end;
  std::string bytes;
  bool spaced;
  size_t run;
};

// An English position moved out of the word it falls inside: to the word's start (toward_start) or
// its end, within [lo, hi].
size_t out_of_word(const std::u32string& t, size_t at, bool toward_start, size_t lo, size_t hi) {
  auto inside = [&](size_t k) { return k > 0 && k < t.size() && !is_boundary_char(t[k - 1]) && !is_boundary_char(t[k]); };
  while (inside(at) && (toward_start ? at > lo : at < hi)) toward_start ? --at : ++at;
  return at;
}

// Emphasis must touch its words: markup that opens them goes after the spaces, markup that closes
// them before, within [lo, hi].
size_t touching_words(const std::u32string& t, size_t at, bool opens, size_t lo, size_t hi) {
  if (opens)
    while (at < hi && t[at] == ' ') ++at;
  else
    while (at > lo && t[at - 1] == ' ') --at;
  return at;
}

// A heading, cell or label comes back as a sentence, with a full stop the source did not have.
std::u32string without_added_full_stop(std::u32string t, const std::string& source) {
  const std::u32string s = utf8::decode(source);
  const std::u32string_view ends = U".。!！?？…:：;；";
  const bool source_ends = !s.empty() && ends.find(s.back()) != std::u32string_view::npos;
  if (!source_ends && !t.empty() && (t.back() == U'。' || t.back() == '.')) t.pop_back();
  return t;
}

// Per run from first to last: the stretch of the translation its words were aligned to ({npos, 0}
// where none). A translated word aligned to words of several runs goes to the shortest of them (the
// word in bold, not the sentence around it); where a run's words went to places apart, the place
// that holds the most of them is its stretch ("尽管 …，但" for "despite").
std::vector<std::pair<size_t, size_t>> aligned_stretches(const Plan& p, const std::u32string& t, const AlignFn& align) {
  const size_t runs = p.start.size();
  auto run_at = [&](size_t position) {
    for (size_t k = 0; k < runs; ++k)
      if (position >= p.start[k] && position < p.start[k] + p.length[k]) return k;
    return runs;
  };
  std::map<std::pair<size_t, size_t>, size_t> owner;  // translated word -> run
  for (const auto& link : align(p.sentence, encode(t, 0, t.size()))) {
    const size_t k = run_at(link.source_begin);
    if (k == runs || link.target_end > t.size()) continue;
    auto [it, added] = owner.emplace(std::pair{link.target_begin, link.target_end}, k);
    if (!added && p.length[k] < p.length[it->second]) it->second = k;
  }
  struct Place {
    size_t begin = std::string::npos, end = 0, held = 0;  // the place being grown, and the code points it holds
    size_t best_held = 0;
  };
  std::vector<Place> places(runs);
  std::vector<std::pair<size_t, size_t>> stretch(runs, {std::string::npos, 0});
  for (const auto& [word, k] : owner) {  // in the translation's order
    Place& place = places[k];
    if (place.begin == std::string::npos || word.first < place.end || has_words(encode(t, place.end, word.first)))
      place = {word.first, word.first, 0, place.best_held};
    place.end = std::max(place.end, word.second);
    place.held += word.second - word.first;
    if (place.held > place.best_held) {
      place.best_held = place.held;
      stretch[k] = {place.begin, place.end};
    }
  }
  // Quotes and brackets align to nothing: a stretch takes the partner of one it holds alone.
  for (auto& [begin, end] : stretch) {
    if (begin == std::string::npos) continue;
    for (const auto& [open, close] : {std::pair{U'「', U'」'}, {U'『', U'』'}, {U'“', U'”'}, {U'‘', U'’'}, {U'《', U'》'},
                                     {U'（', U'）'}, {U'(', U')'}, {U'[', U']'}}) {
      const long balance = std::count(t.begin() + long(begin), t.begin() + long(end), open) -
                           std::count(t.begin() + long(begin), t.begin() + long(end), close);
      if (balance < 0 && begin > 0 && t[begin - 1] == open) --begin;
      if (balance > 0 && end < t.size() && t[end] == close) ++end;
    }
  }
  return stretch;
}

// Markup opens the words after it or closes those before: an end tag closes; else the source's
// spaces tell ("the **red** button"), else the words it touches ("<b>today</b>,"), else whether
// words follow.
bool opens_words(const Unit& unit, size_t i) {
  if (unit[i].original.rfind("</", 0) == 0) return false;
  const std::string& before = unit[i - 1].text;
  const std::string& after = unit[i + 1].text;
  const bool space_before = !before.empty() && is_ascii_space(before.back());
  const bool space_after = !after.empty() && is_ascii_space(after.front());
  if (space_before != space_after) return space_before;
  const std::u32string b = utf8::decode(before), a = utf8::decode(after);
  const bool word_before = !b.empty() && has_words(encode(b, b.size() - 1, b.size()));
  const bool word_after = !a.empty() && has_words(encode(a, 0, 1));
  if (word_before != word_after) return word_after;
  return unit[i + 1].is_text && has_words(after);
}

// What placing markup needs to know of one unit's translation.
struct Projection {
  const Unit& unit;
  const Plan& p;
  std::u32string t;    // the translation, trimmed, without a full stop the source lacks
  bool english;        // t has no Han character: positions snap to word boundaries
  std::vector<std::pair<size_t, size_t>> found;  // run -> [begin, end) in t, {npos, 0} where unknown
};

// Markup placed between anchors: the runs found (inline code verbatim, text runs' own
// translations) that follow the source order and cover the most text; the rest of the markup by
// interpolating its relative position in the sentence between them.
std::vector<Placement> interpolated_placements(Projection& proj) {
  const Unit& unit = proj.unit;
  const Plan& p = proj.p;
  const std::u32string& t = proj.t;
  const bool english = proj.english;
  auto& found = proj.found;
  const size_t total = utf8::length(p.sentence);
  std::vector<size_t> candidates;
  for (size_t i = p.first; i <= p.last; ++i)
    if (found[i].first != std::string::npos) candidates.push_back(i);
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
    const size_t lead = utf8::length(leading_space(unit[i].text)), trail = utf8::length(trailing_space(unit[i].text));
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
    const size_t pos = std::clamp(size_t(toward_start ? std::floor(y) : std::ceil(y)), lo, hi);
    return english ? out_of_word(t, pos, toward_start, lo, hi) : pos;
  };

  std::vector<Placement> placements;
  size_t last = 0;
  for (size_t i = p.first; i < p.last; ++i) {
    if (unit[i].is_text) {
      if (found[i].first != std::string::npos) last = found[i].second;
      continue;
    }
    if (unit[i].prose && found[i].first == std::string::npos) continue;  // left as the model wrote it
    const size_t k = i - p.first;
    size_t begin, end;
    if (found[i].first != std::string::npos) {
      std::tie(begin, end) = found[i];  // inline code copied verbatim: replaced by its markup
    } else {
      // The next located run bounds this one from above.
      size_t hi = t.size();
      for (size_t r = i + 1; r <= p.last; ++r)
        if (found[r].first != std::string::npos) {
          hi = found[r].first;
          break;
        }
      const bool opens = opens_words(unit, i);
      hi = std::max(last, hi);
      begin = end = touching_words(t, map_position(p.start[k], opens, last, hi), opens, last, hi);
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
    placements.push_back({begin, end, unit[i].original, unit[i].spaced, i});
    last = end;
  }

  return placements;
}

// Markup placed by alignment: markup that opens words goes before the translation of the run after
// it, markup that closes them after the translation of the run before it, inline code in place of
// where it was found. The most of these that keep the markup's order are kept; the rest of the
// markup goes between them in proportion to its place in the sentence.
std::vector<Placement> aligned_placements(Projection& proj, const std::vector<std::pair<size_t, size_t>>& aligned) {
  const Unit& unit = proj.unit;
  const Plan& p = proj.p;
  const std::u32string& t = proj.t;
  struct Want {
    size_t run, begin, end;  // end > begin: inline code replacing t[begin, end)
    bool opens, known;
  };
  std::vector<Want> wants;
  for (size_t i = p.first + 1; i < p.last; ++i) {
    if (unit[i].is_text) continue;
    Want w{i, 0, 0, opens_words(unit, i), false};
    const auto& stretch = aligned[(w.opens ? i + 1 : i - 1) - p.first];
    if (proj.found[i].first != std::string::npos) {
      std::tie(w.begin, w.end) = proj.found[i];
      w.known = true;
    } else if (stretch.first != std::string::npos && !unit[i].prose) {
      w.begin = w.end = w.opens ? stretch.first : stretch.second;
      w.known = true;
    }
    wants.push_back(w);
  }
  // The longest run of known wants in order (each starts where the one before ends, or later).
  std::vector<size_t> length(wants.size(), 0), previous(wants.size(), size_t(-1));
  size_t top = size_t(-1);
  for (size_t c = 0; c < wants.size(); ++c) {
    if (!wants[c].known) continue;
    length[c] = 1;
    for (size_t d = 0; d < c; ++d)
      if (wants[d].known && wants[d].end <= wants[c].begin && length[d] + 1 > length[c]) {
        length[c] = length[d] + 1;
        previous[c] = d;
      }
    if (top == size_t(-1) || length[c] > length[top]) top = c;
  }
  std::vector<bool> kept(wants.size(), false);
  for (size_t c = top; c != size_t(-1); c = previous[c]) kept[c] = true;

  // The others, between the kept ones around them: source position -> translation position.
  const double total = double(utf8::length(p.sentence));
  std::vector<Placement> placements;
  double last_x = 0;  // where the last placed markup stands in the sentence
  for (size_t c = 0; c < wants.size(); ++c) {
    const Want& w = wants[c];
    const Run& run = unit[w.run];
    const double x = double(p.start[w.run - p.first]);
    if (kept[c]) {
      placements.push_back({w.begin, w.end, run.original, run.spaced, w.run});
      last_x = x;
      continue;
    }
    if (run.prose) continue;  // left as the model wrote it
    double x0 = 0, y0 = 0, x1 = total, y1 = double(t.size());
    if (!placements.empty()) y0 = double(placements.back().end), x0 = last_x;
    for (size_t d = c + 1; d < wants.size(); ++d)
      if (kept[d]) {
        x1 = double(p.start[wants[d].run - p.first]);
        y1 = double(wants[d].begin);
        break;
      }
    const size_t lo = size_t(y0), hi = std::max(lo, size_t(y1));
    size_t at = std::clamp(size_t(std::lround(x1 > x0 ? y0 + (x - x0) * (y1 - y0) / (x1 - x0) : y0)), lo, hi);
    if (proj.english) at = out_of_word(t, at, w.opens, lo, hi);
    at = touching_words(t, at, w.opens, lo, hi);
    placements.push_back({at, at, run.original, run.spaced, w.run});
    last_x = x;
  }
  return placements;
}

std::string project(const Unit& unit, const Plan& p, const std::string& translation,
                    const std::vector<std::string>& answers, const Escape& escape, const AlignFn& align) {
  Projection proj{unit, p, without_added_full_stop(utf8::decode(trim(translation)), p.sentence), false,
               std::vector<std::pair<size_t, size_t>>(unit.size(), {std::string::npos, 0})};
  const std::u32string& t = proj.t;
  proj.english = std::none_of(t.begin(), t.end(), is_han);
  const std::u32string t_lower = lower(t);
  const auto aligned = align ? aligned_stretches(p, t, align) : std::vector<std::pair<size_t, size_t>>{};

  // Where inline code occurs verbatim in the translation, and without an aligner, where each text
  // run's own translation occurs.
  for (size_t i = p.first; i <= p.last; ++i) {
    const size_t k = i - p.first;
    std::u32string key;
    if (!unit[i].is_text) key = lower(utf8::decode(trim(unit[i].text)));  // inline code, verbatim
    else if (auto f = p.fragment.find(i); f != p.fragment.end()) key = fragment_key(answers[f->second]);
    // The first occurrence no other code has taken (the same code twice is found twice).
    size_t at = key.empty() ? std::u32string::npos : t_lower.find(key);
    auto taken = [&](size_t begin) {
      for (size_t r = p.first; r < i; ++r)
        if (!unit[r].is_text && proj.found[r].first < begin + key.size() && begin < proj.found[r].second) return true;
      return false;
    };
    while (!unit[i].is_text && at != std::u32string::npos && taken(at)) at = t_lower.find(key, at + 1);
    if (at != std::u32string::npos) {
      size_t end = at + key.size();
      // The full stop fragment_key took off, when the sentence has it there too.
      const std::u32string run = utf8::decode(trim(unit[i].text));
      while (end < t.size() && !run.empty() && is_boundary_char(run.back()) && t[end] == run.back()) ++end;
      proj.found[i] = {at, end};
    } else if (align && !unit[i].is_text && has_words(unit[i].text) && aligned[k].first != std::string::npos) {
      // Code the model changed is replaced by its markup where it was aligned, if that is no prose.
      const auto [begin, end] = aligned[k];
      if (std::none_of(t.begin() + long(begin), t.begin() + long(end), is_han)) proj.found[i] = aligned[k];
    }
  }
  const auto located = proj.found;
  const std::vector<Placement> placements = align ? aligned_placements(proj, aligned) : interpolated_placements(proj);

  // Code found where its markup cannot go (out of order) goes with its markup: its text is taken
  // out of the translation there, so it is never written twice.
  auto is_space = [](char32_t c) { return c == ' ' || c == '\t'; };
  std::vector<bool> dropped(t.size(), false);
  for (const auto& pl : placements) {
    auto [begin, end] = located[pl.run];
    if (unit[pl.run].is_text || begin == std::string::npos || pl.end > pl.begin) continue;
    if (begin > 0 && is_space(t[begin - 1]) && (end == t.size() || is_space(t[end]))) --begin;
    std::fill(dropped.begin() + long(begin), dropped.begin() + long(end), true);
  }
  auto text = [&](size_t from, size_t to) {
    std::u32string kept;
    for (size_t c = from; c < to; ++c)
      if (!dropped[c]) kept += t[c];
    return escape(encode(kept, 0, kept.size()));
  };

  std::string out;
  size_t at = 0;
  for (const auto& pl : placements) {
    out += text(at, pl.begin);
    if (pl.spaced && pl.begin > 0 && !is_space(t[pl.begin - 1])) out += ' ';
    // Two pieces of markup placed side by side must not fuse ("`a``b`" is one code span).
    const bool fuses = !out.empty() && !pl.bytes.empty() && out.back() == pl.bytes.front() &&
                       std::string_view("`*_~").find(pl.bytes.front()) != std::string_view::npos;
    if (fuses) out += ' ';
    out += pl.bytes;
    if (pl.spaced && pl.end < t.size() && !is_space(t[pl.end])) out += ' ';
    at = pl.end;
  }
  out += text(at, t.size());
  return out;
}

// Whether a word of prose is code the model must not touch: an identifier (snake_case, camelCase,
// a::b, f(), os.path.join), a URL or a path.
bool is_code_like(std::string_view word) {
  auto has = [&](std::string_view what) { return word.find(what) != std::string_view::npos; };
  if (word.rfind("http://", 0) == 0 || word.rfind("https://", 0) == 0 || word.rfind("www.", 0) == 0) return true;
  if (has("::") || has("->") || has("()")) return true;
  // A path: from a root or a folder, or to a file with an extension ("docs/index.html"; not "and/or").
  const size_t slash = word.rfind('/');
  if (slash != std::string_view::npos && word.size() > 2 &&
      (word[0] == '/' || word.rfind("./", 0) == 0 || word.rfind("../", 0) == 0 || word.rfind("~/", 0) == 0 ||
       word.find('.', slash) != std::string_view::npos))
    return true;
  auto lower = [&](size_t i) { return std::islower(static_cast<unsigned char>(word[i])) != 0; };
  auto upper = [&](size_t i) { return std::isupper(static_cast<unsigned char>(word[i])) != 0; };
  bool letters = false, dots = false;
  size_t humps = 0;  // lower-case letters followed by a capital: getElementById 3, McCord 1
  for (size_t i = 0; i < word.size(); ++i) {
    letters = letters || std::isalpha(static_cast<unsigned char>(word[i]));
    humps += i > 0 && lower(i - 1) && upper(i);
    dots = dots || (word[i] == '.' && i > 1 && i + 2 < word.size() && lower(i - 2) && lower(i - 1) && lower(i + 1) && lower(i + 2));
  }
  // camelCase from a small letter (getElementById); names (McCord, DiCaprio, MacDonald) have one hump.
  const bool camel = humps > 0 && (lower(0) || humps >= 2);
  return letters && (has("_") || camel || dots);
}

// Code-like words of plain text runs (ffi_cif, getElementById, https://…) become inline code: they
// reach the model marked verbatim and come back byte for byte. Runs with escapes or entities
// (their bytes differ from their text) are left as they are.
Unit split_code_like(const Unit& unit) {
  // An ASCII word, from one space or quote to the next.
  const auto is_word_byte = [](char c) {
    return c > ' ' && static_cast<unsigned char>(c) < 0x80 && std::string_view(",;\"'[]{}<>`*").find(c) == std::string_view::npos;
  };
  Unit out;
  for (const Run& run : unit) {
    if (!run.is_text || run.original != run.text) {
      out.push_back(run);
      continue;
    }
    const std::string& s = run.text;
    size_t text_from = 0;
    for (size_t i = 0; i < s.size();) {
      if (!is_word_byte(s[i])) {
        ++i;
        continue;
      }
      size_t begin = i, end = i;
      while (end < s.size() && is_word_byte(s[end])) ++end;
      i = end;
      while (begin < end && s[begin] == '(') ++begin;
      while (end > begin && std::string_view(".,:!?)").find(s[end - 1]) != std::string_view::npos &&
             !(s[end - 1] == ')' && end - begin >= 2 && s[end - 2] == '('))
        --end;
      if (!is_code_like(std::string_view(s).substr(begin, end - begin))) continue;
      if (begin > text_from) out.push_back({true, s.substr(text_from, begin - text_from), s.substr(text_from, begin - text_from)});
      out.push_back({false, s.substr(begin, end - begin), s.substr(begin, end - begin), false, /*prose=*/true});
      text_from = end;
    }
    if (text_from < s.size()) out.push_back({true, s.substr(text_from), s.substr(text_from)});
  }
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
      if (!run.is_text) out.back().prose = out.back().prose && run.prose;
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
                                         const Escape& escape, const AlignFn& align) {
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
    merged[u] = merge_markup(split_code_like(units[u]));
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
      p.start.push_back(utf8::length(raw));
      p.length.push_back(utf8::length(unit[i].text));
      raw += unit[i].text;
      marked += !unit[i].is_text && has_words(unit[i].text) ? mark_verbatim(unit[i].text) : unit[i].text;
      if (!align && p.first < p.last && unit[i].is_text && has_words(unit[i].text)) p.fragment[i] = ask(trim(unit[i].text));
    }
    const size_t lead = utf8::length(leading_space(raw));
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
             project(unit, p, answers[p.piece], answers, escape, align) + std::string(trailing_space(unit[p.last].original)) +
             originals(unit, p.last + 1, unit.size());
  }
  return out;
}

}  // namespace mt::doc
