// Markdown: cmark-gfm (GitHub-flavoured: tables, autolinks, strikethrough, task lists) finds the
// prose and where it stands in the source; only those bytes are replaced, so code blocks, inline
// code, link targets, HTML and front matter come out byte for byte.
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "app/document/document.h"
#include "app/document/inline_translation.h"

namespace mt::doc {

namespace {

// Huge documents are parsed and translated this many bytes at a time (cut at blank lines outside
// fenced code), so memory follows the chunk, not the document.
constexpr size_t kChunkBytes = 256 * 1024;

struct Replacement {
  size_t begin, end;
  size_t unit;
};

// Byte offsets of cmark's line:column positions (1-based, columns in bytes) within a chunk.
class Positions {
 public:
  explicit Positions(std::string_view text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }
  size_t offset(int line, int column) const {
    if (line < 1 || size_t(line) > starts_.size() || column < 1) return std::string::npos;
    return starts_[size_t(line) - 1] + size_t(column) - 1;
  }

 private:
  std::vector<size_t> starts_;
};

bool is_type(cmark_node* node, const char* name) { return std::strcmp(cmark_node_get_type_string(node), name) == 0; }

// An autolink's text is its URL: never translated.
bool is_autolink_text(cmark_node* text) {
  cmark_node* parent = cmark_node_parent(text);
  if (!parent || cmark_node_get_type(parent) != CMARK_NODE_LINK) return false;
  const std::string url = cmark_node_get_url(parent) ? cmark_node_get_url(parent) : "";
  const std::string literal = cmark_node_get_literal(text) ? cmark_node_get_literal(text) : "";
  return url == literal || url == "mailto:" + literal || url == "http://" + literal || url == "https://" + literal;
}

// The text, line-break and code-span nodes of a block, in order (the rest is markup).
void collect_inlines(cmark_node* node, std::vector<cmark_node*>& items) {
  for (cmark_node* child = cmark_node_first_child(node); child; child = cmark_node_next(child)) {
    switch (cmark_node_get_type(child)) {
      case CMARK_NODE_TEXT:
        items.push_back(child);
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
      case CMARK_NODE_CODE: items.push_back(child); break;
      case CMARK_NODE_HTML_INLINE: break;
      default: collect_inlines(child, items);  // emphasis, links, images, strikethrough
    }
  }
}

// The length of the entity (&amp; &#38; &#x26;) at the start of s, or 0.
size_t entity_length(std::string_view s) {
  if (s.empty() || s[0] != '&') return 0;
  size_t i = 1;
  while (i < s.size() && i < 33 && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '#')) ++i;
  return i > 1 && i < s.size() && s[i] == ';' ? i + 1 : 0;
}

// Where the source of a text node that starts at `begin` ends: its literal read back through
// backslash escapes and entities (cmark's end columns miss those), or npos if it does not match.
size_t source_end(std::string_view chunk, size_t begin, std::string_view literal) {
  if (begin > chunk.size()) return std::string::npos;
  size_t i = begin, j = 0;
  while (j < literal.size()) {
    if (i >= chunk.size()) return std::string::npos;
    if (const size_t entity = entity_length(chunk.substr(i)); entity > 0 && !(chunk[i] == literal[j] && entity == 1)) {
      i += entity;  // one character of the literal
      ++j;
      while (j < literal.size() && (static_cast<unsigned char>(literal[j]) & 0xC0) == 0x80) ++j;
    } else if (chunk[i] == literal[j]) {
      ++i, ++j;
    } else if (chunk[i] == '\\' && i + 1 < chunk.size() && chunk[i + 1] == literal[j]) {
      i += 2, ++j;
    } else {
      return std::string::npos;
    }
  }
  return i;
}

// Text next to text (cmark splits it at brackets and escapes, a soft break joins lines) is one run.
void append_text(Unit& unit, std::string_view original, std::string_view text) {
  if (!unit.empty() && unit.back().is_text) {
    unit.back().original += original;
    unit.back().text += text;
  } else {
    unit.push_back({true, std::string(original), std::string(text)});
  }
}

// A soft line break's bytes: what ends the line, the newline, the next line's container prefix
// ("> ", indentation). The paragraph is unwrapped: the break becomes one space.
void add_soft_break(Unit& unit, std::string_view gap) {
  const size_t newline = gap.find('\n');
  if (newline == std::string_view::npos) {
    unit.push_back({false, std::string(gap), ""});
    return;
  }
  std::string_view before = gap.substr(0, newline);
  while (!before.empty() && (before.back() == ' ' || before.back() == '\t' || before.back() == '\r')) before.remove_suffix(1);
  size_t after = newline + 1;
  while (after < gap.size() && (gap[after] == ' ' || gap[after] == '\t' || gap[after] == '>')) ++after;
  if (!before.empty()) unit.push_back({false, std::string(before), ""});
  append_text(unit, " ", " ");
  if (after < gap.size()) unit.push_back({false, std::string(gap.substr(after)), ""});
}

// The unit of one paragraph, heading or table cell, and the byte range it replaces; false when
// cmark's positions do not match the source (the block is then left as it is).
bool build_unit(cmark_node* block, std::string_view chunk, const Positions& positions, Unit* unit,
                size_t* begin, size_t* end) {
  std::vector<cmark_node*> items;
  collect_inlines(block, items);
  bool pending_break = false;
  std::string reads_as;  // what the markup before the next text reads as
  size_t cursor = std::string::npos;
  for (cmark_node* node : items) {
    if (cmark_node_get_type(node) == CMARK_NODE_SOFTBREAK) {
      pending_break = cursor != std::string::npos;
      continue;
    }
    // Markup that reads as text inside the sentence: inline code and autolinks (copied verbatim
    // when the model keeps them), a hard line break (a space).
    if (cmark_node_get_type(node) == CMARK_NODE_CODE || is_autolink_text(node)) {
      reads_as += cmark_node_get_literal(node) ? cmark_node_get_literal(node) : "";
      continue;
    }
    if (cmark_node_get_type(node) == CMARK_NODE_LINEBREAK) {
      reads_as += " ";
      continue;
    }
    const std::string literal = cmark_node_get_literal(node) ? cmark_node_get_literal(node) : "";
    const size_t b = positions.offset(cmark_node_get_start_line(node), cmark_node_get_start_column(node));
    const size_t e = source_end(chunk, b, literal);
    if (e == std::string::npos || (cursor != std::string::npos && b < cursor)) return false;
    const std::string_view source = chunk.substr(b, e - b);
    if (cursor == std::string::npos) {
      *begin = b;
    } else {
      const std::string_view gap = chunk.substr(cursor, b - cursor);
      if (pending_break) {
        add_soft_break(*unit, gap);
      } else if (!gap.empty()) {
        // A bare URL (GFM's autolink extension) ends at the first space: keep words off it.
        const bool bare_url = !reads_as.empty() && gap == reads_as;
        unit->push_back({false, std::string(gap), reads_as, bare_url});
      }
    }
    pending_break = false;
    reads_as.clear();
    append_text(*unit, source, literal);
    cursor = e;
  }
  if (cursor == std::string::npos) return false;
  *end = cursor;
  return true;
}

std::string escape_markdown(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::strchr("\\`*_[]<|", c)) out += '\\';
    out += c;
  }
  return out;
}

