// Beam and greedy search over the network's decode_step(). Search code never touches a weight.
#pragma once
#include <vector>

#include "model/network/transformer.h"

namespace mt {

struct SearchOptions {
  int64_t beam = 4;               // 1 = greedy
  double length_penalty = 1.0;    // GNMT alpha: score / ((5 + length) / 6)^alpha
  double max_len_a = 1.5;         // output length limit: a * source length + b
  int64_t max_len_b = 10;
  int64_t n_best = 1;
  int64_t no_repeat_ngram = 0;    // forbid repeating any n-gram of this size (0 = off)
  // No EOS before this many tokens (fairseq's --min-len). Where that reaches the length limit the
  // hypotheses end there without EOS: min_length = max_len_b with max_len_a = 0 decodes exactly
  // that many steps (the benchmarks' forced decoding).
  int64_t min_length = 0;
};

struct Hypothesis {
  std::vector<int64_t> tokens;  // without BOS/EOS
  double score = 0;             // length-normalised log-probability
};

// src: (B, S) PAD-padded ids (each row: target tag, tokens, EOS). Returns for each sentence its
// n-best hypotheses, best first. A row that is all padding gets one empty hypothesis.
std::vector<std::vector<Hypothesis>> beam_search(Transformer& model, const at::Tensor& src,
                                                 const SearchOptions& options);
std::vector<std::vector<Hypothesis>> greedy_search(Transformer& model, const at::Tensor& src,
                                                   const SearchOptions& options);
// A term the translation must contain, as target token ids.
using Constraint = std::vector<int64_t>;
// A sentence's terms. In a target that writes spaces between words a term is a whole word: the
// token after it may not be one of `word_continuations` ("homicide" must not become "homicides").
struct SentenceTerms {
  std::vector<Constraint> terms;
  bool whole_words = false;
};
// Beam search on twice options.beam rows in which every hypothesis that ends contains each of its
// sentence's terms (any order; constrained_search.cpp). `word_continuations`: the ids of pieces that continue a word
// (no word-start marker). Rows without terms are searched as beam_search would, at a higher
// cost: give them to beam_search.
std::vector<std::vector<Hypothesis>> constrained_beam_search(Transformer& model, const at::Tensor& src,
                                                             const std::vector<SentenceTerms>& terms,
                                                             const std::vector<int64_t>& word_continuations,
                                                             const SearchOptions& options);
// beam_search or greedy_search by options.beam.
std::vector<std::vector<Hypothesis>> search(Transformer& model, const at::Tensor& src, const SearchOptions& options);

double length_penalty(int64_t length, double alpha);

// Best score first (ties keep their order), then at most n_best of them (at least one).
void keep_n_best(std::vector<Hypothesis>& hyps, int64_t n_best);

}  // namespace mt
