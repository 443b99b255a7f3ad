// Markdown translation with fake translators: what is prose is translated, the rest is kept byte
// for byte, and the document parses to the same tree.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "app/document/document.h"
#include "tests/document/fake_translator.h"
#include "tests/document/trees.h"

using mt::doc::translate_markdown;

namespace {
std::string sample_readme() { return test_data("sample_readme.md"); }
}  // namespace

TEST(Markdown, SampleReadmeKeepsItsTree) {
  const std::string doc = sample_readme();
  ASSERT_FALSE(doc.empty());
  const std::string out = translate_markdown(doc, upper_case());
  EXPECT_EQ(markdown_tree(out), markdown_tree(doc)) << out;
  // Prose is translated...
  EXPECT_TRUE(contains(out, "# WEATHER STATION")) << out;
  EXPECT_TRUE(contains(out, "| SECONDS BETWEEN TWO READINGS |")) << out;
  EXPECT_TRUE(contains(out, "[USER GUIDE](https://example.com/guide.html \"Guide\")")) << out;
  EXPECT_TRUE(contains(out, "![A PHOTO OF THE STATION](images/station.jpg)")) << out;
  EXPECT_TRUE(contains(out, "THE **RED** LIGHT")) << out;
  // ...code, front matter, HTML blocks and URLs are not.
  EXPECT_EQ(out.substr(0, 40), doc.substr(0, 40));
  EXPECT_TRUE(contains(out, "   station --port /dev/ttyUSB0 --interval 60\n")) << out;
  EXPECT_TRUE(contains(out, "    # an indented code block\n    station --help\n")) << out;
  EXPECT_TRUE(contains(out, "`apt install station-tools`")) << out;
  EXPECT_TRUE(contains(out, "<div align=\"center\">\n  <b>Made by volunteers.</b>\n</div>")) << out;
  EXPECT_TRUE(contains(out, "<mailto:help@example.com>")) << out;
  EXPECT_TRUE(contains(out, "https://example.com/forum")) << out;
}

TEST(Markdown, IdentityGivesTheDocumentBack) {
  // Single-line paragraphs: nothing is unwrapped, so every byte must come back.
  const std::string doc =
      "# Title with `code`\n\nOne *two* **three** [four](http://x.y/z?a=1&b=2) five.\n\n"
      "* item\n* item with ![alt](a.png)\n\n| a | b |\n|---|---|\n| c | d |\n\n```\ncode\n```\n";
  EXPECT_EQ(translate_markdown(doc, identity()), doc);
}

TEST(Markdown, MultiLineParagraphsAreUnwrapped) {
  const std::string doc = "> First line of a quote\n> goes on here.\n\n- An item\n  continued.\n";
  std::vector<std::string> seen;
  const std::string out = translate_markdown(doc, upper_case(&seen));
  EXPECT_EQ(out, "> FIRST LINE OF A QUOTE GOES ON HERE.\n\n- AN ITEM CONTINUED.\n");
  EXPECT_EQ(seen, (std::vector<std::string>{"First line of a quote goes on here.", "An item continued."}));
}

TEST(Markdown, HardLineBreaksStay) {
  const std::string doc = "Line one  \nline two\\\nline three\n";
  const std::string out = translate_markdown(doc, upper_case());
  EXPECT_EQ(markdown_tree(out), markdown_tree(doc)) << out;
  EXPECT_TRUE(contains(out, "LINE ONE")) << out;
  EXPECT_TRUE(contains(out, "LINE THREE")) << out;
}

TEST(Markdown, InlineMarkupStaysInOrderWhenWordsMove) {
  const std::string doc = "Press the **red** button and read [the guide](g.html) now.\n";
  const std::string out = translate_markdown(doc, reverse_words());
  EXPECT_EQ(markdown_tree(out), markdown_tree(doc)) << out;
  EXPECT_TRUE(contains(out, "(g.html)")) << out;
}

