// Subtitles (SubRip .srt, WebVTT .vtt): cue numbers, timings, settings and VTT's header, NOTE,
// STYLE and REGION blocks are kept byte for byte; the cue text is translated. A sentence that runs
// over several cues is translated whole and spread back over them at word boundaries, in proportion
// to each cue's share of the source; every cue is then wrapped to subtitle norms.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "app/document/document.h"
#include "app/document/inline_translation.h"
#include "tokenizer/utf8.h"

namespace mt::doc {

namespace {

// Subtitle norms (Netflix, BBC): about 42 Latin or 16 Chinese characters a line.
constexpr size_t kLatinLine = 42, kChineseLine = 16;
constexpr size_t kMostCuesPerSentence = 4;
constexpr double kLongestPause = 3.0;  // seconds between cues that still continue a sentence

struct Line {
  size_t begin, end;  // without the line ending
  size_t number;      // 1-based
  std::string_view text;
};

struct Cue {
  double start = 0, end = 0;
  size_t text_begin = 0, text_end = 0;  // the text lines' bytes (line endings between them included)
  std::vector<std::string_view> lines;
  std::string prefix, inner, suffix;  // whole-cue tags around the text ("<i>", "{\an8}") and what they hold
  bool tagged = false;                // tags inside the text: translated as its own unit, markup projected
  bool dialogue = false;              // lines starting with "-": one speaker each, translated apart
};

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

std::vector<Line> numbered_lines(std::string_view doc) {
  std::vector<Line> lines;
  for (size_t at = 0, number = 1; at < doc.size(); ++number) {
    size_t next = doc.find('\n', at);
    if (next == std::string_view::npos) next = doc.size();
    size_t end = next;
    if (end > at && doc[end - 1] == '\r') --end;
    lines.push_back({at, end, number, doc.substr(at, end - at)});
    at = next + 1;
  }
  return lines;
}

// "01:02:03,456" (SubRip; "." accepted too) or "[01:]02:03.456" (WebVTT) in seconds; NaN when malformed.
double parse_time(std::string_view s, bool vtt) {
  std::vector<std::string_view> fields;
  for (size_t at = 0;;) {
    const size_t colon = s.find(':', at);
    fields.push_back(s.substr(at, colon == std::string_view::npos ? colon : colon - at));
    if (colon == std::string_view::npos) break;
    at = colon + 1;
  }
  if (fields.size() < (vtt ? 2u : 3u) || fields.size() > 3) return NAN;
  const std::string_view last = fields.back();
  const size_t dot = last.find_first_of(",.");
  if (dot == std::string_view::npos || (vtt && last[dot] != '.')) return NAN;
  fields.back() = last.substr(0, dot);
  const std::string_view fraction = last.substr(dot + 1);
  auto number = [](std::string_view digits, size_t most, double* value) {
    if (digits.empty() || digits.size() > most) return false;
    *value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      *value = *value * 10 + (c - '0');
    }
    return true;
  };
  double parts[3] = {0, 0, 0}, milliseconds = 0;
  const size_t skip = 3 - fields.size();  // no hours field: they are 0
  for (size_t f = 0; f < fields.size(); ++f)
    if (!number(fields[f], f + skip == 0 ? 4 : 2, &parts[f + skip])) return NAN;
  if (!number(fraction, 3, &milliseconds) || parts[1] >= 60 || parts[2] >= 60) return NAN;
  return parts[0] * 3600 + parts[1] * 60 + parts[2] + milliseconds / std::pow(10.0, double(fraction.size()));
}

// A timing line "start --> end [settings]": false when the line has no arrow; throws when it is broken.
bool parse_timing(const Line& line, bool vtt, Cue* cue) {
  const size_t arrow = line.text.find("-->");
  if (arrow == std::string_view::npos) return false;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  std::string_view after = trim(line.text.substr(arrow + 3));
  after = after.substr(0, after.find_first_of(" \t"));  // VTT settings follow the end time
  cue->start = parse_time(trim(line.text.substr(0, arrow)), vtt);
  cue->end = parse_time(after, vtt);
  const std::string where = "line " + std::to_string(line.number) + ": ";
  if (std::isnan(cue->start) || std::isnan(cue->end))
    throw std::runtime_error(where + "broken cue timing '" + std::string(line.text.substr(0, 60)) + "'");
  if (cue->end < cue->start) throw std::runtime_error(where + "the cue ends before it starts");
  return true;
}

// Tags that style a cue: <i> <b> <u> <font ...> <c.x> <v Name> (and their ends), {\an8} of ASS.
size_t tag_length(std::string_view s, size_t at) {
  if (s[at] == '<') {
    const size_t end = s.find('>', at);
    return end == std::string_view::npos ? 0 : end + 1 - at;
  }
  if (s.substr(at, 2) == "{\\") {
    const size_t end = s.find('}', at);
    return end == std::string_view::npos ? 0 : end + 1 - at;
  }
  return 0;
}

void split_wrappers(Cue& cue) {
  std::string text;
  for (size_t i = 0; i < cue.lines.size(); ++i) text += (i ? " " : "") + std::string(cue.lines[i]);
  size_t begin = 0, end = text.size();
  while (begin < end) {
    const size_t n = tag_length(text, begin);
    if (n == 0 || text[begin + 1] == '/') break;
    begin += n;
  }
  while (end > begin && text[end - 1] == '>') {
    const size_t open = text.rfind('<', end - 1);
    if (open == std::string::npos || open < begin || text[open + 1] != '/') break;
    end = open;
  }
  cue.prefix = text.substr(0, begin);
  cue.suffix = text.substr(end);
  cue.inner = text.substr(begin, end - begin);
  for (size_t i = 0; i < cue.inner.size(); ++i)
    if (tag_length(cue.inner, i) > 0) cue.tagged = true;
  cue.dialogue = !cue.tagged && cue.lines.size() > 1 && std::all_of(cue.lines.begin(), cue.lines.end(), [](std::string_view l) {
                   return !l.empty() && l[0] == '-';
                 });
}

// A dialogue line's dash ("- ", "-") and what the speaker says.
std::pair<std::string, std::string> dialogue_dash(std::string_view line) {
  size_t n = 1;
  while (n < line.size() && line[n] == ' ') ++n;
  return {std::string(line.substr(0, n)), std::string(line.substr(n))};
}

// WebVTT text escapes &amp; &lt; &gt; (and names a few spaces and marks); SubRip has none.
std::string decode_vtt(std::string_view s) {
  static const std::pair<std::string_view, std::string_view> entities[] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", "\u00A0"}, {"&lrm;", "\u200E"}, {"&rlm;", "\u200F"}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&')
      for (const auto& [name, value] : entities)
        if (s.substr(i, name.size()) == name) {
          out += value, i += name.size(), replaced = true;
          break;
        }
    if (!replaced) out += s[i++];
  }
  return out;
}

