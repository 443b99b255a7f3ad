#include "app/serve/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "app/document/document.h"
#include "app/serve/web_page.h"

namespace mt::serve {

// Debian's cpp-httplib 0.11 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled into
// the library): a few dozen clients connecting at once overflow it and some are reset. Calling
// listen() again on the bound socket raises the backlog.
class HttpServer : public httplib::Server {
 public:
  void raise_backlog(int backlog) { ::listen(svr_sock_, backlog); }
};

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kRetryAfterSeconds = 2;

std::string dump(const json& body) {
  // Replace, never throw, should any invalid UTF-8 reach an answer.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The text of an HTML document for language detection: tag names and entities are not words.
std::string without_markup(const std::string& html) {
  std::string text;
  char skip_until = 0;
  for (char c : html) {
    if (skip_until) {
      if (c == skip_until) skip_until = 0;
    } else if (c == '<' || c == '&') {
      skip_until = c == '<' ? '>' : ';';
      text += ' ';
    } else {
      text += c;
    }
  }
  return text;
}

std::string reason_of(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    default: return status >= 500 ? "Internal Server Error" : "Request failed";
  }
}

}  // namespace

Server::Server(BatchQueue& queue, ServerOptions options)
    : queue_(queue),
      options_(std::move(options)),
      files_(options_.file_lifetime, options_.max_stored_bytes),
      http_(std::make_unique<HttpServer>()) {
  const size_t threads = size_t(std::max(1, options_.http_threads));
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_payload_max_length(std::max(options_.max_body_bytes, options_.max_file_bytes + (64 << 10)));
  http_->set_keep_alive_max_count(1000);
  // Browser extensions and pages on other origins call the API, as LibreTranslate allows.
  http_->set_default_headers({{"Access-Control-Allow-Origin", "*"}});

  using httplib::ContentReader;
  using httplib::Request;
  using httplib::Response;
  http_->Post("/translate", [this](const Request& req, Response& res, const ContentReader& reader) {
    answer("/translate", res, [&] { return translate(read_request(req, reader, options_.max_body_bytes)); });
  });
  http_->Post("/translate_file", [this](const Request& req, Response& res, const ContentReader& reader) {
    answer("/translate_file", res, [&] {
      Upload upload;
      const json fields = read_request(req, reader, options_.max_file_bytes + (64 << 10), &upload);
      const std::string host = req.has_header("Host") ? req.get_header_value("Host") : "localhost";
      return translate_file(fields, upload, "http://" + host);
    });
  });
  http_->Get("/download_file/(.+)", [this](const Request& req, Response& res) {
    const auto file = files_.get(req.matches[1]);
    if (!file) {
      res.status = 404;
      res.set_content(dump({{"error", "No such file: translated files are kept for " +
                                          std::to_string(options_.file_lifetime.count()) + " s"}}), "application/json");
      metrics_.count_request("/download_file", 404);
      return;
    }
    res.set_header("Content-Disposition", "attachment; filename=\"" + file->name + "\"");
    res.set_content(file->bytes, "application/octet-stream");
    metrics_.count_request("/download_file", 200);
  });
  http_->Get("/frontend/settings", [this](const Request&, Response& res) {
    answer("/frontend/settings", res, [this] {
      json formats = json::array();
      for (const auto& extension : doc::file_extensions()) formats.push_back(extension);
      return Reply{200, {{"charLimit", options_.limits.max_chars},
                         {"frontendTimeout", 500},
                         {"apiKeys", !options_.api_keys.empty()},
                         {"keyRequired", !options_.api_keys.empty()},
                         {"suggestions", false},
                         {"filesTranslation", true},
                         {"supportedFilesFormat", formats},
                         {"language", {{"source", {{"code", "auto"}, {"name", "Auto Detect"}}},
                                       {"target", {{"code", "zh"}, {"name", language_name(Lang::Zh)}}}}}}};
    });
  });
  http_->Post("/detect", [this](const Request& req, Response& res, const ContentReader& reader) {
    answer("/detect", res, [&] {
      const json fields = read_request(req, reader, options_.max_body_bytes);
      check_api_key(fields);
      const Detection d = detect_language(parse_detect_request(fields, options_.limits).q);
      const Lang other = d.language == Lang::Zh ? Lang::En : Lang::Zh;
      // The rest of the evidence; none when there was none (digits, punctuation).
      const double rest = d.confidence > 0 ? std::round((100 - d.confidence) * 10) / 10 : 0.0;
      // Both candidates, best first, as LibreTranslate lists them.
      return Reply{200, json::array({{{"confidence", d.confidence}, {"language", language_code(d.language)}},
                                     {{"confidence", rest}, {"language", language_code(other)}}})};
    });
  });
  http_->Get("/languages", [this](const Request&, Response& res) {
    answer("/languages", res, [] {
      json languages = json::array();
      for (Lang lang : {Lang::En, Lang::Zh})
        languages.push_back({{"code", language_code(lang)}, {"name", language_name(lang)}, {"targets", {"en", "zh"}}});
      return Reply{200, languages};
    });
  });
  http_->Get("/health", [this](const Request&, Response& res) {
    answer("/health", res, [] { return Reply{200, {{"status", "ok"}}}; });
  });
  http_->Get("/metrics", [this](const Request&, Response& res) {
    metrics_.count_request("/metrics", 200);
    res.set_content(metrics_.render(queue_.stats()), "text/plain; version=0.0.4; charset=utf-8");
  });
  http_->Get("/", [this](const Request&, Response& res) {
    metrics_.count_request("/", 200);
    const auto page = web_page();
    res.set_content(page.data(), page.size(), "text/html; charset=utf-8");
  });
  http_->Options(".*", [](const Request&, Response& res) {  // CORS preflight
    res.status = 204;
    res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Content-Type");
  });
  // What the library answers itself (unknown path, body over the limit, malformed HTTP) gets a
  // JSON error body too.
  const httplib::Server::HandlerWithResponse json_errors = [this](const Request&, Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    metrics_.count_request("other", res.status);
    res.set_content(dump({{"error", reason_of(res.status)}}), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  };
  http_->set_error_handler(json_errors);
  http_->set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(dump({{"error", "Internal Server Error"}}), "application/json");
  });
}

