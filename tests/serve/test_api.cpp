// The API over loopback with a real HTTP client: every endpoint, LibreTranslate's field names,
// and each error with its status code.
#include <future>

#include <nlohmann/json.hpp>

#include "tests/serve/test_server.h"

namespace mt::serve {
namespace {

using nlohmann::json;
using testing::fake_translation;
using testing::TestServer;

json post_json(httplib::Client& client, const std::string& path, const json& body, int expected_status) {
  auto res = client.Post(path.c_str(), body.dump(), "application/json");
  EXPECT_TRUE(res) << "no answer from " << path;
  if (!res) return json();
  EXPECT_EQ(res->status, expected_status) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  return json::parse(res->body);
}

// Sends a raw body; expects an error answer {"error": "..."} with this status.
std::string expect_error(httplib::Client& client, const std::string& body, const std::string& content_type, int status,
                         const std::string& path = "/translate") {
  auto res = client.Post(path.c_str(), body, content_type.c_str());
  EXPECT_TRUE(res);
  if (!res) return "";
  EXPECT_EQ(res->status, status) << body << " -> " << res->body;
  const json answer = json::parse(res->body, nullptr, false);
  EXPECT_TRUE(answer.is_object() && answer.contains("error") && answer["error"].is_string()) << res->body;
  return answer.value("error", "");
}

TEST(ServeApi, TranslatesAJsonString) {
  TestServer server;
  auto client = server.client();
  const json answer = post_json(client, "/translate", {{"q", "Hello, world."}, {"source", "en"}, {"target", "zh"}}, 200);
  EXPECT_EQ(answer["translatedText"], fake_translation("Hello, world.", "zh"));
  EXPECT_FALSE(answer.contains("detectedLanguage"));  // only for source=auto
}

// Our extension: a request's glossary (JSON object or form lines) on top of the server's --glossary;
// requests with other glossaries never share an engine call.
TEST(ServeApi, GlossariesOfTheServerAndOfTheRequest) {
  ServerOptions options;
  options.glossary = std::make_shared<const Terminology>(Terminology::parse("cluster\t集群\n", "server"));
  TestServer server(options);
  auto client = server.client();
  const std::string text = "Restart the pod in the cluster.";
  json answer = post_json(client, "/translate", {{"q", text}, {"source", "en"}, {"target", "zh"}}, 200);
  EXPECT_EQ(answer["translatedText"], fake_translation(text, "zh") + " {集群}");
  answer = post_json(client, "/translate",
                     {{"q", text}, {"source", "en"}, {"target", "zh"}, {"glossary", {{"pod", "Pod"}, {"restart", "重启"}}}}, 200);
  EXPECT_EQ(answer["translatedText"], fake_translation(text, "zh") + " {重启} {Pod} {集群}");
  auto res = client.Post("/translate", "q=Restart+now&target=zh&glossary=restart%09%E9%87%8D%E5%90%AF",
                         "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["translatedText"], fake_translation("Restart now", "zh") + " {重启}");
  for (const json& bad : {json(42), json({{"pod", 1}}), json({{"pod", ""}}), json({{"a\tb", "c"}})})
    expect_error(client, json({{"q", text}, {"target", "zh"}, {"glossary", bad}}).dump(), "application/json", 400);
  json huge = json::object();
  for (int i = 0; i < 1001; ++i) huge["term" + std::to_string(i)] = "x";
  EXPECT_NE(expect_error(client, json({{"q", text}, {"target", "zh"}, {"glossary", huge}}).dump(), "application/json", 400)
                .find("1000"),
            std::string::npos);
}

TEST(ServeApi, TranslatesAFormBodyAsCurlSendsIt) {
  TestServer server;
  auto client = server.client();
  // curl -d q='Hello, world.' -d source=en -d target=zh
  auto res = client.Post("/translate", "q=Hello%2C+world.&source=en&target=zh", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body)["translatedText"], fake_translation("Hello, world.", "zh"));
}

TEST(ServeApi, TakesFieldsFromTheQueryAndMultipartForms) {
  TestServer server;
  auto client = server.client();
  client.set_url_encode(false);  // send the query as written: + for a space, as forms do
  auto res = client.Post("/translate?q=Good+night&source=en&target=zh", "", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["translatedText"], fake_translation("Good night", "zh"));

  httplib::MultipartFormDataItems items = {{"q", "早上好", "", ""}, {"source", "zh", "", ""}, {"target", "en", "", ""}};
  res = client.Post("/translate", items);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["translatedText"], fake_translation("早上好", "en"));
}

TEST(ServeApi, AnArrayQGivesAnArrayInOrder) {
  TestServer server;
  auto client = server.client();
  const json answer =
      post_json(client, "/translate", {{"q", {"one", "two", "", "three"}}, {"source", "en"}, {"target", "zh"}}, 200);
  EXPECT_EQ(answer["translatedText"],
            json({fake_translation("one", "zh"), fake_translation("two", "zh"), "", fake_translation("three", "zh")}));
}

TEST(ServeApi, KeepsTheLinesOfAText) {
  TestServer server;
  auto client = server.client();
  const json answer = post_json(client, "/translate", {{"q", "First.\n\nSecond."}, {"source", "en"}, {"target", "zh"}}, 200);
  EXPECT_EQ(answer["translatedText"], fake_translation("First.", "zh") + "\n\n" + fake_translation("Second.", "zh"));
}

TEST(ServeApi, AutoDetectsTheSourceLanguage) {
  TestServer server;
  auto client = server.client();
  json answer = post_json(client, "/translate", {{"q", "我们明天见。"}, {"source", "auto"}, {"target", "en"}}, 200);
  EXPECT_EQ(answer["translatedText"], fake_translation("我们明天见。", "en"));
  EXPECT_EQ(answer["detectedLanguage"]["language"], "zh");
  EXPECT_EQ(answer["detectedLanguage"]["confidence"], 100.0);

  // Already in the target language: given back as it is, as LibreTranslate does.
  answer = post_json(client, "/translate", {{"q", {"See you tomorrow.", "明天见"}}, {"source", "auto"}, {"target", "en"}}, 200);
  EXPECT_EQ(answer["translatedText"], json({"See you tomorrow.", fake_translation("明天见", "en")}));
  ASSERT_TRUE(answer["detectedLanguage"].is_array());
  EXPECT_EQ(answer["detectedLanguage"][0]["language"], "en");
  EXPECT_EQ(answer["detectedLanguage"][1]["language"], "zh");

  // No source at all means auto.
  answer = post_json(client, "/translate", {{"q", "Thank you"}, {"target", "zh"}}, 200);
  EXPECT_EQ(answer["translatedText"], fake_translation("Thank you", "zh"));
  EXPECT_EQ(answer["detectedLanguage"]["language"], "en");
}

TEST(ServeApi, AcceptsLibreTranslatesChineseCodes) {
  TestServer server;
  auto client = server.client();
  const json answer = post_json(client, "/translate", {{"q", "Hi"}, {"source", "en"}, {"target", "zh-Hans"}}, 200);
  EXPECT_EQ(answer["translatedText"], fake_translation("Hi", "zh"));
}

TEST(ServeApi, TranslatesHtmlKeepingItsTags) {
  TestServer server;
  auto client = server.client();
  const json answer = post_json(
      client, "/translate", {{"q", "<p>Hello <b>world</b>.</p>"}, {"source", "en"}, {"target", "zh"}, {"format", "html"}}, 200);
  const std::string html = answer["translatedText"];
  EXPECT_NE(html.find("<p>"), std::string::npos) << html;
  EXPECT_NE(html.find("</p>"), std::string::npos) << html;
  EXPECT_NE(html.find("[zh]"), std::string::npos) << html;
  // Auto-detection reads the text, not the tags: <p> and <b> are no English words.
  const json detected = post_json(
      client, "/translate", {{"q", "<p>你好<b>世界</b></p>"}, {"target", "en"}, {"format", "html"}}, 200);
  EXPECT_EQ(detected["detectedLanguage"]["language"], "zh");
  EXPECT_NE(detected["translatedText"].get<std::string>().find("[en]"), std::string::npos) << detected;
}

TEST(ServeApi, ListsLanguages) {
  TestServer server;
  auto client = server.client();
  auto res = client.Get("/languages");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const json languages = json::parse(res->body);
  ASSERT_EQ(languages.size(), 2u);
  EXPECT_EQ(languages[0]["code"], "en");
  EXPECT_EQ(languages[0]["name"], "English");
  EXPECT_EQ(languages[1]["code"], "zh");
  EXPECT_EQ(languages[1]["targets"], json({"en", "zh"}));
}

TEST(ServeApi, DetectsLanguages) {
  TestServer server;
  auto client = server.client();
  json answer = post_json(client, "/detect", {{"q", "这是中文。"}}, 200);
  ASSERT_TRUE(answer.is_array());
  EXPECT_EQ(answer[0]["language"], "zh");
  EXPECT_EQ(answer[0]["confidence"], 100.0);
  answer = post_json(client, "/detect", {{"q", "This is English with one 词."}}, 200);
  EXPECT_EQ(answer[0]["language"], "en");
  EXPECT_GT(answer[0]["confidence"].get<double>(), 50.0);
  EXPECT_LT(answer[0]["confidence"].get<double>(), 100.0);
  EXPECT_EQ(answer[1]["language"], "zh");
  EXPECT_DOUBLE_EQ(answer[0]["confidence"].get<double>() + answer[1]["confidence"].get<double>(), 100.0);
  answer = post_json(client, "/detect", {{"q", "12345 !?"}}, 200);  // no evidence either way
  EXPECT_EQ(answer[0]["language"], "en");
  EXPECT_EQ(answer[0]["confidence"], 0.0);
  EXPECT_EQ(answer[1]["confidence"], 0.0);
}

TEST(ServeApi, HealthMetricsAndThePage) {
  TestServer server;
  auto client = server.client();
  auto res = client.Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body)["status"], "ok");

  post_json(client, "/translate", {{"q", {"a", "b"}}, {"source", "en"}, {"target", "zh"}}, 200);
  post_json(client, "/translate", {{"q", "a"}, {"target", "fr"}}, 400);
  res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const std::string& metrics = res->body;
  EXPECT_NE(metrics.find("mt_requests_total{endpoint=\"/translate\",code=\"200\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mt_requests_total{endpoint=\"/translate\",code=\"400\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mt_translated_texts_total 2\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mt_sentences_total 2\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mt_translate_duration_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mt_translate_duration_seconds_count 1\n"), std::string::npos) << metrics;

  res = client.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(res->body.find("<textarea id=\"input\""), std::string::npos);
  EXPECT_NE(res->body.find("</html>"), std::string::npos);
}

