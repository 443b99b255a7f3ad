// gettext catalogues (.po, .pot) through libgettextpo, the library of GNU gettext's own tools:
// empty msgstr are filled (every one with overwrite), plural forms as the header says, printf,
// Python and brace placeholders kept byte for byte, and every new translation marked fuzzy, as
// machine translations conventionally are. A translation that does not hold its source's
// placeholders, or fails gettext's own format check, is left out (its msgstr stays as it was), so
// `msgfmt --check` passes on the result.
#include <gettext-po.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "app/document/document.h"
#include "app/document/inline_translation.h"
#include "tokenizer/terminology.h"
#include "tokenizer/normalizer.h"

namespace mt::doc {

namespace {

// libgettextpo reports problems through callbacks; the first error of an operation is kept here
// and thrown once the library has returned (a fatal error must not return to it, so it throws).
thread_local std::string g_first_error;

void note_error(int severity, const char* filename, size_t line, const char* message) {
  std::string text = message ? message : "error";
  text = text.substr(0, text.find('\n'));
  if (filename && line != size_t(-1)) text = "line " + std::to_string(line) + ": " + text;
  if (severity == PO_SEVERITY_FATAL_ERROR) throw std::runtime_error(g_first_error.empty() ? text : g_first_error);
  if (severity == PO_SEVERITY_ERROR && g_first_error.empty()) g_first_error = text;
}
void on_error(int severity, po_message_t, const char* filename, size_t line, size_t, int, const char* message) {
  note_error(severity, filename, line, message);
}
void on_error2(int severity, po_message_t, const char* filename, size_t line, size_t, int, const char* message,
               po_message_t, const char*, size_t, size_t, int, const char*) {
  note_error(severity, filename, line, message);
}
po_xerror_handler kErrors{on_error, on_error2};

// A file in the temporary folder, removed when it goes out of scope.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& contents) {
    path = (std::filesystem::temp_directory_path() / "mt-po-XXXXXX").string();
    const int fd = mkstemp(path.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file for the catalogue");
    close(fd);
    std::ofstream(path, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

using PoFile = std::unique_ptr<std::remove_pointer_t<po_file_t>, void (*)(po_file_t)>;

// The length of the placeholder at s[at] (printf %s %1$d %-5.2f %(name)s, brace {0} {name}), or 0.
size_t placeholder_length(const std::string& s, size_t at) {
  if (s[at] == '{') {
    size_t end = at + 1;
    while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || std::string_view("_.:!-[]").find(s[end]) != std::string_view::npos)) ++end;
    return end < s.size() && s[end] == '}' ? end + 1 - at : 0;
  }
  if (s[at] != '%' || at + 1 >= s.size()) return 0;
  size_t i = at + 1;
  if (s[i] == '%') return 2;
  if (s[i] == '(') {  // Python's %(name)s
    const size_t close = s.find(')', i);
    if (close == std::string::npos) return 0;
    i = close + 1;
  } else {
    size_t digits = i;
    while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
    if (digits > i && digits < s.size() && s[digits] == '$') i = digits + 1;  // %1$s
  }
  while (i < s.size() && std::string_view("-+ #0'").find(s[i]) != std::string_view::npos) ++i;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '*' || s[i] == '.')) ++i;
  while (i < s.size() && std::string_view("hlLqjzt").find(s[i]) != std::string_view::npos) ++i;
  return i < s.size() && std::string_view("diouxXeEfFgGaAcspnm").find(s[i]) != std::string_view::npos ? i + 1 - at : 0;
}

// A line's placeholders, sorted: a translation must hold the same ones.
std::vector<std::string> placeholders(const std::string& line) {
  std::vector<std::string> found;
  for (size_t i = 0; i < line.size();) {
    const size_t n = placeholder_length(line, i);
    if (n > 0) found.push_back(line.substr(i, n));
    i += std::max<size_t>(n, 1);
  }
  std::sort(found.begin(), found.end());
  return found;
}

// The line as the model reads it: its placeholders marked verbatim (no glossary term inside).
std::string marked(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size();) {
    const size_t n = placeholder_length(line, i);
    out += n > 0 ? mark_verbatim(line.substr(i, n)) : line.substr(i, 1);
    i += std::max<size_t>(n, 1);
  }
  return out;
}

int header_plurals(const std::string& header) {
  std::unique_ptr<char, void (*)(void*)> field(po_header_field(header.c_str(), "Plural-Forms"), std::free);
  if (!field) return 0;
  const std::string value = field.get();
  const size_t at = value.find("nplurals=");
  return at == std::string::npos ? 0 : std::atoi(value.c_str() + at + 9);
}

std::string set_field(const std::string& header, const char* field, const std::string& value) {
  std::unique_ptr<char, void (*)(void*)> out(po_header_set_field(header.c_str(), field, value.c_str()), std::free);
  return out ? std::string(out.get()) : header;
}

// A template's header filled in for the target language: Language, UTF-8, its plural forms.
std::string filled_header(std::string header, bool chinese) {
  std::unique_ptr<char, void (*)(void*)> language(po_header_field(header.c_str(), "Language"), std::free);
  if (!language || std::string(language.get()).empty()) header = set_field(header, "Language", chinese ? "zh_CN" : "en");
  header = set_field(header, "Content-Type", "text/plain; charset=UTF-8");
  if (header_plurals(header) <= 0)
    header = set_field(header, "Plural-Forms", chinese ? "nplurals=1; plural=0;" : "nplurals=2; plural=(n != 1);");
  return header;
}

struct Entry {
  po_message_t message;
  std::vector<size_t> singular, plural;  // the units of msgid's and msgid_plural's lines
};

}  // namespace