Server::~Server() = default;

int Server::bind(const std::string& host, int port) {
  const int bound = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  http_->raise_backlog(SOMAXCONN);
  return bound;
}

void Server::run() { http_->listen_after_bind(); }
void Server::stop() { http_->stop(); }
bool Server::is_running() const { return http_->is_running(); }

void Server::answer(const std::string& endpoint, httplib::Response& res, const std::function<Reply()>& handle) {
  Reply reply;
  try {
    reply = handle();
  } catch (const HttpError& e) {
    reply = {e.status, {{"error", e.what()}}};
    if (e.retry_after_seconds > 0) res.set_header("Retry-After", std::to_string(e.retry_after_seconds));
    if (e.status == 413) res.set_header("Connection", "close");  // the unread body is still on the way
  } catch (const std::exception& e) {
    reply = {500, {{"error", std::string("Cannot translate text: ") + e.what()}}};
  } catch (...) {
    reply = {500, {{"error", "Cannot translate text"}}};
  }
  res.status = reply.first;
  res.set_content(dump(reply.second), "application/json");
  metrics_.count_request(endpoint, reply.first);
}

json Server::read_request(const httplib::Request& req, const httplib::ContentReader& reader, size_t limit,
                          Upload* upload) const {
  if (req.has_header("Content-Length") && std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) > limit)
    throw HttpError(413, "Invalid request: body over " + std::to_string(limit) + " bytes");
  std::string body;
  std::multimap<std::string, std::string> form;
  bool too_large = false;
  bool read = true;
  if (req.is_multipart_form_data()) {
    size_t total = 0;
    auto field = form.end();
    bool to_upload = false;
    read = reader(
        [&](const httplib::MultipartFormData& part) {
          to_upload = upload && part.name == "file" && !part.filename.empty();
          if (to_upload) {
            upload->present = true;
            upload->name = part.filename;
            field = form.end();
          } else {
            field = form.emplace(part.name, "");
          }
          return true;
        },
        [&](const char* data, size_t size) {
          total += size;
          if (total > limit) return !(too_large = true);
          if (to_upload) upload->bytes.append(data, size);
          else if (field != form.end()) field->second.append(data, size);
          return true;
        });
  } else {
    read = reader([&](const char* data, size_t size) {
      if (body.size() + size > limit) return !(too_large = true);
      body.append(data, size);
      return true;
    });
  }
  if (too_large) throw HttpError(413, "Invalid request: body over " + std::to_string(limit) + " bytes");
  if (!read) throw HttpError(400, "Invalid request: cannot read the body");
  // The query is decoded here, not by the library, to read + as a space as forms (and Flask) do.
  const size_t query_start = req.target.find('?');
  const auto query = query_start == std::string::npos ? std::multimap<std::string, std::string>{}
                                                      : parse_form(req.target.substr(query_start + 1));
  return read_fields(req.get_header_value("Content-Type"), body, query, form);
}

