// Inline markup placed by word alignment (translate_units with an AlignFn), over fake translators
// and a fake aligner that links words spelt alike: the invariants hold for any translation.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "app/document/document.h"
#include "model/align/word_aligner.h"
#include "tests/document/fake_translator.h"

namespace {

using mt::doc::AlignFn;

// Links a source word to every word of the translation it contains, case aside ("make_all" to "MAKE"
// and "ALL").
AlignFn same_words() {
  return [](const std::string& source, const std::string& translation) {
    std::vector<mt::SpanLink> links;
    const auto s = mt::alignment_tokens(source), t = mt::alignment_tokens(translation);
    for (const auto& a : s)
      for (const auto& b : t) {
        std::string key = b.key;
        if (a.key.find(key) != std::string::npos) links.push_back({a.begin, a.end, b.begin, b.end});
      }
    return links;
  };
}

// Shuffles the words of every piece (seeded); `answers` records what it gave.
mt::doc::TranslateFn shuffled(unsigned seed, std::vector<std::string>* answers = nullptr) {
  return [seed, answers](const std::vector<std::string>& pieces) {
    std::vector<std::string> out;
    std::mt19937 random(seed);
    for (const auto& piece : pieces) {
      std::vector<std::string> words;
      std::string text = unmarked(piece), word;
      for (char c : text + " ") {
        if (c == ' ') {
          if (!word.empty()) words.push_back(word);
          word.clear();
        } else {
          word += c;
        }
      }
      std::shuffle(words.begin(), words.end(), random);
      std::string r;
      for (const auto& w : words) r += (r.empty() ? "" : " ") + w;
      if (answers) answers->push_back(r);
      out.push_back(r);
    }
    return out;
  };
}

std::string without_tags(const std::string& html) { return std::regex_replace(html, std::regex("<[^>]*>"), ""); }

std::vector<std::string> tags(const std::string& html) {
  std::vector<std::string> out;
  const std::regex tag("<[^>]*>");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator(); ++it)
    out.push_back(it->str());
  return out;
}

TEST(AlignedMarkup, TagsGoAroundTheWordsTheirTextWasAlignedTo) {
  EXPECT_EQ(mt::doc::translate_html("<p>the <b>red</b> button</p>", reverse_words(), same_words()),
            "<p>button <b>red</b> the</p>");
  EXPECT_EQ(mt::doc::translate_html("<p>press <a href=\"/x\">the big key</a> now</p>", reverse_words(), same_words()),
            "<p>now <a href=\"/x\">key big the</a> press</p>");
  EXPECT_EQ(mt::doc::translate_markdown("Use the **red** button.\n", upper_case(), same_words()),
            "USE THE **RED** BUTTON.\n");
}

TEST(AlignedMarkup, IdentityGivesTheDocumentBack) {
  const std::string page = "<p>A <b>bold</b> and <i>italic <a href=\"u\">link</a></i>, then <code>x_y</code>.</p>\n";
  EXPECT_EQ(mt::doc::translate_html(page, identity(), same_words()), page);
  const std::string markdown = "Some **bold** text and a [link](http://x.org) with `code` here.\n";
  EXPECT_EQ(mt::doc::translate_markdown(markdown, identity(), same_words()), markdown);
}

TEST(AlignedMarkup, CodeTheModelChangedIsReplacedNotDuplicated) {
  // The "model" writes the code's words apart and in capitals: the code comes back byte for byte,
  // once, where its words went.
  const mt::doc::TranslateFn split_code = [](const std::vector<std::string>& pieces) {
    std::vector<std::string> out;
    for (const auto& piece : pieces) {
      std::string s = unmarked(piece);
      for (auto& c : s) c = c == '_' ? ' ' : char(std::toupper(static_cast<unsigned char>(c)));
      out.push_back(s);
    }
    return out;
  };
  EXPECT_EQ(mt::doc::translate_html("<p>run <code>make_all</code> now</p>", split_code, same_words()),
            "<p>RUN <code>make_all</code> NOW</p>");
}

TEST(AlignedMarkup, ParagraphsOfCodeOnlyAreNotSent) {
  std::vector<std::string> asked;
  const std::string page = "<p><code>x = 1</code></p><p><kbd>Ctrl</kbd>+<kbd>C</kbd></p>";
  EXPECT_EQ(mt::doc::translate_html(page, recording(&asked), same_words()), page);
  EXPECT_TRUE(asked.empty());
}

