// The API's requests, read from a JSON object or a form body (plus the URL query) and checked,
// with LibreTranslate's field names: q, source, target, format, api_key. Throws HttpError (4xx)
// on anything malformed; never trusts the input's sizes, types or bytes.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/serve/http_error.h"
#include "app/serve/languages.h"

namespace mt::serve {

struct RequestLimits {
  size_t max_chars = 5000;  // characters of q, all texts together (LibreTranslate's --char-limit)
  size_t max_texts = 128;   // entries of an array q (LibreTranslate's --batch-limit)
  size_t max_glossary_terms = 1000;  // entries of a request's glossary
  size_t max_alternatives = 3;       // LibreTranslate's --alternatives-limit
};

// The request's fields as one JSON object: a JSON body as it is, a form body
// (application/x-www-form-urlencoded or multipart, already split into `form`) as strings, and the
// URL query's parameters under them. `content_type` picks the parser; others answer 415.
nlohmann::json read_fields(const std::string& content_type, const std::string& body,
                           const std::multimap<std::string, std::string>& query,
                           const std::multimap<std::string, std::string>& multipart_form = {});

// key=value&... with + and %XX decoded; the first of repeated keys wins (as LibreTranslate's
// request.values). Malformed escapes are kept as they are.
std::multimap<std::string, std::string> parse_form(const std::string& body);

struct TranslateRequest {
  std::vector<std::string> q;  // the texts; one entry when q was a string
  bool q_is_array = false;     // the answer's translatedText is then an array too
  std::optional<Lang> source;  // nullopt: auto (detect per text)
  Lang target = Lang::Zh;
  bool html = false;           // format=html
  size_t alternatives = 0;     // other translations wanted per text (the beam's next best); text format only
  // Our extension of the API: terms this request's translations keep, on top of the server's
  // --glossary. JSON: {"source": "target", ...}; a form field: source<TAB>target lines.
  std::vector<std::pair<std::string, std::string>> glossary;
};

// /translate_file's fields besides the file: source, target, glossary (as /translate's).
struct FileRequest {
  std::optional<Lang> source;
  Lang target = Lang::Zh;
  std::vector<std::pair<std::string, std::string>> glossary;
};

struct DetectRequest {
  std::string q;
};

TranslateRequest parse_translate_request(const nlohmann::json& fields, const RequestLimits& limits);
FileRequest parse_file_request(const nlohmann::json& fields, const RequestLimits& limits);
DetectRequest parse_detect_request(const nlohmann::json& fields, const RequestLimits& limits);
// Unicode code points, as LibreTranslate's len(q) counts them.
size_t count_characters(const std::string& text);

// The api_key field, or "" when absent; throws when it is there but not a string.
std::string api_key_of(const nlohmann::json& fields);

}  // namespace mt::serve