void Server::check_api_key(const json& fields) const {
  if (options_.api_keys.empty()) return;
  if (options_.api_keys.count(api_key_of(fields)) == 0) throw HttpError(403, "Invalid API key");
}

// The server's glossary, with a request's own terms added.
Glossary Server::glossary_for(const std::vector<std::pair<std::string, std::string>>& request_terms) const {
  if (request_terms.empty()) return options_.glossary;
  auto merged = std::make_shared<Terminology>(options_.glossary ? *options_.glossary : Terminology());
  for (const auto& [source, target] : request_terms) merged->add(source, target, "glossary");
  return merged;
}

Server::Reply Server::translate(const json& fields) {
  const auto start = Clock::now();
  const auto deadline = start + options_.timeout;
  check_api_key(fields);
  const TranslateRequest request = parse_translate_request(fields, options_.limits);
  const size_t n = request.q.size();
  const Glossary glossary = glossary_for(request.glossary);

  std::vector<std::string> translated(n);
  json detected = json::array();
  std::vector<std::string> lines;               // every plain text's lines, queued together
  std::vector<std::pair<size_t, size_t>> spans(n, {0, 0});  // text i: its first line, line count
  std::vector<size_t> html_texts;
  size_t characters = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::string& text = request.q[i];
    characters += count_characters(text);
    Lang source = request.source.value_or(Lang::En);
    if (!request.source) {
      const Detection d = detect_language(request.html ? without_markup(text) : text);
      source = d.language;
      detected.push_back({{"confidence", d.confidence}, {"language", language_code(d.language)}});
    }
    if (source == request.target) {
      translated[i] = text;  // already in the target language
    } else if (request.html) {
      html_texts.push_back(i);
    } else {
      auto text_lines = doc::split_lines(text);
      spans[i] = {lines.size(), text_lines.size()};
      for (auto& line : text_lines) lines.push_back(std::move(line));
    }
  }
  // Alternative j of a text: each line's j-th alternative (its translation where it has fewer).
  const size_t width = 1 + request.alternatives;
  std::vector<std::vector<std::string>> alternatives(n);
  if (!lines.empty()) {
    const auto results = translate_lines(std::move(lines), request.target, glossary, deadline, request.alternatives);
    for (size_t i = 0; i < n; ++i) {
      const auto [first, count] = spans[i];
      for (size_t l = 0; l < count; ++l) translated[i] += (l > 0 ? "\n" : "") + results[(first + l) * width];
      for (size_t j = 1; j < width && count > 0; ++j) {
        std::string alternative;
        for (size_t l = 0; l < count; ++l) {
          const std::string& line = results[(first + l) * width + j];
          alternative += (l > 0 ? "\n" : "") + (line.empty() ? results[(first + l) * width] : line);
        }
        if (alternative != translated[i] &&
            std::find(alternatives[i].begin(), alternatives[i].end(), alternative) == alternatives[i].end())
          alternatives[i].push_back(std::move(alternative));
      }
    }
  }
  for (size_t i : html_texts) {
    translated[i] = doc::translate_html(request.q[i], [&](const std::vector<std::string>& pieces) {
      return translate_lines(pieces, request.target, glossary, deadline);
    }, options_.align);
  }

  json body;
  body["translatedText"] = request.q_is_array ? json(translated) : json(translated[0]);
  if (request.alternatives > 0) body["alternatives"] = request.q_is_array ? json(alternatives) : json(alternatives[0]);
  if (!request.source) body["detectedLanguage"] = request.q_is_array ? detected : detected[0];
  metrics_.observe_translation(std::chrono::duration<double>(Clock::now() - start).count(), n, characters);
  return {200, body};
}

