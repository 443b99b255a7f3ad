// Paragraphs, Markdown and HTML through the binary and the real model: sentences split and joined,
// documents translated with their structure kept.
#include <gtest/gtest.h>

#include <cctype>
#include <sstream>

#include "tests/cli/run_mt.h"
#include "tests/cli/test_support.h"
#include "tests/document/trees.h"
#include "tokenizer/sentence_splitter.h"

namespace {
// Fast decoding: these tests check structure, not quality.
std::string fast() { return "--threads 2 -m " + test_model() + " --beam 1 --reverse-weight 0 "; }
std::string data(const std::string& name) { return std::string(MT_SOURCE_DIR) + "/tests/data/" + name; }

// The tags of a page as written ("<b>", "</i>", "<a href=...>"), in order.
std::vector<std::string> raw_tags(const std::string& page) {
  std::vector<std::string> tags;
  for (size_t i = page.find('<'); i != std::string::npos; i = page.find('<', i + 1)) {
    const size_t end = page.find('>', i);
    if (end == std::string::npos) break;
    if (i + 1 < page.size() && (std::isalpha(static_cast<unsigned char>(page[i + 1])) || page[i + 1] == '/'))
      tags.push_back(page.substr(i, end + 1 - i));
  }
  return tags;
}
}  // namespace