using utf8::is_han;
bool is_cjk_punctuation(char32_t c) { return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF1F); }
// Text measured in Chinese characters a line: more Han characters than a third of its Latin letters.
bool is_chinese(const std::u32string& s) {
  const auto han = std::count_if(s.begin(), s.end(), is_han);
  const auto latin = std::count_if(s.begin(), s.end(), [](char32_t c) { return c < 128 && std::isalnum(int(c)); });
  return han > 0 && 3 * han >= latin;
}

// Whether a cue's text ends a sentence: . ! ? … 。！？ (before closing quotes and brackets).
bool ends_sentence(const std::string& text) {
  std::u32string s = utf8::decode(text);
  while (!s.empty() && std::u32string_view(U" \"'”’」』)）]").find(s.back()) != std::u32string_view::npos) s.pop_back();
  return s.empty() || std::u32string_view(U".!?…。！？♪").find(s.back()) != std::u32string_view::npos;
}

// Where text may break between code points i-1 and i: at a space (Latin), between Chinese
// characters but not before closing punctuation; never inside a tag or an entity.
struct Breaks {
  std::u32string text;
  std::vector<bool> visible;  // false inside tags
  explicit Breaks(const std::string& utf8_text) : text(utf8::decode(utf8_text)), visible(text.size(), true) {
    for (size_t i = 0; i < text.size(); ++i) {
      const bool open = text[i] == '<' || (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '\\');
      if (!open) continue;
      const char32_t close = text[i] == '<' ? U'>' : U'}';
      const size_t end = text.find(close, i);
      if (end == std::u32string::npos) break;
      std::fill(visible.begin() + long(i), visible.begin() + long(end) + 1, false);
      i = end;
    }
    for (size_t i = 0; i < text.size(); ++i) {  // an entity (&amp;) shows as one character
      if (text[i] != '&' || !visible[i]) continue;
      const size_t end = text.find(';', i);
      if (end == std::u32string::npos || end - i > 7) continue;
      if (std::all_of(text.begin() + long(i) + 1, text.begin() + long(end), [](char32_t c) { return c < 128 && std::isalnum(int(c)); }))
        std::fill(visible.begin() + long(i) + 1, visible.begin() + long(end) + 1, false);
    }
  }
  bool allowed(size_t i) const {
    if (i == 0 || i >= text.size() || !visible[i]) return false;
    if (text[i] == ' ') return true;
    return visible[i - 1] && (is_han(text[i - 1]) || is_cjk_punctuation(text[i - 1])) && is_han(text[i]);
  }
  // A break's preference: after Chinese punctuation, then a space, then anything allowed.
  int preference(size_t i) const {
    if (!allowed(i)) return -1;
    if (is_cjk_punctuation(text[i - 1])) return 2;
    return text[i] == ' ' ? 1 : 0;
  }
  size_t visible_length(size_t from, size_t to) const {
    return size_t(std::count(visible.begin() + long(from), visible.begin() + long(to), true));
  }
  // The allowed break nearest `target` (in code points), between from and to; npos when none.
  size_t nearest(size_t target, size_t from, size_t to, size_t window) const {
    size_t best = std::u32string::npos;
    double best_cost = 1e18;
    for (size_t i = from + 1; i < to; ++i) {
      const int p = preference(i);
      if (p < 0) continue;
      const double distance = std::abs(double(i) - double(target));
      const double cost = distance - (distance <= double(window) ? 2.0 * p : 0);
      if (cost < best_cost) best_cost = cost, best = i;
    }
    return best;
  }
  std::string piece(size_t from, size_t to) const {
    while (from < to && text[from] == ' ') ++from;
    while (to > from && text[to - 1] == ' ') --to;
    std::string out;
    for (size_t i = from; i < to; ++i) utf8::append(out, text[i]);
    return out;
  }
};

