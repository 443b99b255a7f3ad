// HTML translation with fake translators: text nodes and alt/title translated, every tag,
// attribute, comment, script, style, pre and code kept, and the page parses to the same tree.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "app/document/document.h"
#include "tests/document/fake_translator.h"
#include "tests/document/trees.h"

using mt::doc::translate_html;

namespace {
std::string sample_page() { return test_data("sample_page.html"); }
}  // namespace

TEST(Html, SamplePageKeepsItsTree) {
  const std::string doc = sample_page();
  ASSERT_FALSE(doc.empty());
  const std::string out = translate_html(doc, upper_case());
  EXPECT_EQ(html_tree(out), html_tree(doc)) << out;
  EXPECT_TRUE(contains(out, "<title>THE CITY LIBRARY</title>")) << out;
  EXPECT_TRUE(contains(out, "<h1 title=\"WELCOME\">WELCOME TO THE CITY LIBRARY</h1>")) << out;
  EXPECT_TRUE(contains(out, "IT HAS <b>MORE THAN</b> TEN THOUSAND BOOKS.")) << out;
  EXPECT_TRUE(contains(out, "<a href=\"/rules.html?lang=en&amp;page=1\" title=\"THE RULES\">THE RULES</a>")) << out;
  EXPECT_TRUE(contains(out, "alt=\"THE READING ROOM OF THE LIBRARY\" width=\"300\"")) << out;
  EXPECT_TRUE(contains(out, "<code>renew --id 42</code>")) << out;
  EXPECT_TRUE(contains(out, "const hours = \"Monday to Friday\";")) << out;
  EXPECT_TRUE(contains(out, "Address:  12 Main Street")) << out;
  EXPECT_TRUE(contains(out, "<!-- the footer is the same on every page -->")) << out;
  EXPECT_TRUE(contains(out, "&copy; 2024") || contains(out, "© 2024")) << out;
  EXPECT_TRUE(contains(out, "CHILDREN'S ROOM")) << out;
}

TEST(Html, IdentityGivesThePageBack) {
  const std::string doc =
      "<html><head><title>T</title></head><body><p class=x>One <i>two</i> <a href='u?a=1&amp;b'>three</a>.</p>"
      "<img alt=\"A cat\" src=c.png><!-- c --><pre>p  re</pre></body></html>";
  EXPECT_EQ(translate_html(doc, identity()), doc);
}

TEST(Html, InlineTagsStayInOrderWhenWordsMove) {
  const std::string doc = "<p>Press the <b>red</b> button and <a href=\"g.html\">read the guide</a> now.</p>";
  const std::string out = translate_html(doc, reverse_words());
  EXPECT_EQ(html_tree(out), html_tree(doc)) << out;
  // The link's words are found in the sentence's translation: the link goes around them; the bold
  // word, now after the link, cannot keep its order and is placed by position.
  EXPECT_TRUE(contains(out, "<a href=\"g.html\">guide the read</a>")) << out;
  EXPECT_FALSE(contains(out, "<b></b>")) << out;
}

TEST(Html, TranslateNoAndEscaping) {
  const std::string doc = "<div><p translate=\"no\">Brand</p><p>Fish &amp; chips &lt;3</p><p title=unquoted>x y</p></div>";
  const std::string out = translate_html(doc, upper_case());
  EXPECT_TRUE(contains(out, "<p translate=\"no\">Brand</p>")) << out;
  EXPECT_TRUE(contains(out, "<p>FISH &amp; CHIPS &lt;3</p>")) << out;
  EXPECT_TRUE(contains(out, "title=\"UNQUOTED\"")) << out;
  EXPECT_EQ(html_tree(out), html_tree(doc)) << out;
}

TEST(Html, InvalidHtmlDoesNotCrash) {
  const std::string doc =
      "<p>Unclosed <b>bold <i>and italic</b> text</p></div></span><table><td>cell<tr>row text"
      "<select><option>One<option>Two</select>&bogus; &#xFFFFFF; <<<>>> <a href=\"unterminated>link"
      "<script>never closed \xff\xfe";
  const std::string out = translate_html(doc, upper_case());
  EXPECT_FALSE(out.empty());
  EXPECT_EQ(html_tree(out), html_tree(doc)) << out;
  EXPECT_TRUE(contains(out, "UNCLOSED")) << out;
}

TEST(Html, HugePageInBatches) {
  std::string doc = "<html><body>";
  int i = 0;
  while (doc.size() < 10'000'000) doc += "<div><p>Item <b>" + std::to_string(i++ % 100) + "</b> is on the list.</p></div>\n";
  doc += "</body></html>";
  int calls = 0;
  const std::string out = translate_html(doc, upper_case(nullptr, &calls));
  EXPECT_GE(calls, 2);
  EXPECT_TRUE(contains(out, "<div><p>ITEM <b>7</b> IS ON THE LIST.</p></div>\n"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), std::count(doc.begin(), doc.end(), '\n'));
}

TEST(Html, HugePageIsCutOnlyBetweenBlocks) {
  // Several 1 MB chunks; a script and a pre that hold "</p>" must not be cut or translated.
  std::string doc = "<html><head><title>Big</title></head><body>\n";
  for (int i = 0; doc.size() < 3'500'000; ++i) {
    doc += "<div><p>Line <i>" + std::to_string(i) + "</i> here.</p></div>\n";
    if (i % 5000 == 0) doc += "<script>var s = \"</p></div>keep me\";</script><pre>\n</p>keep me too\n</pre><!-- </p> -->\n";
  }
  doc += "</body></html>";
  EXPECT_EQ(translate_html(doc, identity()), doc);
  const std::string out = translate_html(doc, upper_case());
  EXPECT_EQ(html_tree(out), html_tree(doc));
  EXPECT_EQ(out.find("keep me") != std::string::npos, true);
  EXPECT_EQ(out.find("KEEP ME"), std::string::npos);
  EXPECT_NE(out.find("<div><p>LINE <i>4999</i> HERE.</p></div>"), std::string::npos);
}

TEST(Html, CodeLikeElementsReachTheTranslatorMarkedVerbatim) {
  std::vector<std::string> asked;
  const auto remember = recording(&asked);
  const std::string doc = "<p>Press <kbd>Ctrl</kbd> and call <code>ffi_call</code> twice.</p>";
  EXPECT_EQ(translate_html(doc, remember), doc);
  const std::string expected = "Press " + mt::mark_verbatim("Ctrl") + " and call " + mt::mark_verbatim("ffi_call") + " twice.";
  EXPECT_NE(std::find(asked.begin(), asked.end(), expected), asked.end()) << ::testing::PrintToString(asked);
}

// The punctuation (and code) after a sentence's last markup is part of the sentence the model reads.
TEST(Html, PunctuationAfterTheLastMarkupBelongsToTheSentence) {
  std::vector<std::string> asked;
  const auto remember = recording(&asked);
  const std::string doc = "<p>It ended a <b>crisis</b>.</p><p>Call <var>abi</var>.</p>";
  EXPECT_EQ(translate_html(doc, remember), doc);
  for (const std::string& sentence : std::vector<std::string>{"It ended a crisis.", "Call " + mt::mark_verbatim("abi") + "."})
    EXPECT_NE(std::find(asked.begin(), asked.end(), sentence), asked.end()) << sentence << " in " << ::testing::PrintToString(asked);
}