TEST(ServeApi, AllowsOtherOrigins) {
  TestServer server;
  auto client = server.client();
  auto res = client.Options("/translate");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
  EXPECT_NE(res->get_header_value("Access-Control-Allow-Headers").find("Content-Type"), std::string::npos);
}

TEST(ServeApi, BadRequestsGetJsonErrorsWith4xx) {
  ServerOptions options;
  options.limits.max_chars = 20;
  options.limits.max_texts = 3;
  options.max_body_bytes = 4096;
  TestServer server(options);
  auto client = server.client();
  const std::string json_type = "application/json";
  EXPECT_NE(expect_error(client, "{\"q\": \"Hi\", ", json_type, 400).find("malformed JSON"), std::string::npos);
  EXPECT_NE(expect_error(client, "[\"Hi\"]", json_type, 400).find("object"), std::string::npos);
  EXPECT_EQ(expect_error(client, "{\"target\": \"zh\"}", json_type, 400), "Invalid request: missing q parameter");
  EXPECT_EQ(expect_error(client, "{\"q\": \"\", \"target\": \"zh\"}", json_type, 400), "Invalid request: missing q parameter");
  EXPECT_NE(expect_error(client, "{\"q\": 5, \"target\": \"zh\"}", json_type, 400).find("q must be"), std::string::npos);
  EXPECT_NE(expect_error(client, "{\"q\": [\"a\", 1], \"target\": \"zh\"}", json_type, 400).find("q must be"), std::string::npos);
  EXPECT_EQ(expect_error(client, "{\"q\": \"Hi\"}", json_type, 400), "Invalid request: missing target parameter");
  EXPECT_NE(expect_error(client, "{\"q\": \"Hi\", \"target\": \"fr\"}", json_type, 400).find("'fr' is not supported"),
            std::string::npos);
  EXPECT_NE(expect_error(client, "{\"q\": \"Hi\", \"source\": \"de\", \"target\": \"zh\"}", json_type, 400)
                .find("'de' is not supported"),
            std::string::npos);
  EXPECT_NE(expect_error(client, "{\"q\": \"Hi\", \"target\": 7}", json_type, 400).find("target must be a string"),
            std::string::npos);
  EXPECT_NE(expect_error(client, "{\"q\": \"Hi\", \"target\": \"zh\", \"format\": \"xml\"}", json_type, 400)
                .find("format is not supported"),
            std::string::npos);
  // Invalid UTF-8, in JSON and in a form.
  EXPECT_NE(expect_error(client, "{\"q\": \"\xff\xfe\", \"target\": \"zh\"}", json_type, 400).find("malformed JSON"),
            std::string::npos);
  EXPECT_NE(expect_error(client, "q=%FF%FEabc&target=zh", "application/x-www-form-urlencoded", 400).find("UTF-8"),
            std::string::npos);
  // Limits: characters (code points, not bytes: 20 Chinese characters pass), texts, body bytes.
  post_json(client, "/translate", {{"q", "一二三四五六七八九十一二三四五六七八九十"}, {"source", "zh"}, {"target", "en"}}, 200);
  EXPECT_NE(expect_error(client, json({{"q", std::string(21, 'a')}, {"target", "zh"}}).dump(), json_type, 400)
                .find("exceeds text limit (20)"),
            std::string::npos);
  EXPECT_NE(expect_error(client, json({{"q", {"a", "b", "c", "d"}}, {"target", "zh"}}).dump(), json_type, 400)
                .find("exceeds text limit (3)"),
            std::string::npos);
  expect_error(client, json({{"q", std::string(5000, 'a')}, {"target", "zh"}}).dump(), json_type, 413);
  // Nesting, content types, paths and methods.
  EXPECT_NE(expect_error(client, std::string(100, '[') + std::string(100, ']'), json_type, 400).find("nested"),
            std::string::npos);
  expect_error(client, "q=Hi&target=zh", "text/plain", 415);
  expect_error(client, "{}", json_type, 404, "/nowhere");
  auto res = client.Get("/translate");
  ASSERT_TRUE(res);
  EXPECT_GE(res->status, 400);
  EXPECT_LT(res->status, 500);
  EXPECT_TRUE(json::parse(res->body).contains("error"));
  // /detect takes one string.
  expect_error(client, "{\"q\": [\"a\"]}", json_type, 400, "/detect");
  expect_error(client, "{}", json_type, 400, "/detect");
}