// The translation of a sentence cut into `weights.size()` parts, at breaks nearest each cue's
// share of the source.
std::vector<std::string> spread(const std::string& translation, const std::vector<double>& weights) {
  const Breaks b(translation);
  const double total = std::max(1e-9, std::accumulate(weights.begin(), weights.end(), 0.0));
  std::vector<size_t> cuts{0};
  double share = 0;
  for (size_t k = 0; k + 1 < weights.size(); ++k) {
    share += weights[k];
    const size_t target = size_t(std::lround(share / total * double(b.text.size())));
    const size_t cut = b.nearest(target, cuts.back(), b.text.size(), 3);
    cuts.push_back(cut == std::u32string::npos ? cuts.back() : cut);
  }
  cuts.push_back(b.text.size());
  std::vector<std::string> parts;
  for (size_t k = 0; k + 1 < cuts.size(); ++k) parts.push_back(b.piece(cuts[k], cuts[k + 1]));
  return parts;
}

// A cue's text in lines of at most ~42 Latin or 16 Chinese characters, balanced, two where it fits.
std::vector<std::string> wrap(const std::string& text) {
  const Breaks b(text);
  const size_t limit = is_chinese(b.text) ? kChineseLine : kLatinLine;
  const size_t length = b.visible_length(0, b.text.size());
  if (length <= limit) return {b.piece(0, b.text.size())};
  const size_t lines = (length + limit - 1) / limit;
  std::vector<std::string> out;
  size_t from = 0;
  for (size_t k = 1; k < lines; ++k) {
    const size_t target = from + (b.text.size() - from) / (lines - k + 1);
    // A line never runs past the limit where a break allows; a word longer than a line stays whole.
    size_t cut = b.nearest(target, from, std::min(b.text.size(), from + limit + 1), 4);
    if (cut == std::u32string::npos) cut = b.nearest(target, from, b.text.size(), 4);
    if (cut == std::u32string::npos) break;
    out.push_back(b.piece(from, cut));
    from = cut;
  }
  out.push_back(b.piece(from, b.text.size()));
  return out;
}