TEST(AlignedMarkup, IdentifiersUrlsAndPathsInProseReachTheModelVerbatim) {
  std::vector<std::string> asked;
  const std::string page =
      "<p>Call ffi_prep_cif with getElementById() or std::vector, see https://example.org/a_b "
      "and /usr/lib/x.so, either/or e.g. U.S. os.path.join.</p>";
  // The upper-casing "model" changes every word it reads, but not those: they are inline code.
  mt::doc::translate_html(page, recording(&asked), same_words());
  const auto upper = mt::doc::translate_html(page, upper_case(), same_words());
  for (const char* code : {"ffi_prep_cif", "getElementById()", "std::vector", "https://example.org/a_b", "/usr/lib/x.so", "os.path.join"})
    EXPECT_NE(upper.find(code), std::string::npos) << code << " in " << upper;
  for (const char* prose : {"CALL", "EITHER/OR", "E.G.", "U.S."}) EXPECT_NE(upper.find(prose), std::string::npos) << prose << " in " << upper;
  ASSERT_EQ(asked.size(), 1u);
  for (const char* code : {"ffi_prep_cif", "getElementById()", "https://example.org/a_b"})
    EXPECT_NE(asked[0].find(mt::mark_verbatim(code)), std::string::npos) << code << " unmarked in " << asked[0];
  EXPECT_EQ(asked[0].find(mt::mark_verbatim("either/or")), std::string::npos) << asked[0];
  // A cell that is only an identifier is not translated at all.
  asked.clear();
  EXPECT_EQ(mt::doc::translate_html("<td>ffi_cif</td>", recording(&asked), same_words()), "<td>ffi_cif</td>");
  EXPECT_TRUE(asked.empty());
}

TEST(AlignedMarkup, NamesAreProseAndIdentifiersStayWhereTheModelPutThem) {
  EXPECT_EQ(mt::doc::translate_html("<p>Ask <b>McCord</b> about DiCaprio and MacDonald.</p>", upper_case(), same_words()),
            "<p>ASK <b>MCCORD</b> ABOUT DICAPRIO AND MACDONALD.</p>");
  // A "model" that leaves an identifier out: it is not put back (it is no tag), and one that moves
  // it keeps it where it moved.
  const mt::doc::TranslateFn drop_it = [](const std::vector<std::string>& pieces) {
    std::vector<std::string> out;
    for (const auto& piece : pieces) {
      std::string s = unmarked(piece);
      const size_t at = s.find("ffi_cif ");
      if (at != std::string::npos) s.erase(at, 8);
      out.push_back(s);
    }
    return out;
  };
  EXPECT_EQ(mt::doc::translate_html("<p>Pass ffi_cif to <b>it</b>.</p>", drop_it, same_words()), "<p>Pass to <b>it</b>.</p>");
  EXPECT_EQ(mt::doc::translate_html("<p>Pass <b>x</b> to ffi_call now.</p>", reverse_words(), same_words()),
            "<p>now. ffi_call to <b>x</b> Pass</p>");
}

// Fuzz: random paragraphs of words and nested inline elements, shuffled by the "model". Whatever
// the alignment, the text is the translation exactly (nothing duplicated or dropped), every tag
// comes back once and in order, and code comes back byte for byte.
TEST(AlignedMarkup, RandomParagraphsKeepTextTagsAndCode) {
  const std::vector<std::string> vocabulary = {"alpha", "beta", "gamma", "delta", "red", "blue", "key", "door", "open", "close"};
  std::mt19937 random(11);
  for (int round = 0; round < 300; ++round) {
    std::string html = "<p>";
    std::vector<std::string> open;
    const int words = 2 + int(random() % 12);
    for (int w = 0; w < words; ++w) {
      const unsigned roll = random() % 10;
      if (roll == 0) {
        html += (w ? " " : "") + std::string("<code>f_") + vocabulary[random() % vocabulary.size()] + "()</code>";
        continue;
      }
      if (roll == 1 && open.size() < 3) {
        const std::string tag = std::vector<std::string>{"b", "i", "em"}[random() % 3];
        html += (w ? " " : "") + ("<" + tag + ">");
        open.push_back(tag);
        html += vocabulary[random() % vocabulary.size()];
        continue;
      }
      html += (w ? " " : "") + vocabulary[random() % vocabulary.size()];
      if (roll == 2 && !open.empty()) {
        html += "</" + open.back() + ">";
        open.pop_back();
      }
    }
    while (!open.empty()) {
      html += "</" + open.back() + ">";
      open.pop_back();
    }
    html += ".</p>";

    std::vector<std::string> answers;
    const std::string out = mt::doc::translate_html(html, shuffled(unsigned(round), &answers), same_words());
    SCOPED_TRACE(html + " -> " + out);
    ASSERT_EQ(answers.size(), 1u);
    // The text: the translation, written once; code goes with its markup, in the translation's
    // place or, where that would reorder the markup, where the markup can go.
    auto squeeze = [](std::string s) {  // spaces aside: markup may move one
      s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
      return s;
    };
    const std::regex code_element("<code>([^<]*)</code>");
    std::string expected = answers[0];
    for (auto it = std::sregex_iterator(html.begin(), html.end(), code_element); it != std::sregex_iterator(); ++it) {
      const size_t at = expected.find((*it)[1].str());
      if (at != std::string::npos) expected.erase(at, (*it)[1].length());  // else outside the sentence
    }
    EXPECT_EQ(squeeze(without_tags(std::regex_replace(out, code_element, ""))), squeeze(expected));
    EXPECT_EQ(tags(out), tags(html));
    const std::regex code("<code>[^<]*</code>");
    std::vector<std::string> codes_in, codes_out;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), code); it != std::sregex_iterator(); ++it) codes_in.push_back(it->str());
    for (auto it = std::sregex_iterator(out.begin(), out.end(), code); it != std::sregex_iterator(); ++it) codes_out.push_back(it->str());
    EXPECT_EQ(codes_out, codes_in);
  }
}

}  // namespace
