// /translate_file and /download_file over loopback with a real HTTP client, as LibreTranslate's
// clients call them: a multipart upload, a URL in the answer, the translated file behind it.
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/serve/test_server.h"

namespace mt::serve {
namespace {

using nlohmann::json;
using testing::TestServer;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string sample(const std::string& name) { return read_file(std::string(MT_SOURCE_DIR) + "/tests/data/" + name); }

// Uploads a file; returns the answer (status, body).
httplib::Result upload(httplib::Client& client, const std::string& name, const std::string& bytes,
                       const std::string& target = "zh") {
  httplib::MultipartFormDataItems items = {{"file", bytes, name, "application/octet-stream"}, {"target", target, "", ""},
                                           {"source", "auto", "", ""}};
  return client.Post("/translate_file", items);
}

// The translated file behind an answer's translatedFileUrl.
std::string download(httplib::Client& client, const httplib::Result& answer, const std::string& name) {
  EXPECT_TRUE(answer);
  if (!answer) return "";
  EXPECT_EQ(answer->status, 200) << answer->body;
  const std::string url = json::parse(answer->body).value("translatedFileUrl", "");
  const size_t path = url.find("/download_file/");
  EXPECT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  EXPECT_NE(path, std::string::npos) << url;
  EXPECT_EQ(url.substr(url.size() - name.size() - 1), "." + name) << url;
  auto file = client.Get(url.substr(path).c_str());
  EXPECT_TRUE(file);
  if (!file) return "";
  EXPECT_EQ(file->status, 200);
  EXPECT_EQ(file->get_header_value("Content-Disposition"), "attachment; filename=\"" + name + "\"");
  return file->body;
}

TEST(ServeFiles, ATextFileComesBackTranslatedLineByLine) {
  TestServer server;
  auto client = server.client();
  const std::string text = "Good morning.\n\nSee you tomorrow.";
  EXPECT_EQ(download(client, upload(client, "notes.txt", text), "notes.txt"), "[zh] Good morning.\n\n[zh] See you tomorrow.");
}

TEST(ServeFiles, DocumentsKeepTheirFormat) {
  TestServer server;
  auto client = server.client();
  const std::string srt = download(client, upload(client, "film.srt", sample("sample.srt")), "film.srt");
  EXPECT_NE(srt.find("00:00:09,000 --> 00:00:11,500\r\n<i>[zh] Where are you going?</i>"), std::string::npos) << srt;
  const std::string po = download(client, upload(client, "hello.pot", sample("hello.pot")), "hello.pot");
  EXPECT_NE(po.find("msgstr \"[zh] Hello, world!\""), std::string::npos) << po;
  const std::string docx = download(client, upload(client, "report.docx", sample("office_sample.docx")), "report.docx");
  EXPECT_EQ(docx.substr(0, 2), "PK");
  EXPECT_NE(docx, sample("office_sample.docx"));
}

TEST(ServeFiles, BadUploadsGetJsonErrorsWith4xx) {
  ServerOptions options;
  options.max_file_bytes = 4096;
  TestServer server(options);
  auto client = server.client();
  auto expect = [](const httplib::Result& res, int status, const std::string& message) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << res->body;
    const json body = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << res->body;
    EXPECT_NE(body.value("error", "").find(message), std::string::npos) << res->body;
  };
  expect(client.Post("/translate_file", httplib::MultipartFormDataItems{{"target", "zh", "", ""}}), 400, "missing file");
  expect(upload(client, "scan.pdf", "%PDF-1.4"), 400, "unsupported file format of 'scan.pdf'");
  expect(upload(client, "big.txt", std::string(8192, 'a')), 413, "over 4096 bytes");
  expect(upload(client, "broken.docx", "PK\x03\x04 not really"), 400, "not a valid zip archive");
  expect(upload(client, "broken.srt", "1\n00:00:05,000 --> 00:00:04,000\nHi.\n"), 400, "line 2: the cue ends before it starts");
  expect(upload(client, "notes.txt", "Hi.", "fr"), 400, "target must be en or zh");
  auto missing = client.Get("/download_file/0123.notes.txt");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(ServeFiles, TranslatedFilesExpire) {
  ServerOptions options;
  options.file_lifetime = std::chrono::seconds(1);
  TestServer server(options);
  auto client = server.client();
  const auto answer = upload(client, "notes.txt", "Hello.");
  ASSERT_TRUE(answer);
  const std::string url = json::parse(answer->body).value("translatedFileUrl", "");
  const std::string path = url.substr(url.find("/download_file/"));
  EXPECT_EQ(client.Get(path.c_str())->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(client.Get(path.c_str())->status, 404);
}

TEST(ServeFiles, FrontendSettingsListTheFileFormats) {
  TestServer server;
  auto client = server.client();
  auto res = client.Get("/frontend/settings");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const json settings = json::parse(res->body);
  EXPECT_EQ(settings["filesTranslation"], true);
  const auto formats = settings["supportedFilesFormat"];
  for (const char* extension : {".txt", ".docx", ".srt", ".po", ".epub"})
    EXPECT_NE(std::find(formats.begin(), formats.end(), extension), formats.end()) << extension;
  EXPECT_EQ(settings["charLimit"], 5000);
}

}  // namespace
}  // namespace mt::serve
