// gettext catalogues with fake translators: entries filled and marked fuzzy, headers and plural
// forms as gettext expects, placeholders kept, and msgfmt --check passing on every result.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <unistd.h>

#include "app/document/document.h"
#include "tests/document/fake_translator.h"
#include "tests/document/trees.h"

using mt::doc::translate_gettext;

namespace {

// msgfmt's verdict on a catalogue ("" when it passes, "no msgfmt" without gettext installed).
std::string msgfmt_check(const std::string& catalogue) {
  if (std::system("command -v msgfmt > /dev/null 2>&1") != 0) return "no msgfmt";
  const std::string path = ::testing::TempDir() + "/mt_po_" + std::to_string(getpid()) + ".po";
  std::ofstream(path, std::ios::binary) << catalogue;
  const std::string command = "msgfmt --check --use-fuzzy -o /dev/null " + path + " 2> " + path + ".err";
  const int status = std::system(command.c_str());
  std::ifstream err(path + ".err");
  const std::string errors((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  std::remove((path + ".err").c_str());
  return status == 0 ? "" : errors;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Every piece given back twice: each placeholder then appears twice.
mt::doc::TranslateFn doubled() {
  return [](const std::vector<std::string>& pieces) {
    std::vector<std::string> out;
    for (const auto& p : pieces) out.push_back(unmarked(p) + " " + unmarked(p));
    return out;
  };
}

// Every piece behind a Chinese word: placeholders keep their order.
mt::doc::TranslateFn prefixed() {
  return [](const std::vector<std::string>& pieces) {
    std::vector<std::string> out;
    for (const auto& p : pieces) out.push_back("译 " + unmarked(p));
    return out;
  };
}

}  // namespace

TEST(Gettext, ATemplateIsFilledMarkedFuzzyAndPassesMsgfmt) {
  const std::string pot = test_data("hello.pot");
  const std::string po = translate_gettext(pot, prefixed());
  EXPECT_EQ(msgfmt_check(po), "") << po;
  EXPECT_NE(po.find("\"Language: zh_CN\\n\""), std::string::npos) << po;
  EXPECT_NE(po.find("charset=UTF-8"), std::string::npos);
  EXPECT_NE(po.find("\"Plural-Forms: nplurals=1; plural=0;\\n\""), std::string::npos);
  EXPECT_NE(po.find("msgstr \"译 Hello, world!\""), std::string::npos) << po;
  EXPECT_NE(po.find("msgstr \"译 Usage: %s [OPTION]...\\n\""), std::string::npos) << po;
  // Every message of the template is translated and marked fuzzy (the header was fuzzy already).
  EXPECT_EQ(count(po, "#, fuzzy"), count(pot, "\nmsgid ")) << po;
  EXPECT_EQ(count(po, "msgstr \"\"\n\n"), 0u) << po;
}

TEST(Gettext, PlaceholdersPluralsContextsAndLinesAreKept) {
  std::vector<std::string> seen;
  const std::string po = translate_gettext(test_data("sample.po"), upper_case(&seen));
  EXPECT_EQ(msgfmt_check(po), "") << po;
  EXPECT_NE(po.find("msgstr \"打开文件\""), std::string::npos) << "translated entries stay";
  EXPECT_NE(po.find("msgctxt \"menu\"\nmsgid \"Quit\"\nmsgstr \"QUIT\""), std::string::npos) << po;
  EXPECT_NE(po.find("\"USAGE: SAMPLE [OPTION]... FILE\\n\"\n\"COPY THE FILE TO THE BACKUP FOLDER.\\n\""), std::string::npos) << po;
  EXPECT_NE(po.find("#~ msgid \"An old message\""), std::string::npos) << "obsolete entries stay";
  for (const auto& piece : seen) EXPECT_EQ(piece.find("Open file"), std::string::npos) << "a translated entry was sent";
  // Upper-casing breaks every placeholder (%s -> %S): those entries stay untranslated.
  EXPECT_NE(po.find("msgid \"Cannot open %s: %s\\n\"\nmsgstr \"\""), std::string::npos) << po;

  const std::string reordered = translate_gettext(test_data("sample.po"), reverse_words());
  EXPECT_EQ(msgfmt_check(reordered), "") << reordered;
  EXPECT_NE(reordered.find("msgstr \"%s %s: open Cannot\\n\""), std::string::npos) << reordered;
  EXPECT_NE(reordered.find("msgstr[0] \"copied. were files %d\""), std::string::npos) << "one form: the plural's wording\n" << reordered;
  EXPECT_NE(reordered.find("msgstr \"%(name)s! back, Welcome\""), std::string::npos) << reordered;
  EXPECT_NE(reordered.find("msgstr \"{path} to items {count} Saved\""), std::string::npos) << reordered;
}

TEST(Gettext, OverwriteTranslatesEveryEntry) {
  const std::string po = translate_gettext(test_data("sample.po"), upper_case(), {true, ""});
  EXPECT_EQ(msgfmt_check(po), "") << po;
  EXPECT_NE(po.find("msgstr \"OPEN FILE\""), std::string::npos) << po;
}

// A translation whose placeholders do not match its source's is not used: the entry stays
// untranslated, and the catalogue stays valid.
TEST(Gettext, TranslationsThatBreakAPlaceholderAreLeftOut) {
  const std::string po = translate_gettext(test_data("sample.po"), doubled());
  EXPECT_EQ(msgfmt_check(po), "") << po;
  EXPECT_NE(po.find("msgid \"Cannot open %s: %s\\n\"\nmsgstr \"\""), std::string::npos) << po;
  EXPECT_NE(po.find("msgstr \"Quit Quit\""), std::string::npos) << "entries without placeholders are kept" << po;
}

TEST(Gettext, EnglishTargetsGetTwoPluralForms) {
  const std::string pot =
      "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
      "#, c-format\nmsgid \"%d 个文件\"\nmsgid_plural \"%d 个文件\"\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n";
  const std::string po = translate_gettext(pot, identity(), {false, "en"});
  EXPECT_EQ(msgfmt_check(po), "") << po;
  EXPECT_NE(po.find("\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\""), std::string::npos) << po;
  EXPECT_NE(po.find("msgstr[1] \"%d 个文件\""), std::string::npos) << po;
}

TEST(Gettext, BrokenCataloguesFailWithOneLine) {
  try {
    translate_gettext("msgid \"Hello\nmsgstr \"x\"\n", identity());
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a valid gettext catalogue: line "), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
}

TEST(Gettext, FuzzedCataloguesNeverCrash) {
  std::mt19937 random(11);
  const std::string original = test_data("sample.po");
  for (int round = 0; round < 300; ++round) {
    std::string doc = original;
    for (int edits = 1 + int(random() % 6); edits > 0 && !doc.empty(); --edits) {
      const size_t at = random() % doc.size();
      switch (random() % 3) {
        case 0: doc[at] = "\"\\\n#%{}[]0 m"[random() % 12]; break;
        case 1: doc.erase(at, 1 + random() % 12); break;
        default: doc.insert(at, doc.substr(random() % doc.size(), random() % 48)); break;
      }
    }
    try {
      const std::string po = translate_gettext(doc, upper_case());
      EXPECT_FALSE(po.empty() && !doc.empty() && doc.find("msgid") != std::string::npos);
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
}