std::string no_escape(const std::string& s) { return s; }

// The text of a source line as the model reads it.
std::string plain(const std::string& inner, bool vtt) { return vtt ? decode_vtt(inner) : inner; }

// The cue text's runs: tags as markup, the rest as text (decoded).
Unit unit_of(const std::string& inner, bool vtt) {
  Unit unit;
  for (size_t i = 0; i < inner.size();) {
    const size_t n = tag_length(inner, i);
    if (n > 0) {
      unit.push_back({false, inner.substr(i, n), "", false});
      i += n;
      continue;
    }
    size_t j = i + 1;
    while (j < inner.size() && tag_length(inner, j) == 0) ++j;
    unit.push_back({true, inner.substr(i, j - i), plain(inner.substr(i, j - i), vtt), false});
    i = j;
  }
  return unit;
}

}  // namespace

std::string translate_subtitles(const std::string& document, bool vtt, const TranslateFn& translate,
                                const AlignFn& align) {
  const std::string_view doc(document);
  const auto lines = numbered_lines(doc);
  const std::string newline = doc.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
  size_t first = 0;
  if (vtt) {
    const std::string_view head = lines.empty() ? std::string_view() : lines[0].text;
    const std::string_view bom = "\xEF\xBB\xBF";
    const std::string_view signature = head.substr(head.substr(0, 3) == bom ? 3 : 0);
    if (signature.substr(0, 6) != "WEBVTT" || (signature.size() > 6 && signature[6] != ' ' && signature[6] != '\t'))
      throw std::runtime_error("not a WebVTT file: its first line must be WEBVTT");
    while (first < lines.size() && !is_blank(lines[first].text)) ++first;  // the header block
  }

  // The cues, block by block (blocks are separated by blank lines).
  std::vector<Cue> cues;
  for (size_t i = first; i < lines.size();) {
    if (is_blank(lines[i].text)) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < lines.size() && !is_blank(lines[end].text)) ++end;
    const std::string_view head = lines[i].text;
    const bool kept_block = vtt && (head.substr(0, 4) == "NOTE" || head.substr(0, 5) == "STYLE" || head.substr(0, 6) == "REGION");
    if (!kept_block) {
      Cue cue;
      size_t timing = i;
      if (!parse_timing(lines[timing], vtt, &cue) && (timing + 1 >= end || !parse_timing(lines[++timing], vtt, &cue)))
        throw std::runtime_error("line " + std::to_string(lines[i].number) + ": expected a cue timing (" +
                                 (vtt ? "00:00:01.000 --> 00:00:02.000" : "00:00:01,000 --> 00:00:02,000") + ")");
      for (size_t l = timing + 1; l < end; ++l) {
        if (parse_timing(lines[l], vtt, &cue))
          throw std::runtime_error("line " + std::to_string(lines[l].number) + ": a cue timing inside cue text (a blank line missing?)");
        cue.lines.push_back(lines[l].text);
      }
      if (!cue.lines.empty()) {
        cue.text_begin = lines[timing + 1].begin;
        cue.text_end = lines[end - 1].end;
        split_wrappers(cue);
        cues.push_back(std::move(cue));
      }
    }
    i = end;
  }

  // Sentences: runs of plain cues up to one that ends a sentence (or a pause, or a few cues).
  std::vector<std::vector<size_t>> groups;
  for (size_t c = 0; c < cues.size(); ++c) {
    const Cue& cue = cues[c];
    const bool alone = cue.tagged || cue.dialogue || !has_words(cue.inner);
    const bool continues = !groups.empty() && !alone && groups.back().size() < kMostCuesPerSentence && [&] {
      const Cue& previous = cues[groups.back().back()];
      return !previous.tagged && !previous.dialogue && has_words(previous.inner) && !ends_sentence(previous.inner) &&
             cue.start - previous.end <= kLongestPause;
    }();
    if (continues) groups.back().push_back(c);
    else groups.push_back({c});
  }

  // One call for the sentences and dialogue lines, one for the tagged cues (markup projected).
  std::vector<std::string> pieces;
  std::vector<size_t> piece_of(groups.size(), SIZE_MAX);
  std::vector<std::vector<size_t>> dialogue_pieces(cues.size());
  std::vector<Unit> units;
  std::vector<size_t> unit_of_cue(cues.size(), SIZE_MAX);
  for (size_t g = 0; g < groups.size(); ++g) {
    const Cue& cue = cues[groups[g][0]];
    if (!has_words(cue.inner)) continue;  // music notes, "...": kept as they are
    if (cue.dialogue) {
      for (const auto& line : cue.lines) {
        dialogue_pieces[groups[g][0]].push_back(pieces.size());
        pieces.push_back(plain(dialogue_dash(line).second, vtt));
      }
    } else if (cue.tagged) {
      unit_of_cue[groups[g][0]] = units.size();
      units.push_back(unit_of(cue.inner, vtt));
    } else {
      std::string sentence;
      for (size_t c : groups[g]) {
        const std::string text = plain(cues[c].inner, vtt);
        const std::u32string left = utf8::decode(sentence), right = utf8::decode(text);
        const bool join_tight = !left.empty() && !right.empty() && is_han(left.back()) && is_han(right.front());
        sentence += (sentence.empty() || join_tight ? "" : " ") + text;
      }
      piece_of[g] = pieces.size();
      pieces.push_back(sentence);
    }
  }
  const auto answers = pieces.empty() ? std::vector<std::string>{} : translate(pieces);
  if (answers.size() != pieces.size()) throw std::runtime_error("the translator gave a wrong number of results");
  const auto escape = vtt ? Escape(escape_xml_text) : Escape(no_escape);
  const auto tagged = translate_units(units, translate, escape, align);

  // Each cue's new text lines.
  std::vector<std::vector<std::string>> text(cues.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    const size_t c0 = groups[g][0];
    if (!dialogue_pieces[c0].empty()) {
      for (size_t l = 0; l < cues[c0].lines.size(); ++l)
        text[c0].push_back(dialogue_dash(cues[c0].lines[l]).first + escape(answers[dialogue_pieces[c0][l]]));
    } else if (unit_of_cue[c0] != SIZE_MAX) {
      text[c0] = wrap(cues[c0].prefix + tagged[unit_of_cue[c0]] + cues[c0].suffix);
    } else if (piece_of[g] != SIZE_MAX) {
      std::vector<double> weights;
      for (size_t c : groups[g]) weights.push_back(double(utf8::decode(plain(cues[c].inner, vtt)).size()));
      const auto parts = spread(answers[piece_of[g]], weights);
      for (size_t k = 0; k < groups[g].size(); ++k) {
        const Cue& cue = cues[groups[g][k]];
        auto wrapped = wrap(escape(parts[k]));
        if (!wrapped.empty()) wrapped.front() = cue.prefix + wrapped.front(), wrapped.back() += cue.suffix;
        text[groups[g][k]] = std::move(wrapped);
      }
    }
  }

  std::string out;
  size_t at = 0;
  for (size_t c = 0; c < cues.size(); ++c) {
    if (text[c].empty()) continue;  // kept as it is
    out.append(doc.substr(at, cues[c].text_begin - at));
    for (size_t l = 0; l < text[c].size(); ++l) out += (l ? newline : "") + text[c][l];
    at = cues[c].text_end;
  }
  out.append(doc.substr(at));
  return out;
}

}  // namespace mt::doc
