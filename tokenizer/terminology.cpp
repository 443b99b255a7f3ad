#include "tokenizer/terminology.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "tokenizer/normalizer.h"

namespace mt {

namespace {

// What a term and a sentence are compared as: the tokenizer's folding, and English lower-cased.
std::string match_key(const std::string& text, Lang lang) {
  std::string key = normalize(text);
  if (lang == Lang::En)
    for (char& c : key) c = char(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

bool word_char(uint8_t c) { return std::isalnum(c) || c >= 0x80 || c == '_'; }

constexpr std::string_view kVerbatimBegin = "\xEF\xBF\xB9", kVerbatimEnd = "\xEF\xBF\xBB";  // U+FFF9, U+FFFB

}  // namespace

std::string mark_verbatim(const std::string& text) {
  return std::string(kVerbatimBegin) + text + std::string(kVerbatimEnd);
}

VerbatimMarks remove_verbatim_marks(const std::string& line) {
  if (line.find(kVerbatimBegin) == std::string::npos && line.find(kVerbatimEnd) == std::string::npos) return {line, line};
  VerbatimMarks out;
  bool inside = false;
  for (size_t i = 0; i < line.size();) {
    const std::string_view rest = std::string_view(line).substr(i);
    if (rest.substr(0, 3) == kVerbatimBegin || rest.substr(0, 3) == kVerbatimEnd) {
      inside = rest.substr(0, 3) == kVerbatimBegin;
      i += 3;
      continue;
    }
    out.text += line[i];
    out.for_terms += inside ? '|' : line[i];  // no word character: no term reaches into it
    ++i;
  }
  return out;
}

Terminology Terminology::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read glossary '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

Terminology Terminology::parse(const std::string& text, const std::string& origin) {
  Terminology terminology;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos || line[0] == '#') continue;  // blank or comment
    const auto tab = line.find('\t');
    const std::string where = origin + ":" + std::to_string(number);
    if (tab == std::string::npos || line.find('\t', tab + 1) != std::string::npos)
      throw std::runtime_error(where + ": expected source<TAB>target");
    terminology.add(line.substr(0, tab), line.substr(tab + 1), where);
  }
  return terminology;
}

void Terminology::add(const std::string& source, const std::string& target, const std::string& where) {
  GlossaryEntry e;
  e.source = normalize(source);
  e.target = normalize(target);
  if (e.source.empty() || e.target.empty()) throw std::runtime_error(where + ": an empty term");
  e.source_lang = guess_language(e.source);
  e.key = match_key(e.source, e.source_lang);
  entries_.push_back(std::move(e));
}

std::vector<const GlossaryEntry*> Terminology::match(const std::string& sentence, Lang source_lang) const {
  if (entries_.empty()) return {};
  const std::string text = match_key(sentence, source_lang);
  struct Hit {
    size_t begin, end;
    const GlossaryEntry* entry;
  };
  std::vector<Hit> hits;
  for (const auto& e : entries_) {
    if (e.source_lang != source_lang) continue;
    for (size_t at = text.find(e.key); at != std::string::npos; at = text.find(e.key, at + 1)) {
      const size_t end = at + e.key.size();
      // English terms are whole words: a term that starts (ends) with a letter or digit may not
      // have one just before (after) it. "C++" ends with '+', so "C++17" still matches it.
      const auto joined = [&](char outside, char edge) { return word_char(uint8_t(outside)) && word_char(uint8_t(edge)); };
      const bool whole = source_lang != Lang::En || ((at == 0 || !joined(text[at - 1], e.key.front())) &&
                                                     (end == text.size() || !joined(text[end], e.key.back())));
      if (whole) hits.push_back({at, end, &e});
    }
  }
  // Longest first (then leftmost): a hit overlapping a longer one already taken is dropped.
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.end - a.begin != b.end - b.begin ? a.end - a.begin > b.end - b.begin : a.begin < b.begin;
  });
  std::vector<Hit> taken;
  for (const auto& h : hits)
    if (std::none_of(taken.begin(), taken.end(), [&](const Hit& t) { return h.begin < t.end && t.begin < h.end; }))
      taken.push_back(h);
  std::sort(taken.begin(), taken.end(), [](const Hit& a, const Hit& b) { return a.begin < b.begin; });
  std::vector<const GlossaryEntry*> found;
  for (const auto& h : taken)
    if (std::find(found.begin(), found.end(), h.entry) == found.end()) found.push_back(h.entry);
  return found;
}

std::vector<int64_t> term_ids(const Tokenizer& tokenizer, const std::string& term, Lang target) {
  static const std::string kWordStart = "\xE2\x96\x81";  // U+2581, SentencePiece's word-start marker
  auto pieces = tokenizer.encode_pieces(term);
  if (target == Lang::Zh && !pieces.empty() && pieces.front().rfind(kWordStart, 0) == 0) {
    const std::string rest = pieces.front().substr(kWordStart.size());
    if (rest.empty()) pieces.erase(pieces.begin());
    else if (tokenizer.piece_id(rest) >= 0) pieces.front() = rest;
  }
  std::vector<int64_t> ids;
  for (const auto& piece : pieces)
    if (const int id = tokenizer.piece_id(piece); id >= 0) ids.push_back(id);
  return ids;
}

}  // namespace mt
