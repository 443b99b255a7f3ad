// Pieces shared by beam and greedy search: which sentences are still decoding, and the rules that
// restrict the next token (special ids, length limit, forced length, repeated n-grams).
#pragma once
#include <vector>

#include "model/search/search.h"

namespace mt {

struct SearchBatch {
  std::vector<int64_t> sentences;  // original index of each row still decoding
  std::vector<int64_t> max_len;    // output length limit of each
  EncoderOutput encoded;
  int64_t size() const { return int64_t(sentences.size()); }
  void keep(const std::vector<int64_t>& rows);  // rows of this batch that go on
};

// Drops all-padding rows and encodes the rest (under the caller's inference guard).
SearchBatch start_search(Transformer& model, const at::Tensor& src, const SearchOptions& options);

// Sets to -inf what may not come next at step t: PAD/BOS/UNK/language tags always; anything but
// EOS at a sentence's last allowed step; EOS when decoding is forced; repeated n-grams.
// Rows are sentence-major with `beam` rows per sentence; history holds the tokens so far (CPU).
void restrict_tokens(at::Tensor& scores, const std::vector<int64_t>& max_len, int64_t beam, int64_t t,
                     const SearchOptions& options, const at::Tensor& history);

}  // namespace mt
