#include "app/serve/request.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "tokenizer/normalizer.h"
#include "tokenizer/utf8.h"

namespace mt::serve {

namespace {

using nlohmann::json;

constexpr int kMaxJsonDepth = 16;  // the API's bodies are flat; deeper nesting is refused early

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

// "application/json; charset=utf-8" -> "application/json"
std::string media_type(const std::string& content_type) {
  std::string type = lowercase(content_type.substr(0, content_type.find(';')));
  const auto first = type.find_first_not_of(" \t");
  const auto last = type.find_last_not_of(" \t");
  return first == std::string::npos ? "" : type.substr(first, last - first + 1);
}

bool valid_utf8(const std::string& s) {
  bool invalid = false;
  repair_utf8(s, &invalid);
  return !invalid;
}

// Adds form or query parameters the body did not already set, as strings (the first one wins).
void add_parameters(json& fields, const std::multimap<std::string, std::string>& params) {
  for (const auto& [key, value] : params) {
    if (fields.contains(key) || !valid_utf8(key)) continue;
    if (!valid_utf8(value)) throw HttpError(400, "Invalid request: " + key + " is not valid UTF-8");
    fields[key] = value;
  }
}

json parse_json_object(const std::string& body) {
  json fields;
  try {
    // The callback sees each value's depth while parsing: deep nesting is refused before it is built.
    fields = json::parse(body, [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxJsonDepth) throw HttpError(400, "Invalid request: JSON nested too deeply");
      return true;
    });
  } catch (const json::exception& e) {  // syntax, and numbers out of range ("1e999")
    throw HttpError(400, std::string("Invalid request: malformed JSON: ") + e.what());
  }
  if (!fields.is_object()) throw HttpError(400, "Invalid request: the JSON body must be an object");
  return fields;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += char(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A short, printable excerpt of a client's value for an error message.
std::string quoted(const std::string& value) {
  std::string cut = value.size() > 24 ? repair_utf8(value.substr(0, 24)) + "..." : value;
  return "'" + cut + "'";
}

std::optional<std::string> optional_string(const json& fields, const char* name) {
  const auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw HttpError(400, std::string("Invalid request: ") + name + " must be a string");
  return it->get<std::string>();
}

// alternatives: a whole number (JSON, or a form's digits) from 0 to the limit.
size_t read_alternatives(const json& fields, const RequestLimits& limits) {
  const auto it = fields.find("alternatives");
  if (it == fields.end() || it->is_null()) return 0;
  long long n = -1;
  if (it->is_number_integer()) n = it->get<long long>();
  else if (it->is_string() && !it->get<std::string>().empty() && it->get<std::string>().size() < 6 &&
           it->get<std::string>().find_first_not_of("0123456789") == std::string::npos)
    n = std::stoll(it->get<std::string>());
  if (n < 0 || size_t(n) > limits.max_alternatives)
    throw HttpError(400, "Invalid request: alternatives must be a whole number from 0 to " +
                             std::to_string(limits.max_alternatives));
  return size_t(n);
}

// q as a list of texts; throws when missing, empty, of the wrong type or over the limits.
std::vector<std::string> read_q(const json& fields, const RequestLimits& limits, bool* is_array) {
  const auto it = fields.find("q");
  if (it == fields.end() || it->is_null()) throw HttpError(400, "Invalid request: missing q parameter");
  std::vector<std::string> texts;
  *is_array = it->is_array();
  if (it->is_string()) {
    texts.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    if (it->size() > limits.max_texts)
      throw HttpError(400, "Invalid request: request (" + std::to_string(it->size()) + " texts) exceeds text limit (" +
                               std::to_string(limits.max_texts) + ")");
    for (const auto& text : *it) {
      if (!text.is_string()) throw HttpError(400, "Invalid request: q must be a string or an array of strings");
      texts.push_back(text.get<std::string>());
    }
  } else {
    throw HttpError(400, "Invalid request: q must be a string or an array of strings");
  }
  if (texts.empty() || (!*is_array && texts[0].empty())) throw HttpError(400, "Invalid request: missing q parameter");
  size_t chars = 0;
  for (const auto& text : texts) chars += count_characters(text);
  if (chars > limits.max_chars)
    throw HttpError(400, "Invalid request: request (" + std::to_string(chars) + " characters) exceeds text limit (" +
                             std::to_string(limits.max_chars) + ")");
  return texts;
}

}  // namespace

std::multimap<std::string, std::string> parse_form(const std::string& body) {
  std::multimap<std::string, std::string> params;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    const std::string pair = body.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      std::string key = url_decode(pair.substr(0, eq));
      std::string value = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
      if (params.find(key) == params.end()) params.emplace(std::move(key), std::move(value));
    }
    start = end + 1;
  }
  return params;
}

