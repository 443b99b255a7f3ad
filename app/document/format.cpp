#include <algorithm>
#include <cctype>

#include "app/document/document.h"

namespace mt::doc {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::Text;
  if (name == "markdown") return Format::Markdown;
  if (name == "html") return Format::Html;
  return std::nullopt;
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::Markdown: return "markdown";
    case Format::Html: return "html";
    default: return "text";
  }
}

Format guess_format(const std::string& path) {
  const auto dot = path.find_last_of('.');
  const auto slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return Format::Text;
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (ext == "md" || ext == "markdown") return Format::Markdown;
  if (ext == "html" || ext == "htm") return Format::Html;
  return Format::Text;
}

}  // namespace mt::doc
