// Translating inline content with its markup kept: a paragraph's text runs interleaved with the
// markup between them (tags, emphasis marks, inline code, link targets), shared by the Markdown and
// HTML translators.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/document/document.h"

namespace mt::doc {

struct Run {
  bool is_text = false;
  std::string original;  // the bytes as they stand in the document
  std::string text;      // text: what the model reads (entities and escapes decoded); markup: what
                         // it reads as inside the sentence (an inline code's code), often nothing
  bool spaced = false;   // markup: must not touch the words around it (a bare URL would swallow them)
  bool prose = false;    // markup: a code-like word of the text itself (ffi_cif), not a tag: it stays
                         // only where the model wrote it, never moved or added
};
// One paragraph, heading, table cell or attribute: runs in document order.
using Unit = std::vector<Run>;

// How translated plain text is written into the document (entities, backslash escapes).
using Escape = std::function<std::string(const std::string&)>;

// The document bytes of every unit, translated, in one call of `translate`.
//
// Each unit is translated as one sentence (or paragraph) of plain text, its markup taken out, and
// the markup is then projected into the translation, in its original order: markup that reads as
// text (inline code) goes where that text is found verbatim; markup around a text run (a link's
// text, a bold word) goes around the words that run was aligned to (`align`), or without an
// aligner, around where the run's own translation is found in the sentence's; the rest is placed by
// interpolating its relative position between those anchors (at word boundaries in English). The
// sentence is thus always translated whole, its text written once, and the markup always survives;
// only its place can be approximate.
std::vector<std::string> translate_units(const std::vector<Unit>& units, const TranslateFn& translate,
                                         const Escape& escape, const AlignFn& align = {});

// The unit's bytes as they stand (what translate_units gives back for a unit without words).
std::string original_bytes(const Unit& unit);

// Text written into HTML, XML or WebVTT: & < > as entities.
std::string escape_xml_text(const std::string& s);

// Whether text holds anything to translate (a letter or a Han character).
bool has_words(std::string_view text);

}  // namespace mt::doc
