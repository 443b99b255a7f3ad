// The languages mt serves, by LibreTranslate's codes, and its language detection.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "tokenizer/normalizer.h"

namespace mt::serve {

// "en" or "zh"; LibreTranslate's newer "zh-Hans" and the common "zh-CN" / "zh_CN" also mean
// Chinese. Nothing else: nullopt.
std::optional<Lang> parse_language(std::string_view code);
std::string language_code(Lang lang);  // "en", "zh"
std::string language_name(Lang lang);  // "English", "Chinese"

struct Detection {
  Lang language;
  double confidence;  // 0-100, as LibreTranslate reports it
};

// The language the translator's own guess picks (guess_language), with the share of the
// evidence for it as confidence: Han characters against Latin words, weighted as that guess
// weighs them. Text with neither (digits, punctuation) is English with confidence 0.
Detection detect_language(std::string_view text);

}  // namespace mt::serve
