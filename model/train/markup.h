// reStructuredText leftovers in documentation corpora made from .po files: the model should learn
// to translate prose, not to reproduce (or invent) markup.
#pragma once
#include <string>

namespace mt {

// "For example::" -> "For example:", "\*" -> "*", "**bold**" -> "bold", "``x``" -> "x",
// footnote marks ("[#]_", "[1]_") and substitution bars ("|version|" -> "version") removed.
// Code such as "**kwargs" or "std::string" is left alone.
std::string strip_rest_markup(const std::string& text);

}  // namespace mt
