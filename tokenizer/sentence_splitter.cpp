#include "tokenizer/sentence_splitter.h"

#include <algorithm>
#include <unordered_set>

#include "tokenizer/utf8.h"

namespace mt {

namespace {

bool is_space(char32_t c) { return utf8::is_python_space(c) || c == 0x3000; }
bool is_ascii_lower(char32_t c) { return c >= 'a' && c <= 'z'; }
bool is_ascii_upper(char32_t c) { return c >= 'A' && c <= 'Z'; }
bool is_letter(char32_t c) { return is_ascii_lower(c) || is_ascii_upper(c) || (c >= 0xC0 && c <= 0x24F); }

// Always end a sentence (unless inside Chinese quotes).
bool is_chinese_end(char32_t c) { return c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == 0xFF61; }
// End a sentence when what follows looks like the start of one.
bool is_latin_end(char32_t c) { return c == '.' || c == '!' || c == '?' || c == U'…'; }

bool is_closer(char32_t c) {
  static const std::u32string closers = U"\"')]}’”»」』）】》〉〕］｝";
  return closers.find(c) != std::u32string::npos;
}
// Quotes and brackets whose inside is never split: a quoted Chinese sentence stays with its clause.
int quote_depth_change(char32_t c) {
  switch (c) {
    case U'“': case U'「': case U'『': case U'（': return 1;
    case U'”': case U'」': case U'』': case U'）': return -1;
    default: return 0;
  }
}

// Words that a full stop never ends a sentence after: titles before a name, "No. 5", "p. 12".
const std::unordered_set<std::u32string>& never_final() {
  static const std::unordered_set<std::u32string> words = {
      U"Mr", U"Mrs", U"Ms", U"Dr", U"Prof", U"Sr", U"Jr", U"St", U"Mt", U"Gen", U"Col", U"Capt", U"Lt", U"Sgt",
      U"Rev", U"Gov", U"Sen", U"Rep", U"Hon", U"Pres", U"Messrs", U"Mme", U"No", U"Nos", U"Vol", U"vol", U"Fig",
      U"fig", U"Figs", U"pp", U"p", U"Art", U"Ch", U"ch", U"Sec", U"sec", U"Dept", U"Ave", U"Blvd", U"vs", U"cf",
      U"approx", U"ca", U"Eq", U"eq", U"Ref", U"ref", U"Op", U"op"};
  return words;
}
// Abbreviations that may also end a sentence ("in the U.S. He left"): they end one only before a
// word that usually starts a sentence. Dotted abbreviations (U.S., e.g., a.m.) count as these too.
const std::unordered_set<std::u32string>& maybe_final() {
  static const std::unordered_set<std::u32string> words = {
      U"etc", U"al", U"Inc", U"Ltd", U"Co", U"Corp", U"Bros", U"Jan", U"Feb", U"Mar", U"Apr", U"Jun", U"Jul",
      U"Aug", U"Sep", U"Sept", U"Oct", U"Nov", U"Dec"};
  return words;
}
const std::unordered_set<std::u32string>& sentence_starters() {
  static const std::unordered_set<std::u32string> words = {
      U"The", U"A", U"An", U"He", U"She", U"It", U"I", U"We", U"You", U"They", U"This", U"That", U"These",
      U"Those", U"There", U"Here", U"His", U"Her", U"Its", U"Our", U"Their", U"My", U"Your", U"But", U"And",
      U"So", U"Then", U"However", U"In", U"On", U"At", U"If", U"When", U"What", U"Why", U"How", U"Who",
      U"Where", U"Some", U"Many", U"Most", U"After", U"Before", U"Yes", U"No", U"Now", U"Today", U"As"};
  return words;
}

// The word just before the full stop at `dot` ("U.S" for "U.S.", "Dr" for "Dr.").
std::u32string word_before(const std::u32string& t, size_t dot) {
  size_t b = dot;
  while (b > 0 && (is_letter(t[b - 1]) || t[b - 1] == '.')) --b;
  return t.substr(b, dot - b);
}

std::u32string word_at(const std::u32string& t, size_t pos) {
  size_t e = pos;
  while (e < t.size() && is_letter(t[e])) ++e;
  return t.substr(pos, e - pos);
}

// Whether a Latin sentence end (the run t[mark, end) of . ! ? …, closers included) ends a sentence.
bool latin_break(const std::u32string& t, size_t mark, size_t run_end, size_t end) {
  if (end == t.size()) return true;
  if (!is_space(t[end])) return utf8::is_han(t[end]);  // "3.5", "example.com", "e.g.," — but "OK.我们" ends one
  size_t next = end;
  while (next < t.size() && is_space(t[next])) ++next;
  if (next == t.size()) return true;
  const char32_t c = t[next];
  if (is_ascii_lower(c)) return false;  // "e.g. in", "3 p.m. today"
  const bool single_full_stop = run_end == mark + 1 && t[mark] == '.' && run_end == end;
  if (!single_full_stop) return true;
  const std::u32string word = word_before(t, mark);
  if (word.empty()) return true;
  if (word.size() == 1 && is_ascii_upper(word[0])) return false;  // an initial: "J. R. R. Tolkien"
  if (never_final().count(word)) return false;
  const bool dotted = word.find('.') != std::u32string::npos;
  if (dotted || maybe_final().count(word)) return sentence_starters().count(word_at(t, next)) > 0;
  return true;
}

void add_trimmed(std::vector<std::string>& out, const std::u32string& t, size_t begin, size_t end) {
  while (begin < end && is_space(t[begin])) ++begin;
  while (end > begin && is_space(t[end - 1])) --end;
  if (begin == end) return;
  std::string s;
  for (size_t i = begin; i < end; ++i) utf8::append(s, t[i]);
  out.push_back(std::move(s));
}

}  // namespace

std::vector<std::string> split_sentences(std::string_view text) {
  const std::u32string t = utf8::decode(text);
  std::vector<std::string> sentences;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i < t.size();) {
    const char32_t c = t[i];
    if (!is_chinese_end(c) && !is_latin_end(c)) {
      depth = std::max(0, depth + quote_depth_change(c));
      ++i;
      continue;
    }
    // The whole run of end marks ("?!", "……", "...") and the quotes and brackets it closes.
    size_t run_end = i;
    bool chinese = false;
    while (run_end < t.size() && (is_chinese_end(t[run_end]) || is_latin_end(t[run_end]))) {
      chinese = chinese || is_chinese_end(t[run_end]) || (t[run_end] == U'…' && i > 0 && utf8::is_han(t[i - 1]));
      ++run_end;
    }
    size_t end = run_end;
    while (end < t.size() && is_closer(t[end])) depth = std::max(0, depth + quote_depth_change(t[end++]));
    const bool ends = depth == 0 && (chinese || latin_break(t, i, run_end, end));
    if (ends) {
      add_trimmed(sentences, t, start, end);
      start = end;
    }
    i = end;
  }
  add_trimmed(sentences, t, start, t.size());
  return sentences;
}

}  // namespace mt
