// Text in, text out: tokenizer + length-sorted token-budget batches + search + input order
// restored. Used by `translate`, the REPL, `eval` and validation during training alike.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/search/search.h"
#include "tokenizer/terminology.h"
#include "tokenizer/tokenizer.h"

namespace mt {

struct TranslatorOptions {
  SearchOptions search;
  int64_t batch_tokens = 4000;      // source tokens x beam per batch
  int64_t max_input_tokens = 200;   // longer lines are split at sentence boundaries, then chunked
  bool split_sentences = false;     // translate each sentence of a line on its own (sentence_splitter.h)
  bool traditional_output = false;  // Chinese output converted to Traditional (OpenCC s2twp)
  // Beam search only: its finished hypotheses reranked by score + reverse_weight x the mean
  // log-probability of the source given each (reverse_score.h); 0 = off.
  double reverse_weight = 0;
  // Terms whose targets every translation of a sentence that holds them must contain
  // (constrained_beam_search); sentences without a match are searched as without a glossary.
  std::shared_ptr<const Terminology> glossary;
};

struct Translation {
  std::string text;
  std::vector<std::pair<std::string, double>> n_best;  // (text, score), best first
  int64_t source_tokens = 0, target_tokens = 0;
  bool was_split = false;  // the line (or one of its sentences) was longer than the model takes: cut in parts
  int64_t segments = 0;    // the parts translated apart: sentences, or chunks of an over-long one
};

class Translator {
 public:
  Translator(Transformer network, const Tokenizer& tokenizer, TranslatorOptions options = {});

  // One result per line, in order. `to`: the target language, or nullopt to guess per line.
  // Empty and whitespace-only lines give empty translations. Text a line marks verbatim
  // (mark_verbatim) is translated as the rest, but never holds a glossary term.
  std::vector<Translation> translate(const std::vector<std::string>& lines, std::optional<Lang> to = std::nullopt);

  TranslatorOptions& options() { return options_; }

 private:
  struct Segment {
    size_t line;
    std::vector<int64_t> ids;  // tag, tokens, EOS
    std::vector<Constraint> terms;  // the glossary's targets for what this part holds
  };
  // The line's parts, each translated on its own and joined afterwards: its sentences (with
  // options_.split_sentences, or when the line is longer than the model takes), a sentence still
  // too long cut in fixed chunks. *too_long: the line or one of its sentences was.
  // `for_terms`: the text with its verbatim spans blanked (remove_verbatim_marks), where glossary
  // terms are looked for.
  std::vector<Segment> segment(size_t line, const std::string& text, const std::string& for_terms, Lang target,
                               bool* too_long) const;
  // Searches the segments `order` names (all with glossary terms, or all without), longest first,
  // one token-budget batch at a time, into outputs[segment].
  void search_batches(const std::vector<size_t>& order, const std::vector<Segment>& segments,
                      const std::vector<Lang>& targets, std::vector<std::vector<Hypothesis>>& outputs);
  std::string capitalize_leading_term(std::string text, const std::vector<Constraint>& terms) const;
  // Reorders each row's hypotheses (rows: segments[batch[r]]) by options_.reverse_weight.
  void rerank_by_reverse(std::vector<std::vector<Hypothesis>>& hyps, const std::vector<size_t>& batch,
                         const std::vector<Segment>& segments, const std::vector<Lang>& targets);

  Transformer network_;
  const Tokenizer& tokenizer_;
  // Pieces that continue a word (none may follow an English term), read once a batch has terms.
  std::vector<int64_t> word_continuations_;
  TranslatorOptions options_;
};

// The target language `auto` picks for a line: Chinese text goes to English, anything else to Chinese.
Lang auto_target(const std::string& line);

}  // namespace mt