TEST(ServeApi, ApiKeysFromTheListOnly) {
  ServerOptions options;
  options.api_keys = {"key-one", "key-two"};
  TestServer server(options);
  auto client = server.client();
  EXPECT_EQ(expect_error(client, "{\"q\": \"Hi\", \"target\": \"zh\"}", "application/json", 403), "Invalid API key");
  expect_error(client, "{\"q\": \"Hi\", \"target\": \"zh\", \"api_key\": \"key-three\"}", "application/json", 403);
  expect_error(client, "{\"q\": \"Hi\"}", "application/json", 403, "/detect");
  post_json(client, "/translate", {{"q", "Hi"}, {"target", "zh"}, {"api_key", "key-two"}}, 200);
  auto res = client.Post("/translate", "q=Hi&target=zh&api_key=key-one", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = client.Get("/languages");  // listing languages needs no key, as in LibreTranslate
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

// An engine that waits at a gate before translating, for tests that need a busy engine.
struct GatedEngine {
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  Engine engine() {
    return [f = opened](const std::vector<std::string>& lines, Lang target, const Glossary&, size_t) {
      f.wait();
      return testing::fake_engine(lines, target);
    };
  }
};

void wait_until(const std::function<bool()>& condition) {
  for (int i = 0; i < 2000 && !condition(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(condition()) << "the condition never held";
}

TEST(ServeApi, AFullQueueAnswers503WithRetryAfter) {
  GatedEngine gated;
  QueueOptions queue_options;
  queue_options.max_queued_lines = 2;
  TestServer server({}, queue_options, gated.engine());
  auto send = [&server](std::vector<std::string> q) {
    auto client = server.client();
    return client.Post("/translate", json({{"q", q}, {"source", "en"}, {"target", "zh"}}).dump(), "application/json");
  };
  auto first = std::async(std::launch::async, send, std::vector<std::string>{"a"});  // in the engine
  wait_until([&] { return server.queue().stats().batches == 1; });
  auto second = std::async(std::launch::async, send, std::vector<std::string>{"b", "c"});  // fills the queue
  wait_until([&] { return server.queue().stats().queued_lines == 2; });
  auto third = send({"d"});
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 503);
  EXPECT_EQ(third->get_header_value("Retry-After"), "2");
  EXPECT_NE(json::parse(third->body)["error"].get<std::string>().find("try again"), std::string::npos);
  gated.gate.set_value();
  auto a = first.get(), b = second.get();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(json::parse(a->body)["translatedText"], json({fake_translation("a", "zh")}));
  EXPECT_EQ(json::parse(b->body)["translatedText"], json({fake_translation("b", "zh"), fake_translation("c", "zh")}));
}

TEST(ServeApi, ARequestPastItsTimeoutAnswers503) {
  GatedEngine gated;
  ServerOptions options;
  options.timeout = std::chrono::milliseconds(100);
  TestServer server(options, {}, gated.engine());
  auto client = server.client();
  const std::string error = expect_error(client, "{\"q\": \"Hi\", \"target\": \"zh\"}", "application/json", 503);
  EXPECT_NE(error.find("timed out"), std::string::npos) << error;
  gated.gate.set_value();
}

TEST(ServeApi, AnEngineFailureAnswers500AndTheServerGoesOn) {
  int calls = 0;
  TestServer server({}, {}, [&calls](const std::vector<std::string>& lines, Lang target, const Glossary&, size_t) {
    if (++calls == 1) throw std::runtime_error("out of memory");
    return testing::fake_engine(lines, target);
  });
  auto client = server.client();
  EXPECT_EQ(expect_error(client, "{\"q\": \"Hi\", \"target\": \"zh\"}", "application/json", 500),
            "Cannot translate text: out of memory");
  post_json(client, "/translate", {{"q", "Hi"}, {"target", "zh"}}, 200);
}

TEST(ServeApi, StoppingFinishesTheRequestsInFlight) {
  GatedEngine gated;
  auto server = std::make_unique<TestServer>(ServerOptions{}, QueueOptions{}, gated.engine());
  auto in_flight = std::async(std::launch::async, [&] {
    auto client = server->client();
    return client.Post("/translate", "{\"q\": \"Last words\", \"target\": \"zh\"}", "application/json");
  });
  wait_until([&] { return server->queue().stats().batches == 1; });
  server->server().stop();  // as SIGTERM does
  gated.gate.set_value();
  auto res = in_flight.get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body)["translatedText"], fake_translation("Last words", "zh"));
  httplib::Client late("127.0.0.1", server->port());  // no new connections once stopped
  late.set_connection_timeout(2, 0);
  EXPECT_FALSE(late.Get("/health"));
}

}  // namespace
}  // namespace mt::serve

