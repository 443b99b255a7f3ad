// A Server over a BatchQueue with a fake engine, listening on a free loopback port for one test.
#pragma once
#include <httplib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "app/serve/server.h"

namespace mt::serve::testing {

// Deterministic and line by line, so any line given to the wrong request shows: "[zh] Hello".
// The glossary's targets for the terms a line holds follow it in braces: "[zh] A cluster {集群}".
// Alternative j of a line is "[zh] Hello (j)".
inline std::vector<std::string> fake_engine(const std::vector<std::string>& lines, Lang target,
                                            const Glossary& glossary = nullptr, size_t alternatives = 0) {
  std::vector<std::string> out;
  for (const auto& line : lines) {
    out.push_back(line.empty() ? "" : "[" + language_code(target) + "] " + line);
    if (glossary && !line.empty())
      for (const auto* entry : glossary->match(line, target == Lang::Zh ? Lang::En : Lang::Zh))
        out.back() += " {" + entry->target + "}";
    const std::string best = out.back();
    for (size_t j = 1; j <= alternatives; ++j) out.push_back(best.empty() ? "" : best + " (" + std::to_string(j) + ")");
  }
  return out;
}

inline std::string fake_translation(const std::string& line, const std::string& target) { return "[" + target + "] " + line; }

class TestServer {
 public:
  explicit TestServer(ServerOptions options = {}, QueueOptions queue_options = {}, Engine engine = fake_engine)
      : queue_(std::move(engine), queue_options), server_(queue_, std::move(options)) {
    port_ = server_.bind("127.0.0.1", 0);
    thread_ = std::thread([this] { server_.run(); });
    // stop() needs a running server: wait for it (bounded; the test fails past it).
    for (int i = 0; i < 1000 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(server_.is_running()) << "the server did not start";
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
    queue_.stop();
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    c.set_connection_timeout(10, 0);
    return c;
  }
  int port() const { return port_; }
  Server& server() { return server_; }
  BatchQueue& queue() { return queue_; }

 private:
  BatchQueue queue_;
  Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace mt::serve::testing