// Front matter (a YAML block between --- lines at the very start): its length, or 0.
size_t front_matter_length(std::string_view doc) {
  if (doc.substr(0, 4) != "---\n" && doc.substr(0, 5) != "---\r\n") return 0;
  for (size_t line = doc.find('\n') + 1; line < doc.size();) {
    size_t next = doc.find('\n', line);
    const std::string_view text = doc.substr(line, (next == std::string_view::npos ? doc.size() : next) - line);
    if (text == "---" || text == "..." || text == "---\r" || text == "...\r")
      return next == std::string_view::npos ? doc.size() : next + 1;
    if (next == std::string_view::npos) break;
    line = next + 1;
  }
  return 0;
}

bool is_fence(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  return line.substr(i, 3) == "```" || line.substr(i, 3) == "~~~";
}

// Where the chunk that starts at `begin` ends: after the first blank line outside fenced code past
// kChunkBytes (or the end).
size_t chunk_end(std::string_view doc, size_t begin) {
  bool in_fence = false;
  for (size_t line = begin; line < doc.size();) {
    size_t next = doc.find('\n', line);
    next = next == std::string_view::npos ? doc.size() : next + 1;
    const std::string_view text = doc.substr(line, next - line);
    if (is_fence(text)) in_fence = !in_fence;
    const bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (blank && !in_fence && next - begin >= kChunkBytes) return next;
    line = next;
  }
  return doc.size();
}

