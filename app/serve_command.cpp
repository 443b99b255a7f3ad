// mt serve [-m MODEL] [--host 127.0.0.1] [--port 5000] [--max-chars N] ...
// LibreTranslate's HTTP API and a web page over one model in memory: every request's lines go
// through one queue into one engine thread, which translates whatever is waiting in one batch.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/command.h"
#include "app/serve/batch_queue.h"
#include "app/serve/server.h"
#include "app/translation_flags.h"

namespace mt::app {

namespace {

std::set<std::string> read_api_keys(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("--api-key: cannot read '" + path + "'");
  std::set<std::string> keys;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (!line.empty() && line[0] != '#') keys.insert(line);
  }
  if (keys.empty()) throw UsageError("--api-key: '" + path + "' holds no key");
  return keys;
}

}  // namespace

Run add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "HTTP translation service (LibreTranslate's API) with a web page");
  struct Options {
    TranslationFlags flags;
    std::string host = "127.0.0.1";
    int port = 5000;
    serve::ServerOptions server;
    serve::QueueOptions queue;
    double timeout_seconds = 60;
    std::string api_key_file;
  };
  auto o = std::make_shared<Options>();
  o->flags.add_to(*cmd);
  cmd->remove_option(cmd->get_option("--to"));  // each request names its target
  cmd->add_option("--host", o->host, "Address to listen on (0.0.0.0: every interface)");
  cmd->add_option("--port", o->port, "Port to listen on (0: any free one, logged)")->check(CLI::Range(0, 65535));
  cmd->add_option("--max-chars", o->server.limits.max_chars, "Characters of q per request (all texts together)")
      ->check(CLI::Range(1, 10000000));
  cmd->add_option("--batch-limit", o->server.limits.max_texts, "Texts in an array q per request")->check(CLI::Range(1, 100000));
  cmd->add_option("--max-body", o->server.max_body_bytes, "Request body bytes")->check(CLI::Range(1024, 1 << 30));
  cmd->add_option("--max-file-size", o->server.max_file_bytes, "Bytes of a file sent to /translate_file; larger: 413")
      ->check(CLI::Range(1024, 1 << 30));
  cmd->add_option("--max-queue", o->queue.max_queued_lines, "Lines waiting for the engine; beyond it 503 + Retry-After")
      ->check(CLI::Range(1, 10000000));
  cmd->add_option("--max-batch-lines", o->queue.max_batch_lines, "Lines per engine call, from every waiting request")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--timeout", o->timeout_seconds, "Seconds a request may wait for its translation; then 503")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--http-threads", o->server.http_threads, "Connections served at once")->check(CLI::Range(1, 4096));
  cmd->add_option("--api-key", o->api_key_file, "File of API keys, one per line: requests without one get 403");

  return [o]() {
    auto& server_options = o->server;
    server_options.timeout = std::chrono::milliseconds(int64_t(o->timeout_seconds * 1000));
    if (!o->api_key_file.empty()) server_options.api_keys = read_api_keys(o->api_key_file);

    // Block SIGTERM/SIGINT in every thread started from here on; one thread waits for them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    ModelPackage package = o->flags.load();
    Translator translator(package.network, package.tokenizer, o->flags.translator_options());
    serve::BatchQueue queue(
        [&translator, beam = translator.options().search.beam](const std::vector<std::string>& lines, Lang target,
                                                               const serve::Glossary& glossary, size_t alternatives) {
          auto& options = translator.options();
          options.glossary = glossary;
          options.search.n_best = int64_t(1 + alternatives);  // the alternatives: the beam's next best
          options.search.beam = std::max(beam, options.search.n_best);
          std::vector<std::string> texts;
          texts.reserve(lines.size() * (1 + alternatives));
          for (auto& t : translator.translate(lines, target)) {
            texts.push_back(t.text);
            size_t added = 0;
            for (size_t i = 1; i < t.n_best.size() && added < alternatives; ++i)
              if (t.n_best[i].first != t.text) texts.push_back(t.n_best[i].first), ++added;
            for (; added < alternatives; ++added) texts.emplace_back();
          }
          return texts;
        },
        o->queue);
    server_options.glossary = translator.options().glossary;  // --glossary, for every request
    server_options.align = doc::align_with(package.aligner);
    serve::Server server(queue, server_options);
    const int port = server.bind(o->host, o->port);

    std::atomic<bool> finished{false};
    std::thread watcher([&] {
      int signal = 0;
      sigwait(&signals, &signal);
      if (finished) return;
      spdlog::info("{}: finishing the requests in flight, then stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      // stop() does nothing until the server runs: repeat it until run() has returned.
      while (!finished) {
        server.stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
    spdlog::info("listening on http://{}:{} (web page at /, LibreTranslate API at /translate)", o->host, port);
    server.run();
    finished = true;
    pthread_kill(watcher.native_handle(), SIGTERM);  // wakes the watcher if no signal came
    watcher.join();
    queue.stop();
    spdlog::info("stopped");
    return 0;
  };
}

}  // namespace mt::app
