// Fuzzing the request parsing with random and mutated bodies (a fixed seed and count): parsing
// either succeeds or throws HttpError with a 4xx status, never anything else; over HTTP every
// answer is JSON with translatedText or error, and the server stays up.
#include <random>

#include <nlohmann/json.hpp>

#include "tests/serve/test_server.h"

namespace mt::serve {
namespace {

using nlohmann::json;

const std::vector<std::string> kSeeds = {
    R"({"q": "Hello, world.", "source": "en", "target": "zh"})",
    R"({"q": ["one", "two\nthree"], "source": "auto", "target": "en", "format": "text"})",
    R"({"q": "<p>Hi <b>there</b></p>", "source": "en", "target": "zh", "format": "html", "api_key": "k"})",
    R"({"q": "你好，世界。", "target": "en"})",
    "q=Hello%2C+world.&source=en&target=zh",
    "q=%E4%BD%A0%E5%A5%BD&source=auto&target=en&format=text",
    "q=a&q=b&target=zh&api_key=",
};
const std::vector<std::string> kContentTypes = {"application/json", "application/x-www-form-urlencoded",
                                                "text/plain", "", "application/json; charset=utf-8",
                                                "multipart/form-data; boundary=x"};

std::string mutate(std::string s, std::mt19937& rng) {
  const std::string tokens[] = {"{", "}", "[", "]", "\"", ",", ":", "\\", "\\u", "\\ud800", "%", "%F", "%FF", "&", "=",
                                "\n", std::string(1, '\0'), "\xff", "\xc3", "null", "1e999", "-", "\"q\"", "\"target\""};
  const int edits = 1 + int(rng() % 6);
  for (int e = 0; e < edits; ++e) {
    const size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 4) {
      case 0: s.insert(pos, tokens[rng() % std::size(tokens)]); break;
      case 1: if (!s.empty()) s.erase(pos == s.size() ? pos - 1 : pos, 1 + rng() % 4); break;
      case 2: if (!s.empty()) s[pos % s.size()] = char(rng()); break;
      default: s = s.substr(0, pos); break;
    }
  }
  return s;
}

std::string random_bytes(std::mt19937& rng) {
  std::string s(rng() % 64, '\0');
  for (char& c : s) c = char(rng());
  return s;
}

TEST(ServeFuzz, ParsingAcceptsOrRefusesWith4xx) {
  std::mt19937 rng(2026);
  RequestLimits limits;
  limits.max_chars = 40;
  for (int i = 0; i < 20000; ++i) {
    const std::string body = i % 4 == 0 ? random_bytes(rng) : mutate(kSeeds[rng() % kSeeds.size()], rng);
    const std::string& type = kContentTypes[rng() % kContentTypes.size()];
    const std::multimap<std::string, std::string> query = {{"target", "zh"}};
    try {
      const json fields = read_fields(type, body, query, parse_form(body));
      (void)api_key_of(fields);
      const TranslateRequest request = parse_translate_request(fields, limits);
      ASSERT_FALSE(request.q.empty());
      size_t chars = 0;
      for (const auto& text : request.q) chars += count_characters(text);
      ASSERT_LE(chars, limits.max_chars);
    } catch (const HttpError& e) {
      ASSERT_GE(e.status, 400) << e.what();
      ASSERT_LT(e.status, 500) << e.what();
    }
  }
}

TEST(ServeFuzz, TheServerAnswersEveryMangledBodyWithJson) {
  testing::TestServer server;
  auto client = server.client();
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i) {
    const std::string body = i % 4 == 0 ? random_bytes(rng) : mutate(kSeeds[rng() % kSeeds.size()], rng);
    const std::string& type = kContentTypes[rng() % kContentTypes.size()];
    const char* path = i % 5 == 0 ? "/detect" : "/translate";
    auto res = client.Post(path, body, type.empty() ? "application/octet-stream" : type.c_str());
    ASSERT_TRUE(res) << "no answer to body " << i;
    ASSERT_TRUE(res->status == 200 || (res->status >= 400 && res->status < 500)) << res->status << " " << res->body;
    const json answer = json::parse(res->body, nullptr, false);
    ASSERT_FALSE(answer.is_discarded()) << res->body;
    if (res->status == 200)
      ASSERT_TRUE(answer.is_array() || answer.contains("translatedText")) << res->body;
    else
      ASSERT_TRUE(answer.contains("error")) << res->body;
  }
  auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace mt::serve