Server::Reply Server::translate_file(const json& fields, const Upload& upload, const std::string& base_url) {
  const auto start = Clock::now();
  check_api_key(fields);
  if (!upload.present) throw HttpError(400, "Invalid request: missing file parameter (a multipart upload named file)");
  if (upload.bytes.size() > options_.max_file_bytes)
    throw HttpError(413, "Invalid request: the file is over " + std::to_string(options_.max_file_bytes) + " bytes");
  const std::string name = upload.name.substr(upload.name.find_last_of("/\\") + 1);
  if (!doc::has_file_extension(name)) {
    std::string supported;
    for (const auto& extension : doc::file_extensions()) supported += " " + extension;
    throw HttpError(400, "Invalid request: unsupported file format of '" + name + "' (supported:" + supported + ")");
  }
  const FileRequest request = parse_file_request(fields, options_.limits);
  const Glossary glossary = glossary_for(request.glossary);
  const auto deadline = start + options_.file_timeout;
  const doc::Format format = doc::guess_format(name);
  std::string translated;
  if (request.source == request.target) {
    translated = upload.bytes;  // already in the target language
  } else if (format == doc::Format::Text) {
    const auto lines = doc::split_lines(repair_utf8(upload.bytes));
    const auto results = translate_lines(lines, request.target, glossary, deadline);
    for (size_t i = 0; i < results.size(); ++i) translated += (i ? "\n" : "") + results[i];
  } else {
    doc::DocumentOptions options;
    options.target = language_code(request.target);
    options.align = options_.align;
    const doc::TranslateFn translate = [&](const std::vector<std::string>& pieces) {
      std::vector<std::string> repaired;
      for (const auto& piece : pieces) repaired.push_back(repair_utf8(piece));
      return translate_lines(std::move(repaired), request.target, glossary, deadline);
    };
    try {
      translated = doc::translate_as(format, upload.bytes, translate, options);
    } catch (const HttpError&) {
      throw;
    } catch (const std::runtime_error& e) {  // what the file's parser found wrong with it
      throw HttpError(400, std::string("Invalid request: ") + e.what());
    }
  }
  const std::string key = files_.put(name, std::move(translated));
  metrics_.observe_translation(std::chrono::duration<double>(Clock::now() - start).count(), 1, upload.bytes.size());
  return {200, {{"translatedFileUrl", base_url + "/download_file/" + key}}};
}

std::vector<std::string> Server::translate_lines(std::vector<std::string> lines, Lang target, const Glossary& glossary,
                                                 Clock::time_point deadline, size_t alternatives) {
  auto ticket = queue_.submit(std::move(lines), target, glossary, alternatives);
  if (!ticket) throw HttpError(503, "Too many requests waiting: try again later", kRetryAfterSeconds);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  auto results = ticket->wait(std::max(left, std::chrono::milliseconds(0)));
  if (!results)
    throw HttpError(503, "Translation timed out after " + std::to_string(options_.timeout.count()) + " ms",
                    kRetryAfterSeconds);
  return std::move(*results);
}

}  // namespace mt::serve