namespace mt::serve {
namespace {

// LibreTranslate's alternatives: the beam's next best, for a string or an array q, a multi-line
// text line by line; batched only with requests that want as many.
TEST(ServeApi, AlternativesComeFromTheEngine) {
  TestServer server;
  auto client = server.client();
  json answer = post_json(client, "/translate", {{"q", "Hello"}, {"source", "en"}, {"target", "zh"}, {"alternatives", 2}}, 200);
  EXPECT_EQ(answer["translatedText"], "[zh] Hello");
  EXPECT_EQ(answer["alternatives"], json({"[zh] Hello (1)", "[zh] Hello (2)"}));
  answer = post_json(client, "/translate",
                     {{"q", {"One", "Two\nThree"}}, {"source", "en"}, {"target", "zh"}, {"alternatives", "1"}}, 200);
  EXPECT_EQ(answer["alternatives"], json({{"[zh] One (1)"}, {"[zh] Two (1)\n[zh] Three (1)"}}));
  answer = post_json(client, "/translate", {{"q", "Hello"}, {"source", "en"}, {"target", "zh"}}, 200);
  EXPECT_FALSE(answer.contains("alternatives"));
  for (const json bad : {json(4), json(-1), json("two"), json(1.5)})
    EXPECT_NE(expect_error(client, json({{"q", "Hi"}, {"target", "zh"}, {"alternatives", bad}}).dump(), "application/json", 400)
                  .find("alternatives must be a whole number from 0 to 3"),
              std::string::npos);
}

}  // namespace
}  // namespace mt::serve
