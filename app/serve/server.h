// The HTTP service: LibreTranslate's API (/translate, /translate_file + /download_file, /detect,
// /languages, /frontend/settings), /health, /metrics and the web page, over cpp-httplib, in front
// of a BatchQueue. Torch-free: the engine is a
// function, so tests run it with a fake one.
#pragma once
#include <chrono>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "app/document/document.h"
#include "app/serve/batch_queue.h"
#include "app/serve/file_store.h"
#include "app/serve/metrics.h"
#include "app/serve/request.h"

namespace httplib {
class Server;
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace mt::serve {

class HttpServer;

struct ServerOptions {
  RequestLimits limits;
  size_t max_body_bytes = 1 << 20;             // larger bodies: 413
  std::chrono::milliseconds timeout{60'000};   // a request not translated by then: 503
  int http_threads = 64;                       // connections served at once (each holds a thread)
  std::set<std::string> api_keys;              // empty: no key needed; else 403 without one of them
  Glossary glossary;                           // terms every translation keeps (--glossary)
  size_t max_file_bytes = 20 << 20;            // uploads to /translate_file; larger: 413
  std::chrono::milliseconds file_timeout{600'000};  // a file not translated by then: 503
  std::chrono::seconds file_lifetime{900};     // translated files wait this long for their download
  size_t max_stored_bytes = 512 << 20;         // translated files kept at once (the oldest go first)
  doc::AlignFn align;                          // places the markup of HTML and files (thread-safe)
};

class Server {
 public:
  Server(BatchQueue& queue, ServerOptions options);
  ~Server();

  // Binds host:port (0: any free port) and returns the port; throws std::runtime_error.
  int bind(const std::string& host, int port);
  // Serves until stop(); returns once the requests in flight are answered.
  void run();
  // Stops accepting connections; safe from any thread. No effect before run() has started.
  void stop();
  bool is_running() const;

 private:
  using Reply = std::pair<int, nlohmann::json>;  // status, body
  struct Upload {  // a multipart field sent as a file
    std::string name, bytes;
    bool present = false;
  };
  void answer(const std::string& endpoint, httplib::Response& res, const std::function<Reply()>& handle);
  // The request's fields; a multipart "file" field goes to *upload (when given), not the fields.
  nlohmann::json read_request(const httplib::Request& req, const httplib::ContentReader& reader, size_t limit,
                              Upload* upload = nullptr) const;
  void check_api_key(const nlohmann::json& fields) const;
  Glossary glossary_for(const std::vector<std::pair<std::string, std::string>>& request_terms) const;
  Reply translate(const nlohmann::json& fields);
  // /translate_file: the upload translated by its extension's format and kept for /download_file.
  Reply translate_file(const nlohmann::json& fields, const Upload& upload, const std::string& base_url);
  // The texts' lines translated through the queue into `target`: per line its translation, then
  // `alternatives` others ("" where there were fewer).
  std::vector<std::string> translate_lines(std::vector<std::string> lines, Lang target, const Glossary& glossary,
                                           std::chrono::steady_clock::time_point deadline, size_t alternatives = 0);

  BatchQueue& queue_;
  ServerOptions options_;
  Metrics metrics_;
  FileStore files_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace mt::serve
