// Text files and Markdown/HTML documents through a Translator: what `mt translate` does with its
// input, shared with the Python module so both give the same bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "app/document/document.h"
#include "model/translate/translator.h"

namespace mt::app {

struct TranslationCounts {
  int64_t lines = 0, source_tokens = 0, target_tokens = 0;
};

// Every input line gives exactly one output line, in order, read and translated `chunk_lines` at a
// time so memory stays bounded. With n_best > 1 each line gives its "line<TAB>score<TAB>text" lines
// (0-based, as fairseq). With `alignments` each line is "translation ||| 0-0 1-2 ...": source-target
// links between the aligner's words (alignment_tokens), as Marian and fast_align print them.
// Invalid UTF-8 is replaced (and warned about); after each chunk on_chunk(lines so far) runs.
// `name`: the input as error messages call it.
TranslationCounts translate_lines(std::istream& in, std::ostream& out, Translator& translator, std::optional<Lang> to,
                                  int64_t n_best, int64_t chunk_lines, const std::string& name,
                                  const std::function<void(int64_t)>& on_chunk = {},
                                  const WordAligner* alignments = nullptr);

// A document (Markdown, HTML, subtitles, gettext, Office, EPUB), translated whole with its markup
// kept (app/document), placed by `aligner` where the model has one. `overwrite`: a catalogue's
// translated entries are translated again too.
std::string translate_document(doc::Format format, const std::string& document, Translator& translator,
                               const WordAlignerFile& aligner, std::optional<Lang> to, bool overwrite = false, TranslationCounts* counts = nullptr);

}  // namespace mt::app
