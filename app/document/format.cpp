#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "app/document/document.h"

namespace mt::doc {

namespace {
constexpr Format kFormats[] = {Format::Text, Format::Markdown, Format::Html, Format::Srt, Format::Vtt, Format::Gettext,
                               Format::Docx, Format::Pptx, Format::Odt, Format::Odp, Format::Epub};
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::Markdown: return "markdown";
    case Format::Html: return "html";
    case Format::Srt: return "srt";
    case Format::Vtt: return "vtt";
    case Format::Gettext: return "po";
    case Format::Docx: return "docx";
    case Format::Pptx: return "pptx";
    case Format::Odt: return "odt";
    case Format::Odp: return "odp";
    case Format::Epub: return "epub";
    case Format::Text: break;
  }
  return "text";
}

std::optional<Format> parse_format(std::string_view name) {
  for (Format f : kFormats)
    if (format_name(f) == name) return f;
  return std::nullopt;
}

std::vector<std::string> format_names() {
  std::vector<std::string> names;
  for (Format f : kFormats) names.emplace_back(format_name(f));
  return names;
}

AlignFn align_with(const WordAlignerFile& aligner) {
  if (!aligner) return {};
  return [aligner](const std::string& source, const std::string& translation) {
    return aligner->align_spans(source, translation);
  };
}

std::string translate_as(Format format, const std::string& document, const TranslateFn& translate,
                         const DocumentOptions& options) {
  switch (format) {
    case Format::Markdown: return translate_markdown(document, translate, options.align);
    case Format::Html: return translate_html(document, translate, options.align);
    case Format::Srt: return translate_subtitles(document, /*vtt=*/false, translate, options.align);
    case Format::Vtt: return translate_subtitles(document, /*vtt=*/true, translate, options.align);
    case Format::Gettext: return translate_gettext(document, translate, options);
    case Format::Docx:
    case Format::Pptx:
    case Format::Odt:
    case Format::Odp: return translate_office(document, format, translate, options.align);
    case Format::Epub: return translate_epub(document, translate, options.align);
    case Format::Text: break;
  }
  throw std::logic_error("translate_as: plain text is translated line by line");
}

namespace {
std::string extension_of(const std::string& path) {
  const auto dot = path.find_last_of('.');
  const auto slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}
}  // namespace

Format guess_format(const std::string& path) {
  const std::string ext = extension_of(path);
  if (ext == "md" || ext == "markdown") return Format::Markdown;
  if (ext == "html" || ext == "htm" || ext == "xhtml") return Format::Html;
  if (ext == "srt") return Format::Srt;
  if (ext == "vtt") return Format::Vtt;
  if (ext == "po" || ext == "pot") return Format::Gettext;
  for (Format f : {Format::Docx, Format::Pptx, Format::Odt, Format::Odp, Format::Epub})
    if (ext == format_name(f)) return f;
  return Format::Text;
}

std::vector<std::string> file_extensions() {
  return {".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".srt", ".vtt", ".po", ".pot",
          ".docx", ".pptx", ".odt", ".odp", ".epub"};
}

bool has_file_extension(const std::string& path) {
  const std::string ext = "." + extension_of(path);
  const auto all = file_extensions();
  return std::find(all.begin(), all.end(), ext) != all.end();
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t at = 0;
  for (size_t nl; (nl = text.find('\n', at)) != std::string_view::npos; at = nl + 1) lines.emplace_back(text.substr(at, nl - at));
  lines.emplace_back(text.substr(at));
  return lines;
}

}  // namespace mt::doc
