// Text clean-up applied to every line before SentencePiece sees it (training and translation
// alike). SentencePiece itself runs with the identity rule: its nmt_nfkc rule would turn Chinese
// punctuation (，。？！) into ASCII, which costs BLEU against Chinese references.
#pragma once
#include <string>
#include <string_view>

namespace mt {

enum class Lang { En, Zh };

// Invalid UTF-8 -> U+FFFD; control characters (tab, CR, ...) -> space; whitespace runs folded to
// one space and trimmed; full-width ASCII letters/digits/space -> ASCII (Chinese punctuation stays
// full-width); Traditional -> Simplified Chinese (OpenCC tw2sp, which also maps Taiwan vocabulary).
std::string normalize(std::string_view text);

// Replaces invalid UTF-8 sequences by U+FFFD. Sets *had_invalid when something was replaced.
std::string repair_utf8(std::string_view text, bool* had_invalid = nullptr);

// What guess_language weighs: Han characters, and runs of Latin letters (ASCII, accented or
// full-width) counted as words.
struct ScriptCounts {
  int han = 0, latin_words = 0;
};
ScriptCounts count_scripts(std::string_view text);

// Chinese when Han characters outweigh Latin words (a Han character counts 2/3 of a word, so
// "iPhone 很好" is Chinese and "I love 北京 very much" English); English otherwise.
Lang guess_language(std::string_view text);

// Drops spaces next to Chinese characters or full-width punctuation ("我 喜欢 iPhone 。" ->
// "我喜欢iPhone。"): Chinese is written without spaces, but decoded pieces may carry them.
std::string tidy_chinese_spacing(std::string_view text);

// Subtitle Chinese separates clauses with spaces: "如果你们真想让她说话 那我去跟她见面吧" ->
// "如果你们真想让她说话，那我去跟她见面吧". Only spaces between two Han characters change.
std::string spaces_to_commas(std::string_view text);

// Simplified -> Traditional (OpenCC s2twp) for users who want Traditional output.
std::string to_traditional(std::string_view text);

}  // namespace mt
