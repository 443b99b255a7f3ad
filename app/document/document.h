// Document translation: Markdown and HTML translated piece by piece, their markup kept.
// Torch-free (library mt_document): the caller passes a TranslateFn that runs the model.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mt::doc {

enum class Format { Text, Markdown, Html };

std::optional<Format> parse_format(std::string_view name);  // "text" | "markdown" | "html"
Format guess_format(const std::string& path);               // by extension (.md .markdown .html .htm), Text otherwise
std::string_view format_name(Format format);

// Translates a batch of plain-text pieces (one result per input, in order). The caller binds the
// direction. A piece marks the code it holds verbatim (mark_verbatim, tokenizer/terminology.h),
// which mt's Translator reads through; the results hold no marks.
using TranslateFn = std::function<std::vector<std::string>(const std::vector<std::string>&)>;

// Prose (paragraphs, headings, list items, table cells, link text, image alt) is translated; code
// blocks, inline code, URLs, HTML blocks and front matter are kept byte for byte. A paragraph that
// spans several lines is translated whole and written back on one line (unwrapped).
std::string translate_markdown(const std::string& document, const TranslateFn& translate);

// Text nodes and alt/title attributes are translated; every tag, attribute and entity outside them,
// and <script>, <style>, <pre>, <code> (and elements with translate="no") are kept byte for byte.
// Inline tags inside a sentence (<b>, <a>, ...) are carried through the translation.
std::string translate_html(const std::string& document, const TranslateFn& translate);

}  // namespace mt::doc