TEST(Markdown, EscapesAndEntitiesInText) {
  const std::string doc = "Fish \\& chips &amp; 5 \\* 3 | cells.\n";
  std::vector<std::string> seen;
  const std::string out = translate_markdown(doc, upper_case(&seen));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "Fish & chips & 5 * 3 | cells.");
  EXPECT_EQ(out, "FISH & CHIPS & 5 \\* 3 \\| CELLS.\n");
}

TEST(Markdown, FewBatchesForManyPieces) {
  std::string doc;
  for (int i = 0; i < 500; ++i) doc += "Paragraph number " + std::to_string(i) + " is here.\n\n";
  int calls = 0;
  std::vector<std::string> seen;
  const std::string out = translate_markdown(doc, upper_case(&seen, &calls));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_TRUE(contains(out, "PARAGRAPH NUMBER 499 IS HERE."));
}

TEST(Markdown, HugeDocumentInChunks) {
  // About 10 MB: several chunks, a fenced block in each that must not be cut.
  const std::string block = "## Part\n\nSome text in a paragraph.\n\n```\nnot translated\n\nstill code\n```\n\n";
  std::string doc;
  while (doc.size() < 10'000'000) doc += block;
  int calls = 0;
  const std::string out = translate_markdown(doc, upper_case(nullptr, &calls));
  EXPECT_GT(calls, 1);
  std::string expected;
  const std::string translated = "## PART\n\nSOME TEXT IN A PARAGRAPH.\n\n```\nnot translated\n\nstill code\n```\n\n";
  for (size_t n = 0; n < doc.size(); n += block.size()) expected += translated;
  EXPECT_TRUE(out == expected);
}

TEST(Markdown, EmptyAndCodeOnly) {
  EXPECT_EQ(translate_markdown("", upper_case()), "");
  EXPECT_EQ(translate_markdown("```\nx\n```\n", upper_case()), "```\nx\n```\n");
  EXPECT_EQ(translate_markdown("42\n\n---\n", upper_case()), "42\n\n---\n");
}

TEST(Format, ParseAndGuess) {
  using mt::doc::Format;
  EXPECT_EQ(mt::doc::parse_format("markdown"), Format::Markdown);
  EXPECT_EQ(mt::doc::parse_format("html"), Format::Html);
  EXPECT_EQ(mt::doc::parse_format("text"), Format::Text);
  EXPECT_EQ(mt::doc::parse_format("pdf"), std::nullopt);
  EXPECT_EQ(mt::doc::guess_format("a/README.md"), Format::Markdown);
  EXPECT_EQ(mt::doc::guess_format("notes.MARKDOWN"), Format::Markdown);
  EXPECT_EQ(mt::doc::guess_format("index.htm"), Format::Html);
  EXPECT_EQ(mt::doc::guess_format("page.HTML"), Format::Html);
  EXPECT_EQ(mt::doc::guess_format("dir.md/file"), Format::Text);
  EXPECT_EQ(mt::doc::guess_format("-"), Format::Text);
  EXPECT_EQ(mt::doc::guess_format("plain.txt"), Format::Text);
}

// The model reads inline code as part of its sentence, marked verbatim so that no glossary term is
// looked for inside it; the marks never reach the document.
TEST(Markdown, InlineCodeReachesTheTranslatorMarkedVerbatim) {
  std::vector<std::string> asked;
  const auto remember = recording(&asked);
  const std::string doc = "Run `make install` now.\n";
  EXPECT_EQ(translate_markdown(doc, remember), doc);
  EXPECT_NE(std::find(asked.begin(), asked.end(), "Run " + mt::mark_verbatim("make install") + " now."), asked.end());
}

TEST(Markdown, FootnotesStayFootnotes) {
  // pip's installation.md: a footnote reference came back escaped (\[^python\]), no longer markup.
  const std::string doc = "It needs Python 3.8 or later[^python].\n\n[^python]: See the docs.\n";
  EXPECT_EQ(mt::doc::translate_markdown(doc, upper_case()), "IT NEEDS PYTHON 3.8 OR LATER[^python].\n\n[^python]: SEE THE DOCS.\n");
}
