// The special ids every model of this project shares, and the target-language tag that starts a
// source: all the network, the search and the batcher need to know of the vocabulary.
#pragma once
#include "tokenizer/normalizer.h"

namespace mt {

struct SpecialIds {
  static constexpr int pad = 0, bos = 1, eos = 2, unk = 3, to_zh = 4, to_en = 5;
};

inline int target_tag(Lang target) { return target == Lang::Zh ? SpecialIds::to_zh : SpecialIds::to_en; }

}  // namespace mt
