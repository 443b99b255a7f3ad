// Parse trees of Markdown (cmark-gfm) and HTML (gumbo) as comparable lists, for the structure
// checks of document translation: everything but the prose.
#pragma once
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <gumbo.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// A file of tests/data, whole.
inline std::string test_data(const std::string& name) {
  std::ifstream in(std::string(MT_SOURCE_DIR) + "/tests/data/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// One entry per node, in document order: its type, and for code, HTML and links what must not
// change (literal, URL). Text is left out. `with_inlines`: emphasis, links and images too, else
// blocks, code and the link targets only.
inline std::vector<std::string> markdown_tree(const std::string& doc, bool with_inlines = true) {
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser* parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  for (const char* name : {"table", "autolink", "strikethrough", "tasklist"})
    cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension(name));
  cmark_parser_feed(parser, doc.data(), doc.size());
  cmark_node* root = cmark_parser_finish(parser);
  std::vector<std::string> tree;
  cmark_iter* it = cmark_iter_new(root);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* n = cmark_iter_get_node(it);
    const auto type = cmark_node_get_type(n);
    const char* literal = cmark_node_get_literal(n);
    const char* url = (type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) ? cmark_node_get_url(n) : nullptr;
    switch (type) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_SOFTBREAK: break;
      case CMARK_NODE_CODE:
      case CMARK_NODE_CODE_BLOCK:
      case CMARK_NODE_HTML_BLOCK:
      case CMARK_NODE_HTML_INLINE:
        tree.push_back(std::string(cmark_node_get_type_string(n)) + ": " + (literal ? literal : ""));
        break;
      case CMARK_NODE_LINK:
      case CMARK_NODE_IMAGE:
        tree.push_back(with_inlines ? std::string(cmark_node_get_type_string(n)) + ": " + (url ? url : "")
                                    : std::string("url: ") + (url ? url : ""));
        break;
      case CMARK_NODE_EMPH:
      case CMARK_NODE_STRONG:
      case CMARK_NODE_LINEBREAK:
        if (with_inlines) tree.push_back(cmark_node_get_type_string(n));
        break;
      default:
        if (with_inlines || std::strcmp(cmark_node_get_type_string(n), "strikethrough") != 0)
          tree.push_back(cmark_node_get_type_string(n));
    }
  }
  cmark_iter_free(it);
  cmark_node_free(root);
  cmark_parser_free(parser);
  return tree;
}

namespace trees_detail {
inline bool keeps_text(GumboTag tag) {
  return tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_PRE || tag == GUMBO_TAG_CODE ||
         tag == GUMBO_TAG_TEXTAREA;
}
inline void walk(const GumboNode* node, bool keep_text, std::vector<std::string>& tree) {
  if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE) {
    const GumboElement& e = node->v.element;
    std::string entry = "<" + std::string(gumbo_normalized_tagname(e.tag));
    if (e.tag == GUMBO_TAG_UNKNOWN && e.original_tag.length) entry += std::string(e.original_tag.data, e.original_tag.length);
    for (unsigned i = 0; i < e.attributes.length; ++i) {
      const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
      const bool translated = !std::strcmp(a->name, "alt") || !std::strcmp(a->name, "title");
      entry += " " + std::string(a->name) + (translated ? "" : "=" + std::string(a->value));
    }
    tree.push_back(entry + ">");
    for (unsigned i = 0; i < e.children.length; ++i)
      walk(static_cast<const GumboNode*>(e.children.data[i]), keep_text || keeps_text(e.tag), tree);
    tree.push_back("</" + std::string(gumbo_normalized_tagname(e.tag)) + ">");
  } else if (node->type == GUMBO_NODE_COMMENT) {
    tree.push_back(std::string("<!--") + node->v.text.text + "-->");
  } else if (keep_text && (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE || node->type == GUMBO_NODE_CDATA)) {
    tree.push_back(std::string("text: ") + node->v.text.text);
  }
}
}  // namespace trees_detail

// Every element (with its attributes, alt/title by name only) and comment in order, and the text
// of script, style, pre, code and textarea.
inline std::vector<std::string> html_tree(const std::string& doc) {
  GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, doc.data(), doc.size());
  std::vector<std::string> tree;
  trees_detail::walk(out->root, false, tree);
  gumbo_destroy_output(&kGumboDefaultOptions, out);
  return tree;
}
