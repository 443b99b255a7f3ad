#include "model/train/markup.h"

#include <regex>

namespace mt {

std::string strip_rest_markup(const std::string& text) {
  if (text.find_first_of(":\\*`[|") == std::string::npos) return text;  // most lines: nothing to do
  static const std::regex literal_block(R"(\s*::\s*$)"), expanded_block(R"((\S)::\s*$)"),
      footnote(R"(\s*\[(#|\d+|\*)\]_)"), strong(R"(\*\*([^\s*][^*]*?[^\s*]|[^\s*])\*\*)"),
      literal(R"(``([^`]+)``)"), substitution(R"(\|(\w[\w -]*\w|\w)\|)"), escape(R"(\\([\\*_`|:<>\[\]]))");
  std::string out = text;
  // "Example::" introduces a code block: the text reads "Example:". " ::" alone disappears.
  out = std::regex_replace(out, expanded_block, "$1:");
  out = std::regex_replace(out, literal_block, "");
  out = std::regex_replace(out, footnote, "");
  out = std::regex_replace(out, strong, "$1");
  out = std::regex_replace(out, literal, "$1");
  out = std::regex_replace(out, substitution, "$1");
  out = std::regex_replace(out, escape, "$1");
  return out;
}

}  // namespace mt
