// Word (.docx), PowerPoint (.pptx), LibreOffice Writer (.odt) and Impress (.odp) files: the XML
// parts that hold the text are parsed (pugixml), each paragraph is translated as one sentence with
// its runs' formatting projected as inline markup, and the package is otherwise kept as it is.
//
// A paragraph's runs become markup tokens around their text; after projection each stretch of the
// translation goes into a run carrying the formatting of the token before it (bold stays on the
// words it was on), and what is not text (a tab, a field, an image, a link) is moved as a whole to
// where the projection placed it.
#include <pugixml.hpp>

#include <algorithm>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "app/document/document.h"
#include "app/document/inline_translation.h"
#include "app/document/zip_archive.h"

namespace mt::doc {

namespace {

// How one XML vocabulary writes paragraphs and runs.
struct Dialect {
  std::vector<std::string> paragraphs;  // "w:p"; ODF: "text:p", "text:h"
  std::string run, run_properties, run_text;  // "w:r", "w:rPr", "w:t"; ODF: "text:span", "", ""
  std::vector<std::string> paragraph_properties;  // kept where they are: "w:pPr", "a:endParaRPr"
  std::vector<std::string> run_extras;            // harmless inside a text run: "w:lastRenderedPageBreak"
  std::vector<std::string> spacing;               // what reads as a space in the sentence: "w:tab", "text:s"
  std::vector<std::string> containers;            // hold runs of the sentence: links ("w:hyperlink", "text:a")
  bool mixed_content = false;                     // ODF: text directly inside the paragraph
};

const Dialect kWord{{"w:p"}, "w:r", "w:rPr", "w:t", {"w:pPr"}, {"w:lastRenderedPageBreak"}, {"w:tab", "w:br"},
                    {"w:hyperlink", "w:smartTag", "w:ins"}, false};
const Dialect kPowerPoint{{"a:p"}, "a:r", "a:rPr", "a:t", {"a:pPr", "a:endParaRPr"}, {}, {"a:br"}, {}, false};
const Dialect kOpenDocument{{"text:p", "text:h"}, "text:span", "", "", {}, {},
                            {"text:s", "text:tab", "text:line-break"}, {"text:a"}, true};

bool contains(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Formatting that marks code (a monospace font or a code style): such runs are kept byte for byte.
bool is_code_style(std::string style) {
  for (char& c : style) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (const char* mark : {"source_20_text", "sourcetext", "mono", "courier", "consolas", "code"})
    if (style.find(mark) != std::string::npos) return true;
  return false;
}

// One child of a paragraph (or of a link in it): a run of text with its formatting; a link's
// start or end; or something moved whole (a tab, a field, an image, code).
struct Item {
  enum Kind { Text, Whole, Open, Close, Merged } kind;
  pugi::xml_node node;
  std::string text;   // Text: the run's text, decoded; Whole: what it reads as in the sentence
  std::string style;  // Text: the run's properties as written (equal styles merge)
};

// A paragraph being translated: its items and the unit the projection works on.
struct Paragraph {
  pugi::xml_node node;
  const Dialect* dialect;
  std::vector<Item> items;
};

std::string serialize(const pugi::xml_node& node) {
  std::ostringstream out;
  node.print(out, "", pugi::format_raw);
  return out.str();
}

// The text of a run made of text only (its properties aside); false for anything else.
bool run_text(const pugi::xml_node& run, const Dialect& d, std::string* text, std::string* style) {
  std::string collected, properties;
  for (const auto& child : run.children()) {
    if (child.type() == pugi::node_pcdata && d.mixed_content) {
      collected += child.value();
    } else if (child.type() == pugi::node_element && child.name() == d.run_text) {
      collected += child.text().get();
    } else if (child.type() == pugi::node_element && !d.run_properties.empty() && child.name() == d.run_properties) {
      properties = serialize(child);
    } else if (!(child.type() == pugi::node_element && contains(d.run_extras, child.name()))) {
      return false;
    }
  }
  if (d.mixed_content)  // a span's formatting is its attributes
    for (const auto& a : run.attributes()) properties += std::string(a.name()) + "=" + a.value() + ";";
  *text = collected;
  *style = properties;
  return true;
}

// The items of a paragraph's children, or of a link's (inside_link: no further nesting).
void add_items(const pugi::xml_node& parent, const Dialect& d, bool inside_link, std::vector<Item>* items) {
  for (const auto& child : parent.children()) {
    const bool element = child.type() == pugi::node_element;
    if (element && !inside_link && contains(d.paragraph_properties, child.name())) continue;
    Item item{Item::Whole, child, "", ""};
    if (child.type() == pugi::node_pcdata && d.mixed_content) {
      item.kind = Item::Text, item.text = child.value();
    } else if (element && child.name() == d.run) {
      if (run_text(child, d, &item.text, &item.style)) item.kind = is_code_style(item.style) ? Item::Whole : Item::Text;
    } else if (element && !inside_link && contains(d.containers, child.name())) {
      std::vector<Item> inner;
      add_items(child, d, true, &inner);
      const bool runs_only = std::all_of(inner.begin(), inner.end(), [](const Item& i) { return i.kind != Item::Whole; });
      if (runs_only && !inner.empty()) {
        items->push_back({Item::Open, child, "", ""});
        items->insert(items->end(), inner.begin(), inner.end());
        items->push_back({Item::Close, child, "", ""});
        continue;
      }
    } else if (!element) {
      continue;  // layout whitespace, comments
    }
    // What a whole item reads as: code its text (set above), a tab or break a space, the rest nothing.
    if (item.kind == Item::Whole && !(element && child.name() == d.run && is_code_style(item.style)))
      item.text = contains(d.spacing, child.name()) ? " " : "";
    // Word splits runs at every edit: neighbours formatted alike are one run here.
    if (item.kind == Item::Text && !items->empty() && items->back().kind == Item::Text && items->back().style == item.style &&
        items->back().node.parent() == child.parent()) {
      items->back().text += item.text;
      items->push_back({Item::Merged, child, "", ""});
      continue;
    }
    items->push_back(item);
  }
}

std::vector<Item> items_of(const pugi::xml_node& paragraph, const Dialect& d) {
  std::vector<Item> items;
  add_items(paragraph, d, false, &items);
  return items;
}

std::string token(size_t i) { return "\x01" + std::to_string(i) + "\x02"; }

Unit unit_of(const Paragraph& p) {
  Unit unit;
  for (size_t i = 0; i < p.items.size(); ++i) {
    const Item& item = p.items[i];
    if (item.kind == Item::Merged) continue;
    // Code and spacing read as their text; a run's and a link's tokens read as nothing.
    unit.push_back({false, token(i), item.kind == Item::Whole ? item.text : "", false});
    if (item.kind == Item::Text && !item.text.empty()) unit.push_back({true, item.text, item.text, false});
  }
  return unit;
}

// The paragraph rebuilt from its projected translation: tokens and the text between them.
void rebuild(Paragraph& p, const std::string& projected) {
  const Dialect& d = *p.dialect;
  pugi::xml_node anchor;  // new content goes before the trailing properties (a:endParaRPr)
  for (auto child = p.node.last_child(); child; child = child.previous_sibling())
    if (child.type() == pugi::node_element && contains(d.paragraph_properties, child.name()) && child != p.node.first_child())
      anchor = child;
  pugi::xml_node parent = p.node;  // the paragraph, or the link being rebuilt
  auto insert = [&](pugi::xml_node_type type) {
    return parent == p.node && anchor ? parent.insert_child_before(type, anchor) : parent.append_child(type);
  };
  auto insert_copy = [&](const pugi::xml_node& node) {
    return parent == p.node && anchor ? parent.insert_copy_before(node, anchor) : parent.append_copy(node);
  };
  const Item* style = nullptr;
  for (const auto& item : p.items)
    if (item.kind == Item::Text) {
      style = &item;
      break;
    }
  auto add_text = [&](const std::string& text) {
    if (text.empty() || !style) return;
    if (style->node.type() == pugi::node_pcdata) {
      insert(pugi::node_pcdata).set_value(text.c_str());
      return;
    }
    pugi::xml_node run = insert(pugi::node_element);
    run.set_name(d.run.c_str());
    for (const auto& a : style->node.attributes()) run.append_attribute(a.name()).set_value(a.value());
    if (d.mixed_content) {
      run.append_child(pugi::node_pcdata).set_value(text.c_str());
      return;
    }
    if (auto properties = style->node.child(d.run_properties.c_str())) run.append_copy(properties);
    pugi::xml_node t = run.append_child(d.run_text.c_str());
    if (d.run_text == "w:t") t.append_attribute("xml:space").set_value("preserve");
    t.text().set(text.c_str());
  };

  for (size_t at = 0; at < projected.size();) {
    const size_t open = projected.find('\x01', at);
    add_text(projected.substr(at, open == std::string::npos ? std::string::npos : open - at));
    if (open == std::string::npos) break;
    const size_t close = projected.find('\x02', open);
    if (close == std::string::npos) throw std::logic_error("a broken run token in the projection");
    const Item& item = p.items[std::stoul(projected.substr(open + 1, close - open - 1))];
    switch (item.kind) {
      case Item::Text: style = &item; break;
      case Item::Whole: insert_copy(item.node); break;
      case Item::Open: {  // the link itself, without its old runs
        pugi::xml_node link = insert(pugi::node_element);
        link.set_name(item.node.name());
        for (const auto& a : item.node.attributes()) link.append_attribute(a.name()).set_value(a.value());
        parent = link;
        break;
      }
      case Item::Close: parent = p.node; break;
      case Item::Merged: break;
    }
    at = close + 1;
  }
  std::vector<pugi::xml_node> old;  // found first: removing a link frees its runs
  for (const auto& item : p.items)
    if (item.kind != Item::Close && item.node.parent() == p.node) old.push_back(item.node);
  for (const auto& node : old) p.node.remove_child(node);
}

struct Part {
  std::string name;
  std::unique_ptr<pugi::xml_document> xml;
};

void collect(const pugi::xml_node& node, const Dialect& d, std::vector<Paragraph>* out) {
  for (const auto& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (contains(d.paragraphs, child.name())) out->push_back({child, &d, items_of(child, d)});
    else collect(child, d, out);
  }
}

bool matches(const std::string& name, const std::string& prefix, const std::string& suffix) {
  return name.size() >= prefix.size() + suffix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string translate_office(const std::string& package, Format format, const TranslateFn& translate,
                             const AlignFn& align) {
  ZipArchive zip(package);
  const Dialect* dialect = nullptr;
  std::vector<std::string> names;
  for (const auto& name : zip.names()) {
    switch (format) {
      case Format::Docx:
        dialect = &kWord;
        if (name == "word/document.xml" || matches(name, "word/header", ".xml") || matches(name, "word/footer", ".xml") ||
            name == "word/footnotes.xml" || name == "word/endnotes.xml")
          names.push_back(name);
        break;
      case Format::Pptx:
        dialect = &kPowerPoint;
        if (matches(name, "ppt/slides/slide", ".xml") || matches(name, "ppt/notesSlides/notesSlide", ".xml"))
          names.push_back(name);
        break;
      case Format::Odt:
      case Format::Odp:
        dialect = &kOpenDocument;
        if (name == "content.xml") names.push_back(name);
        break;
      default: throw std::logic_error("translate_office: not an Office format");
    }
  }
  const char* expected = format == Format::Docx ? "word/document.xml" : format == Format::Pptx ? "ppt/presentation.xml" : "content.xml";
  if (!zip.has(expected))
    throw std::runtime_error("not a " + std::string(format_name(format)) + " file: the package has no " + expected);

  std::vector<Part> parts;
  std::vector<Paragraph> paragraphs;
  for (const auto& name : names) {
    Part part{name, std::make_unique<pugi::xml_document>()};
    const std::string xml = zip.read(name);
    // No DTD is read, so no entity is ever expanded (no "billion laughs").
    const auto parsed = part.xml->load_buffer(xml.data(), xml.size(),
                                              pugi::parse_default | pugi::parse_ws_pcdata | pugi::parse_declaration |
                                                  pugi::parse_comments | pugi::parse_pi);
    if (!parsed) throw std::runtime_error("'" + name + "' is not valid XML: " + parsed.description());
    collect(*part.xml, *dialect, &paragraphs);
    parts.push_back(std::move(part));
  }

  std::vector<Unit> units;
  for (const auto& p : paragraphs) units.push_back(unit_of(p));
  const auto translated = translate_units(units, translate, [](const std::string& s) { return s; }, align);
  for (size_t i = 0; i < paragraphs.size(); ++i)
    if (translated[i] != original_bytes(units[i])) rebuild(paragraphs[i], translated[i]);

  for (const auto& part : parts) {
    std::ostringstream out;
    part.xml->save(out, "", pugi::format_raw, pugi::encoding_utf8);
    zip.replace(part.name, out.str());
  }
  return zip.bytes();
}

}  // namespace mt::doc
