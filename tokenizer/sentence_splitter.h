// Splits a paragraph into sentences, so the model (trained on single sentences) sees one at a time.
// English: . ! ? … followed by a space and a sentence start, not after abbreviations (Dr., e.g.,
// U.S.), initials (J. R. Tolkien), decimals (3.5) or inside words (example.com); closing quotes and
// brackets stay with the sentence they close. Chinese: 。！？；… always end a sentence, with their
// closing quotes (”』）), except inside “…” 「…」 『…』 （…）. Mixed text follows both.
// (ICU's sentence BreakIterator was measured and not used: it splits after "Dr.", "U.S.", every
// initial, and never at ； or …, see README.)
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mt {

// The sentences of `text`, in order, each trimmed of surrounding whitespace; none is empty.
std::vector<std::string> split_sentences(std::string_view text);

}  // namespace mt
