// A user's glossary: `source<TAB>target` lines whose target must appear in the translation of any
// sentence that contains the source term (DeepL's glossaries; enforced by constrained_search.h).
// The left side is the source, in either language: `cluster<TAB>集群` applies to English
// sentences, `机器学习<TAB>machine learning` to Chinese ones, `Kubernetes<TAB>Kubernetes` keeps a
// name. Terms are matched after the tokenizer's own folding (full-width, Traditional ->
// Simplified, whitespace) and, in English, case; English terms match whole words, Chinese terms
// any character span; where matches overlap the longest entry wins.
#pragma once
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace mt {

struct GlossaryEntry {
  std::string source, target;  // as written in the file
  Lang source_lang = Lang::En;
  std::string key;             // the source as matched: folded, lower-cased in English
};

class Terminology {
 public:
  // Reads a glossary file; throws std::runtime_error naming the file and line of a bad entry.
  static Terminology load(const std::string& path);
  // Entries from lines already read ("source\ttarget"); `origin` names them in errors.
  static Terminology parse(const std::string& text, const std::string& origin);

  // One more entry; throws std::runtime_error naming `where` when a side is empty.
  void add(const std::string& source, const std::string& target, const std::string& where);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const std::vector<GlossaryEntry>& entries() const { return entries_; }

  // The entries whose source occurs in `sentence` (of language `source_lang`), each once, in
  // order of first occurrence.
  std::vector<const GlossaryEntry*> match(const std::string& sentence, Lang source_lang) const;

 private:
  std::vector<GlossaryEntry> entries_;
};

// Text inside a line that glossary terms are never looked for in (a document's inline code, a
// URL), marked in the line itself by U+FFF9 before and U+FFFB after: Unicode's interlinear
// annotation marks, which text does not carry. Being part of the string, the marks travel with the
// line through every path to the translator (the server's queue, the Python module), which reads
// the line without them.
std::string mark_verbatim(const std::string& text);
struct VerbatimMarks {
  std::string text;       // the line without the marks
  std::string for_terms;  // the same bytes with the marked text blanked: where terms are looked for
};
VerbatimMarks remove_verbatim_marks(const std::string& line);

// The target term's ids as they stand inside a sentence of language `target`: a Chinese term
// loses the word-start marker SentencePiece gives the start of a text ("▁集群" -> "集群").
std::vector<int64_t> term_ids(const Tokenizer& tokenizer, const std::string& term, Lang target);

}  // namespace mt