std::string translate_gettext(const std::string& document, const TranslateFn& translate, const DocumentOptions& options) {
  const TempFile input(document);
  g_first_error.clear();
  PoFile file(po_file_read(input.path.c_str(), &kErrors), po_file_free);
  if (!file || !g_first_error.empty()) throw std::runtime_error("not a valid gettext catalogue: " + g_first_error);

  // Which language the catalogue goes to: given, or the other of its msgids'.
  std::vector<po_message_t> messages;
  std::string sample;
  for (const char* const* domain = po_file_domains(file.get()); *domain; ++domain) {
    po_message_iterator_t it = po_message_iterator(file.get(), *domain);
    for (po_message_t m; (m = po_next_message(it)) != nullptr;) {
      if (po_message_is_obsolete(m) || *po_message_msgid(m) == '\0') continue;
      messages.push_back(m);
      if (sample.size() < 20000) sample += std::string(po_message_msgid(m)) + "\n";
    }
    po_message_iterator_free(it);
  }
  const bool chinese = options.target == "zh" || (options.target != "en" && guess_language(sample) != Lang::Zh);

  // The header, per domain: filled in where it is a template's; its number of plural forms.
  int plurals = chinese ? 1 : 2;
  for (const char* const* domain = po_file_domains(file.get()); *domain; ++domain) {
    po_message_iterator_t it = po_message_iterator(file.get(), *domain);
    for (po_message_t m; (m = po_next_message(it)) != nullptr;)
      if (!po_message_is_obsolete(m) && *po_message_msgid(m) == '\0' && !po_message_msgctxt(m)) {
        const std::string header = filled_header(po_message_msgstr(m), chinese);
        po_message_set_msgstr(m, header.c_str());
        plurals = header_plurals(header);
      }
    po_message_iterator_free(it);
  }

  // What to translate: each line with words of each msgid (and msgid_plural), as one batch. The
  // model copies the placeholders; a translation that loses or adds one is not used.
  std::vector<std::string> lines, pieces;
  std::vector<Entry> entries;
  auto add_lines = [&](const char* text, std::vector<size_t>* into) {
    for (auto& line : split_lines(text)) {
      into->push_back(lines.size());
      if (has_words(line)) pieces.push_back(marked(line));
      lines.push_back(std::move(line));
    }
  };
  for (po_message_t m : messages) {
    const bool plural = po_message_msgid_plural(m) != nullptr;
    bool empty = plural ? true : *po_message_msgstr(m) == '\0';
    for (int i = 0; plural && po_message_msgstr_plural(m, i); ++i) empty = empty && *po_message_msgstr_plural(m, i) == '\0';
    if (!empty && !options.overwrite) continue;
    Entry e{m, {}, {}};
    add_lines(po_message_msgid(m), &e.singular);
    if (plural) add_lines(po_message_msgid_plural(m), &e.plural);
    entries.push_back(std::move(e));
  }
  const auto answers = pieces.empty() ? std::vector<std::string>{} : translate(pieces);
  if (answers.size() != pieces.size()) throw std::runtime_error("the translator gave a wrong number of results");
  std::vector<std::string> translated(lines.size());
  std::vector<bool> kept(lines.size(), true);
  for (size_t l = 0, p = 0; l < lines.size(); ++l) {
    if (!has_words(lines[l])) {
      translated[l] = lines[l];
      continue;
    }
    translated[l] = answers[p++];
    kept[l] = placeholders(translated[l]) == placeholders(lines[l]);
  }
  auto all_kept = [&](const std::vector<size_t>& ls) {
    return std::all_of(ls.begin(), ls.end(), [&](size_t l) { return kept[l]; });
  };
  auto joined = [&](const std::vector<size_t>& ls) {
    std::string out;
    for (size_t i = 0; i < ls.size(); ++i) out += (i ? "\n" : "") + translated[ls[i]];
    return out;
  };

  // Written into the catalogue; gettext's own checks decide whether each translation stays.
  for (const auto& e : entries) {
    if (!all_kept(e.singular) || !all_kept(e.plural)) continue;
    const std::string original = po_message_msgstr(e.message);
    std::vector<std::string> original_plurals;
    for (int i = 0; !e.plural.empty() && po_message_msgstr_plural(e.message, i); ++i)
      original_plurals.push_back(po_message_msgstr_plural(e.message, i));
    const bool was_fuzzy = po_message_is_fuzzy(e.message);
    if (e.plural.empty()) {
      po_message_set_msgstr(e.message, joined(e.singular).c_str());
    } else {
      // One form: the plural's wording ("%d files"); more: the singular first, the plural after.
      for (int i = 0; i < std::max(plurals, 1); ++i)
        po_message_set_msgstr_plural(e.message, i, joined(i == 0 && plurals > 1 ? e.singular : e.plural).c_str());
    }
    po_message_set_fuzzy(e.message, 1);
    g_first_error.clear();
    po_message_check_format(e.message, &kErrors);
    if (!g_first_error.empty()) {  // still wrong for gettext: the entry stays as it was
      po_message_set_msgstr(e.message, original.c_str());
      for (int i = 0; i < std::max(plurals, 1); ++i)
        po_message_set_msgstr_plural(e.message, i, i < int(original_plurals.size()) ? original_plurals[i].c_str() : "");
      po_message_set_fuzzy(e.message, was_fuzzy);
    }
  }

  const TempFile output("");
  g_first_error.clear();
  if (!po_file_write(file.get(), output.path.c_str(), &kErrors) || !g_first_error.empty())
    throw std::runtime_error("cannot write the catalogue: " + g_first_error);
  std::ifstream in(output.path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace mt::doc