TEST(Paragraphs, EnglishParagraphGivesFiveChineseSentencesOnOneLine) {
  REQUIRE_MODEL();
  const std::string paragraph =
      "I came home late. My mother was angry. She asked where I had been. I told her the truth. She forgave me.";
  auto r = run_mt("translate " + fast(), paragraph + "\n\n" + paragraph + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_TRUE(lines[1].empty());
  EXPECT_EQ(lines[0], lines[2]);
  EXPECT_TRUE(has_han(lines[0])) << lines[0];
  EXPECT_EQ(mt::split_sentences(lines[0]).size(), 5u) << lines[0];
  EXPECT_EQ(lines[0].find(' '), std::string::npos) << "no spaces between Chinese sentences: " << lines[0];
}

TEST(Paragraphs, ChineseParagraphGivesFiveEnglishSentencesOnOneLine) {
  REQUIRE_MODEL();
  auto r = run_mt("translate " + fast(), "我今天很忙。你明天有空吗？我们一起去吃饭吧！他很高兴。明天我要回家。\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  EXPECT_FALSE(has_han(lines[0])) << lines[0];
  const auto sentences = mt::split_sentences(lines[0]);
  EXPECT_EQ(sentences.size(), 5u) << lines[0];
  EXPECT_EQ(lines[0].find("  "), std::string::npos) << "one space between English sentences: " << lines[0];
}

TEST(Paragraphs, NoSplitTranslatesTheLineWhole) {
  REQUIRE_MODEL();
  // Sentence by sentence, a line's n-best is only its parts' best, joined (one row, score 0); whole,
  // the line is searched once and has its own n-best.
  const std::string text = "I came home late. My mother was angry. She asked where I had been.\n";
  auto split = run_mt("translate --n-best 2 " + fast(), text);
  auto whole = run_mt("translate --no-split --n-best 2 " + fast(), text);
  ASSERT_EQ(split.exit_code, 0) << split.err;
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const auto split_rows = split_lines(split.out), whole_rows = split_lines(whole.out);
  ASSERT_EQ(split_rows.size(), 1u) << split.out;
  EXPECT_EQ(split_rows[0].rfind("0\t0\t", 0), 0u) << split.out;
  ASSERT_EQ(whole_rows.size(), 2u) << whole.out;
  for (const auto& row : whole_rows) EXPECT_EQ(row.rfind("0\t-", 0), 0u) << "a real log-probability: " << row;
  EXPECT_NE(whole_rows[0], whole_rows[1]);
}

TEST(Documents, MarkdownReadmeKeepsItsStructure) {
  REQUIRE_MODEL();
  const auto out = temp_path("readme.zh.md");
  auto r = run_mt("translate " + fast() + "-i " + data("sample_readme.md") + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string source = slurp(data("sample_readme.md")), translated = slurp(out);
  // Blocks, code and link targets exactly; emphasis may move with the words.
  EXPECT_EQ(markdown_tree(translated, false), markdown_tree(source, false)) << translated;
  EXPECT_TRUE(has_han(translated));
  EXPECT_EQ(translated.substr(0, 38), source.substr(0, 38)) << "front matter";
  EXPECT_NE(translated.find("   station --port /dev/ttyUSB0 --interval 60\n"), std::string::npos) << translated;
}

TEST(Documents, HtmlPageKeepsItsStructure) {
  REQUIRE_MODEL();
  const auto out = temp_path("page.zh.html");
  auto r = run_mt("translate " + fast() + "-i " + data("sample_page.html") + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string source = slurp(data("sample_page.html")), translated = slurp(out);
  EXPECT_EQ(html_tree(translated), html_tree(source)) << translated;
  EXPECT_TRUE(has_han(translated));
  EXPECT_NE(translated.find("<code>renew --id 42</code>"), std::string::npos) << translated;
}

TEST(Documents, BoldLandsOnTheWordsItsTextWasAlignedTo) {
  REQUIRE_MODEL();
  if (!std::filesystem::exists(test_model() + "/aligner.bin")) GTEST_SKIP() << test_model() << " has no aligner.bin";
  struct Case {
    std::string html, rendering;  // a paragraph with one word in bold; what that word becomes
  };
  const std::vector<Case> cases = {
      {"The <b>cat</b> is sleeping on the sofa.", "猫"},   {"I drink <b>coffee</b> every morning.", "咖啡"},
      {"She opened the <b>window</b>.", "窗"},             {"We visited the <b>museum</b> on Sunday.", "博物馆"},
      {"The <b>train</b> leaves at six.", "火车"},         {"He reads a <b>newspaper</b> every day.", "报"},
      {"My <b>brother</b> lives in Beijing.", "哥"},       {"我每天早上喝<b>咖啡</b>。", "coffee"},
      {"这只<b>猫</b>在沙发上睡觉。", "cat"},              {"请关上<b>门</b>。", "door"},
      {"我的<b>哥哥</b>住在北京。", "brother"},            {"他在<b>医院</b>工作。", "hospital"}};
  std::string page;
  for (const auto& c : cases) page += "<p>" + c.html + "</p>\n";
  const auto r = run_mt("translate --format html -m " + test_model(), page);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), cases.size()) << r.out;
  size_t placed = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    // Any model: one element, in order.
    const size_t opening = lines[i].find("<b>"), closing = lines[i].find("</b>");
    ASSERT_TRUE(opening != std::string::npos && closing != std::string::npos && opening < closing) << lines[i];
    EXPECT_EQ(lines[i].find("<b>", opening + 1), std::string::npos) << lines[i];
    // A good one: the element holds the word's translation and little else.
    std::string bold = lines[i].substr(opening + 3, closing - opening - 3);
    for (auto& c : bold) c = char(std::tolower(static_cast<unsigned char>(c)));
    placed += bold.find(cases[i].rendering) != std::string::npos && bold.size() <= cases[i].rendering.size() + 6;
  }
  EXPECT_GE(placed, cases.size() - 2) << r.out;  // placing by fragments found 9 of these 12
}

TEST(Documents, FormatFlagOnStdin) {
  REQUIRE_MODEL();
  auto r = run_mt("translate --format html " + fast(), "<p>Good <b>morning</b>.</p><pre>Good morning.</pre>");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has_han(r.out)) << r.out;
  EXPECT_NE(r.out.find("<b>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<pre>Good morning.</pre>"), std::string::npos) << r.out;
  auto bad = run_mt("translate --format pdf " + fast(), "x");
  EXPECT_NE(bad.exit_code, 0);
  auto nbest = run_mt("translate --format markdown --n-best 2 " + fast(), "x");
  EXPECT_NE(nbest.exit_code, 0);
  EXPECT_NE(nbest.err.find("--n-best"), std::string::npos) << nbest.err;
}

