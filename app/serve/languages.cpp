#include "app/serve/languages.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace mt::serve {

std::optional<Lang> parse_language(std::string_view code) {
  std::string c(code);
  std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  std::replace(c.begin(), c.end(), '_', '-');
  if (c == "en") return Lang::En;
  if (c == "zh" || c == "zh-hans" || c == "zh-cn") return Lang::Zh;
  return std::nullopt;
}

std::string language_code(Lang lang) { return lang == Lang::Zh ? "zh" : "en"; }
std::string language_name(Lang lang) { return lang == Lang::Zh ? "Chinese" : "English"; }

Detection detect_language(std::string_view text) {
  const ScriptCounts counts = count_scripts(text);
  const Lang language = guess_language(text);
  // guess_language picks Chinese when 2 x Han characters >= 3 x Latin words.
  const double zh = 2.0 * counts.han, en = 3.0 * counts.latin_words;
  const double share = zh + en == 0 ? 0.0 : (language == Lang::Zh ? zh : en) / (zh + en);
  return {language, std::round(share * 1000) / 10};
}

}  // namespace mt::serve
