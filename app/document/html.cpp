// HTML: gumbo (an HTML5 parser: any input gives a tree) finds the text nodes and the alt/title
// attributes and where they stand in the source; only those bytes are replaced, so every tag,
// attribute, comment and entity elsewhere comes out byte for byte, and invalid HTML stays as it came.
#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <cstring>
#include <memory>

#include "app/document/document.h"
#include "app/document/inline_translation.h"

namespace mt::doc {

namespace {

// A huge page is parsed and translated this many bytes at a time (cut after a block's end tag).
constexpr size_t kChunkBytes = 1 << 20;
// Inline runs are translated this many at a time, so the pieces in flight stay bounded.
constexpr size_t kUnitsPerBatch = 20000;

struct Span {
  size_t begin, end;  // bytes in the document
  std::string text;   // decoded
  bool quoted = true;  // attributes: the value stood in quotes
  bool operator<(const Span& other) const { return begin < other.begin; }
};
struct Replacement {
  size_t begin, end;
  std::string bytes;
};

// Elements whose content is never translated. The inline ones (code, kbd, samp, var) stay inside
// their sentence as markup; the others end it.
bool is_untouched_inline(GumboTag tag) {
  return tag == GUMBO_TAG_CODE || tag == GUMBO_TAG_KBD || tag == GUMBO_TAG_SAMP || tag == GUMBO_TAG_VAR;
}
bool is_untouched_block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_PRE: case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT: case GUMBO_TAG_XMP: case GUMBO_TAG_PLAINTEXT:
      return true;
    default: return false;
  }
}
// Phrasing elements: a sentence runs through them.
bool is_inline(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_A: case GUMBO_TAG_ABBR: case GUMBO_TAG_B: case GUMBO_TAG_BDI: case GUMBO_TAG_BDO:
    case GUMBO_TAG_BR: case GUMBO_TAG_CITE: case GUMBO_TAG_DATA: case GUMBO_TAG_DFN: case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT: case GUMBO_TAG_I: case GUMBO_TAG_IMG: case GUMBO_TAG_MARK: case GUMBO_TAG_Q:
    case GUMBO_TAG_S: case GUMBO_TAG_SMALL: case GUMBO_TAG_SPAN: case GUMBO_TAG_STRONG: case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP: case GUMBO_TAG_TIME: case GUMBO_TAG_U: case GUMBO_TAG_WBR: case GUMBO_TAG_DEL:
    case GUMBO_TAG_INS: case GUMBO_TAG_LABEL: case GUMBO_TAG_BIG: case GUMBO_TAG_STRIKE: case GUMBO_TAG_TT:
    case GUMBO_TAG_NOBR: case GUMBO_TAG_RUBY: case GUMBO_TAG_RT: case GUMBO_TAG_RP:
      return true;
    default: return is_untouched_inline(tag);
  }
}

bool translate_no(const GumboElement& e) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, "translate");
  return a && std::strcmp(a->value, "no") == 0;
}

// Walks the tree and collects what to translate, with its byte ranges.
class Collector {
 public:
  explicit Collector(std::string_view doc) : doc_(doc) {}
  std::vector<std::vector<Span>> runs;  // the text nodes of each inline run, in source order
  std::vector<Span> attributes;         // alt/title values (the bytes inside the quotes, if quoted)
  std::vector<Span> reads_as;           // markup that reads as text in a sentence: <code>ls</code>, <br>

  void visit(const GumboNode* node) {
    switch (node->type) {
      case GUMBO_NODE_DOCUMENT:
        visit_children(node->v.document.children);
        break;
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE: add_text(node->v.text); break;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: visit_element(node->v.element); break;
      default: break;  // comments and CDATA: markup
    }
  }
  void flush() {
    if (!current_.empty()) runs.push_back(std::move(current_));
    current_.clear();
  }

 private:
  void visit_children(const GumboVector& children) {
    for (unsigned i = 0; i < children.length; ++i) visit(static_cast<const GumboNode*>(children.data[i]));
  }

  void visit_element(const GumboElement& e) {
    const bool untouched = is_untouched_block(e.tag) || translate_no(e);
    if (untouched || !is_inline(e.tag)) flush();
    if (untouched) return;
    add_attributes(e);
    if (e.tag == GUMBO_TAG_BR && in_document(e.original_tag))
      reads_as.push_back({offset(e.original_tag), offset(e.original_tag) + e.original_tag.length, " "});
    if (is_untouched_inline(e.tag)) {  // its bytes stay in the sentence as markup
      if (in_document(e.original_tag)) reads_as.push_back({offset(e.original_tag), offset(e.original_tag) + 1, text_of(e)});
      return;
    }
    visit_children(e.children);
    if (!is_inline(e.tag)) flush();
  }

  size_t offset(const GumboStringPiece& s) const { return size_t(s.data - doc_.data()); }