TEST(Documents, InvalidHtmlDoesNotCrash) {
  REQUIRE_MODEL();
  const std::string page = "<p>Open <b>bold <i>both</b> end</p></div><table><td>cell<tr>row text<a href=\"x>never \xff";
  auto r = run_mt("translate --format html " + fast(), page);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Every tag comes back byte for byte and in order. (The parser's repaired tree can differ: it
  // re-opens a misnested <i> only where text follows, and the translation moves text.)
  EXPECT_EQ(raw_tags(r.out), raw_tags(page)) << r.out;
  EXPECT_TRUE(has_han(r.out)) << r.out;
}

TEST(Documents, TenMegabyteDocumentsDoNotCrash) {
  REQUIRE_MODEL();
  // Real sentences, repeated: every chunk's pieces go to the model once.
  std::string html = "<html><body>\n", markdown;
  const char* sentences[] = {"The weather is nice today.", "Where is the station?", "I like green tea."};
  for (int i = 0; html.size() < 10'000'000; ++i) {
    html += "<p>" + std::string(sentences[i % 3]) + " <b>Thank you.</b></p>\n";
    markdown += "- " + std::string(sentences[i % 3]) + " *Thank you.*\n\n```\ncode " + std::to_string(i % 7) + "\n```\n\n";
  }
  html += "</body></html>\n";
  const auto html_in = temp_path("big.html"), html_out = temp_path("big.zh.html");
  const auto md_in = temp_path("big.md"), md_out = temp_path("big.zh.md");
  write_text(html_in, html);
  write_text(md_in, markdown);
  auto r = run_mt("translate " + fast() + "-i " + html_in + " -o " + html_out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html_translated = slurp(html_out);
  EXPECT_EQ(std::count(html_translated.begin(), html_translated.end(), '\n'), std::count(html.begin(), html.end(), '\n'));
  EXPECT_TRUE(has_han(html_translated.substr(0, 200)));
  r = run_mt("translate " + fast() + "-i " + md_in + " -o " + md_out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string md_translated = slurp(md_out);
  EXPECT_EQ(std::count(md_translated.begin(), md_translated.end(), '\n'), std::count(markdown.begin(), markdown.end(), '\n'));
  EXPECT_NE(md_translated.find("```\ncode 6\n```"), std::string::npos);
  for (const auto& p : {html_in, html_out, md_in, md_out}) std::remove(p.c_str());
}

namespace {
// The cue timings ffprobe reads from a subtitle file ("start,duration" lines), or "" without ffprobe.
std::string ffprobe_timings(const std::string& path) {
  if (std::system("command -v ffprobe > /dev/null 2>&1") != 0) return "";
  const std::string listing = temp_path("ffprobe.txt");
  const std::string cmd = "ffprobe -v error -show_entries packet=pts_time,duration_time -of csv=p=0 '" + path + "' > " + listing;
  if (std::system(cmd.c_str()) != 0) return "ffprobe failed on " + path;
  return slurp(listing);
}
}  // namespace

TEST(Documents, SubtitlesKeepTheirCuesForPlayers) {
  REQUIRE_MODEL();
  for (const std::string name : {"sample.srt", "sample.vtt"}) {
    const auto out = temp_path("translated-" + name);  // the format from the extension
    auto r = run_mt("translate " + fast() + "-i " + data(name) + " -o " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string translated = slurp(out);
    EXPECT_TRUE(has_han(translated)) << translated;
    const std::string source_timings = ffprobe_timings(data(name));
    if (source_timings.empty()) {
      std::cout << "ffprobe is not installed: the cue timings were not read back\n";
    } else {
      // ffprobe reads every cue of the source, and the same timings from the translation.
      const std::string source = slurp(data(name));
      size_t cues = 0;
      for (size_t at = source.find("-->"); at != std::string::npos; at = source.find("-->", at + 1)) ++cues;
      size_t read = 0;  // "start,duration" lines (cue settings add empty lines of side data)
      std::istringstream lines(source_timings);
      for (std::string line; std::getline(lines, line);) read += !line.empty() && std::isdigit(static_cast<unsigned char>(line[0]));
      EXPECT_EQ(read, cues) << source_timings;
      EXPECT_EQ(ffprobe_timings(out), source_timings) << translated;
    }
  }
  const auto out = temp_path("broken.srt");
  auto broken = run_mt("translate --format srt " + fast() + "-o " + out, "1\n00:00:05,000 --> 00:00:04,000\nHello.\n");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("line 2: the cue ends before it starts"), std::string::npos) << broken.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// GNU hello's template (a Debian package's .pot) through the real model: msgfmt accepts the
// result, and most entries get a translation (one that lost a placeholder is left out).
TEST(Documents, GettextTemplatePassesMsgfmt) {
  REQUIRE_MODEL();
  const auto out = temp_path("hello.zh.po");
  auto r = run_mt("translate " + fast() + "-i " + data("hello.pot") + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string po = slurp(out);
  EXPECT_TRUE(has_han(po));
  EXPECT_NE(po.find("\"Language: zh_CN\\n\""), std::string::npos) << po;
  size_t entries = 0, translated = 0;
  for (size_t at = po.find("\n#, fuzzy"); at != std::string::npos; at = po.find("\n#, fuzzy", at + 1)) ++translated;
  for (size_t at = po.find("\nmsgid "); at != std::string::npos; at = po.find("\nmsgid ", at + 1)) ++entries;
  EXPECT_GT(2 * translated, entries) << po;
  if (std::system("command -v msgfmt > /dev/null 2>&1") == 0) {
    EXPECT_EQ(std::system(("msgfmt --check --use-fuzzy -o /dev/null " + out + " 2> /dev/null").c_str()), 0) << po;
  } else {
    std::cout << "msgfmt is not installed: the catalogue was not checked\n";
  }
}

namespace {
// epubcheck's errors and warnings about an EPUB, without the file's own path ("" without epubcheck).
std::string epubcheck_messages(const std::string& epub) {
  const std::string jar = "/usr/share/java/epubcheck.jar";
  if (!std::filesystem::exists(jar) || std::system("command -v java > /dev/null 2>&1") != 0) {
    std::cout << "epubcheck (and java) is not installed: the EPUB was not checked\n";
    return "";
  }
  const std::string report = temp_path("epubcheck.txt");
  std::system(("java -jar " + jar + " " + epub + " > " + report + " 2>&1").c_str());
  std::string messages;
  std::istringstream lines(slurp(report));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("ERROR", 0) != 0 && line.rfind("WARNING", 0) != 0 && line.rfind("FATAL", 0) != 0) continue;
    const size_t path = line.find("): "), end = line.find(".epub/");
    if (path != std::string::npos && end != std::string::npos && end > path) line.erase(path + 3, end + 5 - (path + 3));
    messages += line + "\n";
  }
  return messages;
}
}  // namespace

// Office, LibreOffice and EPUB files made by LibreOffice through the real model: each translation
// has Chinese in it, and LibreOffice opens it again (converted to PDF, every page there).
TEST(Documents, OfficeFilesOpenInLibreOfficeAgain) {
  REQUIRE_MODEL();
  const bool soffice = std::system("command -v soffice > /dev/null 2>&1 && command -v pdfinfo > /dev/null 2>&1") == 0;
  if (!soffice) std::cout << "LibreOffice (soffice) or pdfinfo is not installed: the translations were not opened again\n";
  const std::string folder = temp_path("office");
  std::filesystem::create_directories(folder);
  for (const std::string name : {"office_sample.docx", "office_sample.odt", "slides_sample.pptx", "slides_sample.odp", "office_sample.epub"}) {
    const std::string out = folder + "/zh_" + name;
    auto r = run_mt("translate " + fast() + "-i " + data(name) + " -o " + out);
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    const std::string unzipped = temp_path("unzipped.txt");
    ASSERT_EQ(std::system(("python3 -c \"import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
                           "sys.stdout.write(''.join(z.read(n).decode('utf-8', 'replace') for n in z.namelist() "
                           "if n.endswith(('.xml', '.xhtml'))))\" " + out + " > " + unzipped).c_str()), 0) << name;
    EXPECT_TRUE(has_han(slurp(unzipped))) << name;
    if (name.find(".epub") != std::string::npos) {
      EXPECT_EQ(epubcheck_messages(out), epubcheck_messages(data(name))) << "the translation adds epubcheck messages";
      continue;
    }
    if (!soffice) continue;
    const std::string convert = "cd " + folder + " && soffice -env:UserInstallation=file://" + folder +
                                "/profile --headless --convert-to pdf " + out + " > /dev/null 2>&1";
    ASSERT_EQ(std::system(convert.c_str()), 0) << name;
    const std::string pdf = out.substr(0, out.rfind('.')) + ".pdf";
    EXPECT_EQ(std::system(("pdfinfo " + pdf + " > /dev/null 2>&1").c_str()), 0) << name << ": LibreOffice did not open it";
  }
  std::filesystem::remove_all(folder);
}
