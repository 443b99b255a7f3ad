// Document translation: Markdown, HTML and subtitles translated piece by piece, their markup kept.
// Torch-free (library mt_document): the caller passes a TranslateFn that runs the model.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/align/word_aligner.h"

namespace mt::doc {

enum class Format { Text, Markdown, Html, Srt, Vtt, Gettext, Docx, Pptx, Odt, Odp, Epub };

// "text" | "markdown" | "html" | "srt" | "vtt" | "po" | "docx" | "pptx" | "odt" | "odp" | "epub"
std::optional<Format> parse_format(std::string_view name);
std::vector<std::string> format_names();
// By extension (.md .markdown .html .htm .xhtml .srt .vtt .po .pot .docx .pptx .odt .odp .epub),
// Text otherwise.
Format guess_format(const std::string& path);
// The extensions of the files translated whole (".txt" for text), and whether a name has one.
std::vector<std::string> file_extensions();
bool has_file_extension(const std::string& path);
std::string_view format_name(Format format);

// The lines of a text, split at each '\n' (a text that ends with one ends with an empty line):
// joined back with '\n' they give the text again.
std::vector<std::string> split_lines(std::string_view text);

// Translates a batch of plain-text pieces (one result per input, in order). The caller binds the
// direction. A piece marks the code it holds verbatim (mark_verbatim, tokenizer/terminology.h),
// which mt's Translator reads through; the results hold no marks.
using TranslateFn = std::function<std::vector<std::string>(const std::vector<std::string>&)>;

// Where the words of a sentence went in its translation (WordAligner::align_spans). With it, inline
// markup goes around the words its text was aligned to; without it (a model folder without
// aligner.bin), around where the markup's text, translated alone, is found in the sentence's
// translation.
using AlignFn = std::function<std::vector<SpanLink>(const std::string& source, const std::string& translation)>;
AlignFn align_with(const WordAlignerFile& aligner);  // empty without one; the file is read on the first call

// Prose (paragraphs, headings, list items, table cells, link text, image alt) is translated; code
// blocks, inline code, URLs, HTML blocks and front matter are kept byte for byte. A paragraph that
// spans several lines is translated whole and written back on one line (unwrapped).
std::string translate_markdown(const std::string& document, const TranslateFn& translate,
                              const AlignFn& align = {});

// Text nodes and alt/title attributes are translated; every tag, attribute and entity outside them,
// and <script>, <style>, <pre>, <code> (and elements with translate="no") are kept byte for byte.
// Inline tags inside a sentence (<b>, <a>, ...) are carried through the translation.
std::string translate_html(const std::string& document, const TranslateFn& translate,
                              const AlignFn& align = {});

// SubRip (.srt) or WebVTT (vtt = true): cue numbers, timings and settings, and VTT's header, NOTE,
// STYLE and REGION blocks are kept byte for byte; styling tags (<i>, <font>, {\an8}) are carried
// through. A sentence that runs over several cues is translated whole and spread back over them at
// word boundaries; dialogue lines ("- ...") are translated one by one; each cue is wrapped to about
// 42 Latin or 16 Chinese characters a line. Throws std::runtime_error naming the line of a broken
// timing or a cue without one.
std::string translate_subtitles(const std::string& document, bool vtt, const TranslateFn& translate,
                              const AlignFn& align = {});

// Word, PowerPoint, LibreOffice Writer and Impress files (zip packages of XML): every paragraph of
// the body, headers, footers, notes and slides is translated as one sentence, its runs' formatting
// projected onto the translation; the rest of the package is kept as it is. Throws
// std::runtime_error (one line) for a package that is not of the format, corrupt, or over the
// size limits of zip_archive.h.
std::string translate_office(const std::string& package, Format format, const TranslateFn& translate,
                              const AlignFn& align = {});

// An EPUB: the XHTML documents its manifest lists through translate_html; the rest kept.
std::string translate_epub(const std::string& package, const TranslateFn& translate,
                              const AlignFn& align = {});

struct DocumentOptions {
  bool overwrite = false;  // gettext: entries that have a translation are translated again too
  std::string target;      // "zh", "en", or "" (the other language of the source): a catalogue's header
  AlignFn align;           // places inline markup (Markdown, HTML, subtitles, Office, EPUB)
};

// A gettext catalogue (.po, .pot; libgettextpo): entries without a translation get one (all of
// them with overwrite), plural forms as the header says (a template's header gets the target's
// Language and Plural-Forms), placeholders (%s %1$d %(name)s {0}) kept byte for byte, new
// translations marked fuzzy; one that fails gettext's format check stays untranslated.
std::string translate_gettext(const std::string& document, const TranslateFn& translate,
                              const DocumentOptions& options = {});

// The document translated by its format's function above (not Text).
std::string translate_as(Format format, const std::string& document, const TranslateFn& translate,
                         const DocumentOptions& options = {});

}  // namespace mt::doc