  static std::string text_of(const GumboElement& e) {
    std::string text;
    for (unsigned i = 0; i < e.children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(e.children.data[i]);
      if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE) text += child->v.text.text;
      else if (child->type == GUMBO_NODE_ELEMENT) text += text_of(child->v.element);
    }
    return text;
  }

  bool in_document(const GumboStringPiece& s) const {
    return s.data && s.length > 0 && s.data >= doc_.data() && s.data + s.length <= doc_.data() + doc_.size();
  }

  void add_text(const GumboText& t) {
    if (!in_document(t.original_text)) return flush();
    const size_t begin = size_t(t.original_text.data - doc_.data());
    // The parser moves misplaced text (foster parenting): a run follows the source order.
    if (!current_.empty() && begin < current_.back().end) flush();
    // A tag the parser ignored (a stray </td>) ends up inside the text's bytes: the text ends there,
    // and the tag's bytes stay as they are.
    const std::string_view raw(t.original_text.data, t.original_text.length);
    size_t length = raw.size();
    for (size_t lt = raw.find('<'); lt != std::string_view::npos && lt + 1 < raw.size(); lt = raw.find('<', lt + 1))
      if (std::isalpha(static_cast<unsigned char>(raw[lt + 1])) || raw[lt + 1] == '/' || raw[lt + 1] == '!') {
        length = lt;
        break;
      }
    current_.push_back({begin, begin + length, t.text});
  }

  void add_attributes(const GumboElement& e) {
    for (unsigned i = 0; i < e.attributes.length; ++i) {
      const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
      if (std::strcmp(a->name, "alt") != 0 && std::strcmp(a->name, "title") != 0) continue;
      if (!in_document(a->original_value) || !has_words(a->value)) continue;
      size_t begin = size_t(a->original_value.data - doc_.data()), end = begin + a->original_value.length;
      const char q = doc_[begin];
      const bool is_quoted = (q == '"' || q == '\'') && end - begin >= 2 && doc_[end - 1] == q;
      if (is_quoted) ++begin, --end;
      attributes.push_back({begin, end, a->value, is_quoted});
    }
  }

  std::string_view doc_;
  std::vector<Span> current_;
};

std::string escape_attribute(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"') out += "&quot;";
    else if (c == '\'') out += "&#39;";
    else out += escape_xml_text(std::string(1, c));
  }
  return out;
}

// doc[begin, end) with the replacements (sorted, disjoint) that fall inside it applied.
std::string render(std::string_view doc, size_t begin, size_t end, const std::vector<Replacement>& replacements) {
  std::string out;
  auto it = std::lower_bound(replacements.begin(), replacements.end(), begin,
                             [](const Replacement& r, size_t at) { return r.begin < at; });
  size_t at = begin;
  for (; it != replacements.end() && it->end <= end; ++it) {
    out.append(doc.substr(at, it->begin - at));
    out += it->bytes;
    at = it->end;
  }
  out.append(doc.substr(at, end - at));
  return out;
}

// What the markup in doc[begin, end) reads as (atoms: sorted by position).
std::string reads_as(const std::vector<Span>& atoms, size_t begin, size_t end) {
  std::string text;
  auto it = std::lower_bound(atoms.begin(), atoms.end(), begin, [](const Span& s, size_t at) { return s.begin < at; });
  for (; it != atoms.end() && it->begin < end; ++it) text += it->text;
  return text;
}

}  // namespace

namespace {

// One chunk of the page: parsed, its text and attributes translated, written back.
std::string translate_chunk(const std::string& document, const TranslateFn& translate, const AlignFn& align) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // invalid HTML: do not keep a list of every error
  std::unique_ptr<GumboOutput, std::function<void(GumboOutput*)>> output(
      gumbo_parse_with_options(&options, document.data(), document.size()),
      [&](GumboOutput* o) { gumbo_destroy_output(&options, o); });
  Collector collector(document);
  collector.visit(output->document);
  collector.flush();
  output.reset();  // every range and text is copied out: the tree can go
  // The tree's order is not always the source's (text moved out of tables): sort by position.
  std::sort(collector.attributes.begin(), collector.attributes.end());
  std::sort(collector.reads_as.begin(), collector.reads_as.end());
  std::sort(collector.runs.begin(), collector.runs.end(),
            [](const std::vector<Span>& a, const std::vector<Span>& b) { return a.front().begin < b.front().begin; });
  // A run whose text lies inside another's stretch stays as it is, markup of the other.
  std::vector<std::vector<Span>> runs;
  for (auto& run : collector.runs)
    if (runs.empty() || run.front().begin >= runs.back().back().end) runs.push_back(std::move(run));
  collector.runs = std::move(runs);

  // Attributes first: their translations are part of the markup the sentences carry.
  std::vector<Replacement> attributes;
  {
    std::vector<Unit> units;
    for (const auto& a : collector.attributes) units.push_back({{true, document.substr(a.begin, a.end - a.begin), a.text}});
    const auto translated = translate_units(units, translate, escape_attribute, align);
    for (size_t i = 0; i < units.size(); ++i) {
      const auto& a = collector.attributes[i];
      const bool changed = translated[i] != units[i][0].original;
      attributes.push_back({a.begin, a.end, changed && !a.quoted ? '"' + translated[i] + '"' : translated[i]});
    }
  }

