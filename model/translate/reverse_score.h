// How well a translation accounts for its source: log P(source | translation) under the other
// direction of the same bidirectional model. Reranking the beam's finished hypotheses by their
// own score plus a weight times this one favours translations that leave none of the source out
// (the reverse-model rescoring of Marian's and fairseq's n-best rerankers, at no extra model).
#pragma once
#include <vector>

#include "model/network/transformer.h"
#include "tokenizer/tokenizer.h"

namespace mt {

struct ReversePair {
  const std::vector<int64_t>* translation;  // tokens, without tag or EOS
  const std::vector<int64_t>* source;       // tokens, without tag or EOS
  Lang source_lang;
};

// For each pair, the log-probability of the source given the translation, teacher-forced: the
// mean per token (EOS included), or with per_token = false their sum. Runs under the caller's
// inference mode, at most `budget` target positions x rows at a time (the translator passes its
// --batch-tokens).
std::vector<double> reverse_log_probs(Transformer& network, const std::vector<ReversePair>& pairs, int64_t budget,
                                      bool per_token = true);

}  // namespace mt