nlohmann::json read_fields(const std::string& content_type, const std::string& body,
                           const std::multimap<std::string, std::string>& query,
                           const std::multimap<std::string, std::string>& multipart_form) {
  const std::string type = media_type(content_type);
  json fields = json::object();
  if (type == "application/json" || (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0)) {
    fields = parse_json_object(body);
  } else if (type == "application/x-www-form-urlencoded" || (type.empty() && !body.empty())) {
    add_parameters(fields, parse_form(body));
  } else if (type == "multipart/form-data") {
    add_parameters(fields, multipart_form);
  } else if (!type.empty()) {
    throw HttpError(415, "Unsupported Content-Type " + quoted(type) +
                             ": send application/json or application/x-www-form-urlencoded");
  }
  add_parameters(fields, query);
  return fields;
}

namespace {

// The request's own glossary: a JSON object of source -> target strings, or (from a form) a string
// of source<TAB>target lines.
std::vector<std::pair<std::string, std::string>> read_glossary(const json& fields, const RequestLimits& limits) {
  std::vector<std::pair<std::string, std::string>> entries;
  if (!fields.contains("glossary") || fields["glossary"].is_null()) return entries;
  const json& g = fields["glossary"];
  auto add = [&](const std::string& source, const std::string& target) {
    if (source.find_first_not_of(" \t\r") == std::string::npos || target.find_first_not_of(" \t\r") == std::string::npos)
      throw HttpError(400, "Invalid request: a glossary term is empty");
    if (source.find_first_of("\t\n") != std::string::npos || target.find_first_of("\t\n") != std::string::npos)
      throw HttpError(400, "Invalid request: a glossary term holds a tab or a line break");
    if (!valid_utf8(source) || !valid_utf8(target)) throw HttpError(400, "Invalid request: glossary is not valid UTF-8");
    if (entries.size() >= limits.max_glossary_terms)
      throw HttpError(400, "Invalid request: glossary has more than " + std::to_string(limits.max_glossary_terms) + " terms");
    entries.emplace_back(source, target);
  };
  if (g.is_object()) {
    for (const auto& [source, target] : g.items()) {
      if (!target.is_string()) throw HttpError(400, "Invalid request: glossary values must be strings");
      add(source, target.get<std::string>());
    }
  } else if (g.is_string()) {
    std::istringstream lines(g.get<std::string>());
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      const auto tab = line.find('\t');
      if (tab == std::string::npos) throw HttpError(400, "Invalid request: glossary lines must be source<TAB>target");
      add(line.substr(0, tab), line.substr(tab + 1));
    }
  } else {
    throw HttpError(400, "Invalid request: glossary must be an object of source: target terms");
  }
  return entries;
}

// source (auto, en, zh; nullopt for auto) and target (en, zh), as both endpoints take them.
void read_languages(const nlohmann::json& fields, std::optional<Lang>* source_lang, Lang* target_lang) {
  const std::string source = optional_string(fields, "source").value_or("auto");
  if (source != "auto") {
    *source_lang = parse_language(source);
    if (!*source_lang) throw HttpError(400, quoted(source) + " is not supported: source must be en, zh or auto");
  }
  const auto target = optional_string(fields, "target");
  if (!target) throw HttpError(400, "Invalid request: missing target parameter");
  const auto parsed = parse_language(*target);
  if (!parsed) throw HttpError(400, quoted(*target) + " is not supported: target must be en or zh");
  *target_lang = *parsed;
}

}  // namespace

TranslateRequest parse_translate_request(const nlohmann::json& fields, const RequestLimits& limits) {
  TranslateRequest request;
  request.q = read_q(fields, limits, &request.q_is_array);
  read_languages(fields, &request.source, &request.target);
  const std::string format = optional_string(fields, "format").value_or("text");
  if (format != "text" && format != "html")
    throw HttpError(400, quoted(format) + " format is not supported: format must be text or html");
  request.html = format == "html";
  request.glossary = read_glossary(fields, limits);
  request.alternatives = read_alternatives(fields, limits);
  return request;
}

FileRequest parse_file_request(const nlohmann::json& fields, const RequestLimits& limits) {
  FileRequest request;
  read_languages(fields, &request.source, &request.target);
  request.glossary = read_glossary(fields, limits);
  return request;
}

DetectRequest parse_detect_request(const nlohmann::json& fields, const RequestLimits& limits) {
  bool is_array = false;
  auto texts = read_q(fields, limits, &is_array);
  if (is_array) throw HttpError(400, "Invalid request: q must be a string");
  return {std::move(texts[0])};
}

size_t count_characters(const std::string& text) { return utf8::length(text); }

std::string api_key_of(const nlohmann::json& fields) { return optional_string(fields, "api_key").value_or(""); }

}  // namespace mt::serve