cmark_syntax_extension* extension(const char* name) {
  cmark_syntax_extension* e = cmark_find_syntax_extension(name);
  if (!e) throw std::runtime_error(std::string("cmark-gfm has no '") + name + "' extension");
  return e;
}

// One chunk: parsed, its prose translated, written back.
std::string translate_chunk(std::string_view chunk, size_t front_matter, const TranslateFn& translate,
                            const AlignFn& align) {
  std::string parsed(chunk);
  for (size_t i = 0; i < front_matter; ++i)  // the parser sees blank lines there, same positions
    if (parsed[i] != '\n') parsed[i] = ' ';
  std::unique_ptr<cmark_parser, void (*)(cmark_parser*)> parser(cmark_parser_new(CMARK_OPT_SOURCEPOS | CMARK_OPT_FOOTNOTES), cmark_parser_free);
  for (const char* name : {"table", "autolink", "strikethrough", "tasklist"})
    cmark_parser_attach_syntax_extension(parser.get(), extension(name));
  cmark_parser_feed(parser.get(), parsed.data(), parsed.size());
  std::unique_ptr<cmark_node, void (*)(cmark_node*)> root(cmark_parser_finish(parser.get()), cmark_node_free);

  const Positions positions(chunk);
  std::vector<Unit> units;
  std::vector<Replacement> replacements;
  cmark_iter* iter = cmark_iter_new(root.get());
  for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
    cmark_node* node = cmark_iter_get_node(iter);
    if (ev != CMARK_EVENT_ENTER) continue;
    const auto type = cmark_node_get_type(node);
    if (type != CMARK_NODE_PARAGRAPH && type != CMARK_NODE_HEADING && !is_type(node, "table_cell")) continue;
    Unit unit;
    size_t begin = 0, end = 0;
    if (build_unit(node, chunk, positions, &unit, &begin, &end) && begin >= front_matter &&
        (replacements.empty() || begin >= replacements.back().end)) {
      replacements.push_back({begin, end, units.size()});
      units.push_back(std::move(unit));
    }
  }
  cmark_iter_free(iter);

  const auto translated = translate_units(units, translate, escape_markdown, align);
  std::string out;
  size_t at = 0;
  for (const auto& r : replacements) {
    out.append(chunk.substr(at, r.begin - at));
    out += translated[r.unit];
    at = r.end;
  }
  out.append(chunk.substr(at));
  return out;
}

}  // namespace

std::string translate_markdown(const std::string& document, const TranslateFn& translate, const AlignFn& align) {
  cmark_gfm_core_extensions_ensure_registered();
  const std::string_view doc(document);
  const size_t front_matter = front_matter_length(doc);
  std::string out;
  out.reserve(document.size());
  for (size_t begin = 0; begin < doc.size();) {
    const size_t end = chunk_end(doc, std::max(begin, begin == 0 ? front_matter : begin));
    out += translate_chunk(doc.substr(begin, end - begin), begin == 0 ? front_matter : 0, translate, align);
    begin = end;
  }
  return out;
}

}  // namespace mt::doc