  std::vector<Replacement> sentences;
  for (size_t start = 0; start < collector.runs.size(); start += kUnitsPerBatch) {
    const size_t stop = std::min(collector.runs.size(), start + kUnitsPerBatch);
    std::vector<Unit> units;
    for (size_t r = start; r < stop; ++r) {
      const auto& spans = collector.runs[r];
      Unit unit;
      for (size_t i = 0; i < spans.size(); ++i) {
        if (i > 0 && spans[i].begin > spans[i - 1].end)
          unit.push_back({false, render(document, spans[i - 1].end, spans[i].begin, attributes),
                          reads_as(collector.reads_as, spans[i - 1].end, spans[i].begin)});
        unit.push_back({true, document.substr(spans[i].begin, spans[i].end - spans[i].begin), spans[i].text});
      }
      units.push_back(std::move(unit));
    }
    const auto translated = translate_units(units, translate, escape_xml_text, align);
    for (size_t r = start; r < stop; ++r)
      sentences.push_back({collector.runs[r].front().begin, collector.runs[r].back().end, translated[r - start]});
  }

  std::string out;
  size_t at = 0;
  for (const auto& s : sentences) {
    out += render(document, at, s.begin, attributes);
    out += s.bytes;
    at = s.end;
  }
  out += render(document, at, document.size(), attributes);
  return out;
}

// Elements whose content is not cut: raw text (script, style, textarea...) or kept whole (pre).
bool is_not_cut(const std::string& name) {
  static const char* names[] = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
                                "noscript", "pre", "template", "svg", "math", "plaintext"};
  return std::find_if(std::begin(names), std::end(names), [&](const char* n) { return name == n; }) != std::end(names);
}
bool is_block_end(const std::string& name) {
  static const char* names[] = {"p", "div", "li", "tr", "table", "ul", "ol", "dl", "section", "article", "h1", "h2",
                                "h3", "h4", "h5", "h6", "blockquote", "footer", "header", "main", "nav", "aside"};
  return std::find_if(std::begin(names), std::end(names), [&](const char* n) { return name == n; }) != std::end(names);
}

size_t find_lower(std::string_view doc, std::string_view what, size_t from) {
  for (size_t i = doc.find('<', from); i != std::string_view::npos; i = doc.find('<', i + 1)) {
    size_t k = 0;
    while (k < what.size() && i + k < doc.size() && std::tolower(static_cast<unsigned char>(doc[i + k])) == what[k]) ++k;
    if (k == what.size()) return i;
  }
  return std::string_view::npos;
}

// Where the chunk that starts at `begin` ends: after the first end tag of a block (</p>, </div>,
// </li>, </tr>...) past kChunkBytes, never inside a comment, a tag or an element in is_not_cut.
// Each chunk is parsed on its own, so a huge page never has its whole tree in memory.
size_t chunk_end(std::string_view doc, size_t begin) {
  const size_t n = doc.size();
  for (size_t i = begin; i < n;) {
    const size_t lt = doc.find('<', i);
    if (lt == std::string_view::npos) return n;
    if (doc.compare(lt, 4, "<!--") == 0) {
      const size_t e = doc.find("-->", lt + 4);
      if (e == std::string_view::npos) return n;
      i = e + 3;
      continue;
    }
    size_t j = lt + 1;
    const bool closing = j < n && doc[j] == '/';
    if (closing) ++j;
    std::string name;
    while (j < n && std::isalnum(static_cast<unsigned char>(doc[j]))) name += char(std::tolower(static_cast<unsigned char>(doc[j++])));
    if (name.empty()) {
      i = lt + 1;
      continue;
    }
    for (char quote = 0; j < n && (quote || doc[j] != '>'); ++j) {
      if (quote) quote = doc[j] == quote ? 0 : quote;
      else if (doc[j] == '"' || doc[j] == '\'') quote = doc[j];
    }
    if (j >= n) return n;
    const size_t tag_end = j + 1;
    if (!closing && is_not_cut(name)) {
      const size_t e = find_lower(doc, "</" + name, tag_end);
      if (e == std::string_view::npos) return n;
      i = e + 2;  // past "</": its name and '>' are skipped as text
      continue;
    }
    if (closing && is_block_end(name) && tag_end - begin >= kChunkBytes) return tag_end;
    i = tag_end;
  }
  return n;
}

}  // namespace

std::string translate_html(const std::string& document, const TranslateFn& translate, const AlignFn& align) {
  std::string out;
  out.reserve(document.size());
  for (size_t begin = 0; begin < document.size();) {
    const size_t end = chunk_end(document, begin);
    out += translate_chunk(document.substr(begin, end - begin), translate, align);
    begin = end;
  }
  return out;
}

}  // namespace mt::doc
