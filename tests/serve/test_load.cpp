// A bounded load test over loopback: 8 clients x 200 requests at once, each answer checked
// against the single-request answer for its own texts, so a line given to the wrong request, lost
// or reordered fails the test.
#include <atomic>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/serve/test_server.h"

namespace mt::serve {
namespace {

using nlohmann::json;

TEST(ServeLoad, ConcurrentRequestsShareBatchesAndNeverMixLines) {
  constexpr int kClients = 8, kRequests = 200;
  // A little work per engine call, so requests pile up while it runs and get batched together.
  testing::TestServer server({}, {}, [](const std::vector<std::string>& lines, Lang target, const Glossary&, size_t) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    return testing::fake_engine(lines, target);
  });

  std::atomic<int> wrong{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client = server.client();
      std::mt19937 rng(c);
      for (int r = 0; r < kRequests; ++r) {
        const bool to_zh = rng() % 2 == 0;
        const int texts = 1 + int(rng() % 4);
        json q = json::array();
        for (int t = 0; t < texts; ++t) {
          std::string text = "client " + std::to_string(c) + " request " + std::to_string(r) + " text " + std::to_string(t);
          if (rng() % 3 == 0) text += "\nsecond line of " + std::to_string(t);
          q.push_back(to_zh ? text : "客户 " + text);
        }
        const std::string target = to_zh ? "zh" : "en";
        const std::string source = to_zh ? "en" : "zh";
        auto res = client.Post("/translate", json({{"q", q}, {"source", source}, {"target", target}}).dump(),
                               "application/json");
        if (!res || res->status != 200) {
          ++failed;
          continue;
        }
        // The single-request answer, from the same engine, text by text and line by line.
        json expected = json::array();
        for (const auto& text : q) {
          std::string out, line;
          std::istringstream lines(text.get<std::string>());
          for (bool first = true; std::getline(lines, line); first = false)
            out += (first ? "" : "\n") + testing::fake_translation(line, target);
          expected.push_back(out);
        }
        if (json::parse(res->body)["translatedText"] != expected) ++wrong;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
  const QueueStats stats = server.queue().stats();
  EXPECT_EQ(stats.queued_lines, 0u);
  // Reported, not asserted (how much piles up depends on the scheduler): lines per engine call.
  std::printf("%llu lines in %llu engine calls (%.1f lines per call)\n", (unsigned long long)stats.batched_lines,
              (unsigned long long)stats.batches, double(stats.batched_lines) / double(std::max<uint64_t>(stats.batches, 1)));
}

TEST(ServeLoad, ManyClientsConnectingAtOnceAreAllAnswered) {
  constexpr int kClients = 100;
  ServerOptions options;
  options.http_threads = kClients;
  testing::TestServer server(options);
  std::atomic<int> ready{0}, answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client = server.client();
      ++ready;
      while (ready < kClients) std::this_thread::yield();  // connect together, past a small listen backlog
      auto res = client.Post("/translate", json({{"q", "line " + std::to_string(c)}, {"target", "zh"}}).dump(),
                             "application/json");
      if (res && res->status == 200 &&
          json::parse(res->body)["translatedText"] == testing::fake_translation("line " + std::to_string(c), "zh"))
        ++answered;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered.load(), kClients);
}

}  // namespace
}  // namespace mt::serve
