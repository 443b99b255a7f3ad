// Office, LibreOffice and EPUB packages made by LibreOffice, with fake translators: the package
// comes back with every other part byte for byte, paragraphs translated with their formatting, code
// and links kept, and every broken or hostile package a one-line error.
#include <gtest/gtest.h>
#include <pugixml.hpp>
#include <zip.h>

#include <chrono>
#include <random>
#include <unistd.h>

#include "app/document/document.h"
#include "app/document/zip_archive.h"
#include "tests/document/fake_translator.h"
#include "tests/document/trees.h"

using mt::doc::Format;
using mt::doc::ZipArchive;

namespace {

struct Sample {
  std::string file;
  Format format;
  std::vector<std::string> translated_parts;
};
const std::vector<Sample> kSamples = {
    {"office_sample.docx", Format::Docx, {"word/document.xml"}},
    {"office_sample.odt", Format::Odt, {"content.xml"}},
    {"slides_sample.pptx", Format::Pptx, {"ppt/slides/slide1.xml", "ppt/slides/slide2.xml"}},
    {"slides_sample.odp", Format::Odp, {"content.xml"}},
    {"office_sample.epub", Format::Epub, {"OEBPS/sections/section0001.xhtml", "OEBPS/toc.xhtml"}},
};

std::string translate(const Sample& s, const mt::doc::TranslateFn& fn) {
  return mt::doc::translate_as(s.format, test_data(s.file), fn);
}

// A zip archive of the given files, written by libzip.
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& files) {
  const std::string path = ::testing::TempDir() + "/mt_zip_" + std::to_string(getpid()) + ".zip";
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  for (const auto& [name, data] : files)
    zip_file_add(z, name.c_str(), zip_source_buffer(z, data.data(), data.size(), 0), ZIP_FL_OVERWRITE);
  zip_close(z);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  return bytes;
}

// Every paragraph's text, in order ("w:t" / "a:t" runs joined; ODF text nodes joined).
std::vector<std::string> paragraph_texts(const std::string& xml, Format format) {
  pugi::xml_document doc;
  doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  const bool odf = format == Format::Odt || format == Format::Odp;
  const char* paragraph = format == Format::Docx ? "w:p" : format == Format::Pptx ? "a:p" : "text:p";
  std::vector<std::string> out;
  for (const auto& found : doc.select_nodes((std::string("//") + paragraph).c_str())) {
    std::string text;
    for (const auto& node : found.node().select_nodes(odf ? ".//text()" : ".//*[name()='w:t' or name()='a:t']/text()"))
      text += node.node().value();
    out.push_back(text);
  }
  return out;
}

}  // namespace

TEST(Office, EveryOtherPartOfThePackageIsKeptByteForByte) {
  for (const auto& s : kSamples) {
    std::string source_bytes = test_data(s.file), translated_bytes = translate(s, upper_case());
    ZipArchive source(source_bytes), translated(translated_bytes);
    ASSERT_EQ(translated.names(), source.names()) << s.file;
    for (const auto& name : source.names()) {
      const bool translated_part = std::find(s.translated_parts.begin(), s.translated_parts.end(), name) != s.translated_parts.end();
      if (translated_part) EXPECT_NE(translated.read(name), source.read(name)) << s.file << ": " << name;
      else EXPECT_EQ(translated.read(name), source.read(name)) << s.file << ": " << name;
    }
    if (s.format != Format::Docx && s.format != Format::Pptx) {  // ODF and EPUB: "mimetype" first, stored
      EXPECT_EQ(translated_bytes.substr(30, 8), "mimetype") << s.file;
      EXPECT_EQ(translated_bytes[8] | translated_bytes[9], 0) << s.file << ": mimetype compressed";
    }
  }
}

TEST(Office, ParagraphsAreTranslatedWithTheirFormattingCodeAndLinks) {
  const auto docx = ZipArchive(translate(kSamples[0], upper_case())).read("word/document.xml");
  EXPECT_NE(docx.find("<w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">NINE</w:t>"), std::string::npos) << docx;
  EXPECT_NE(docx.find("<w:rStyle w:val=\"SourceText\"/></w:rPr><w:t>museum --help</w:t>"), std::string::npos) << "code kept";
  EXPECT_NE(docx.find("<w:hyperlink r:id=\"rId2\">"), std::string::npos);
  EXPECT_NE(docx.find("OUR WEBSITE</w:t></w:r></w:hyperlink>"), std::string::npos) << docx;

  const auto odt = ZipArchive(translate(kSamples[1], upper_case())).read("content.xml");
  EXPECT_NE(odt.find("<text:span text:style-name=\"T1\">NINE</text:span>"), std::string::npos) << odt;
  EXPECT_NE(odt.find("<text:span text:style-name=\"Source_20_Text\">museum --help</text:span>"), std::string::npos);
  EXPECT_NE(odt.find("text:visited-style-name=\"Visited_20_Internet_20_Link\">OUR WEBSITE</text:a>"), std::string::npos) << odt;
  EXPECT_NE(odt.find("<text:h text:style-name=\"P1\" text:outline-level=\"1\">VISITING THE MUSEUM</text:h>"), std::string::npos);

  const auto slide = ZipArchive(translate(kSamples[2], upper_case())).read("ppt/slides/slide1.xml");
  const auto texts = paragraph_texts(slide, Format::Pptx);
  EXPECT_NE(std::find(texts.begin(), texts.end(), "THE MUSEUM OPENS AT NINE EVERY MORNING."), texts.end()) << slide;
}

TEST(Office, IdentityGivesEveryParagraphItsText) {
  for (const auto& s : kSamples) {
    if (s.format == Format::Epub) continue;  // the HTML path has its own identity test
    ZipArchive source(test_data(s.file)), translated(translate(s, identity()));
    for (const auto& part : s.translated_parts)
      EXPECT_EQ(paragraph_texts(translated.read(part), s.format), paragraph_texts(source.read(part), s.format)) << s.file;
  }
}

TEST(Office, BrokenAndHostilePackagesFailWithOneLine) {
  const auto fails_with = [](const std::string& bytes, Format format, const std::string& message) {
    try {
      mt::doc::translate_as(format, bytes, identity());
      ADD_FAILURE() << "no error, expected: " << message;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  };
  const std::string docx = test_data("office_sample.docx");
  fails_with("just some text", Format::Docx, "not a valid zip archive");
  fails_with(docx.substr(0, docx.size() / 2), Format::Docx, "not a valid zip archive");
  fails_with(docx, Format::Pptx, "not a pptx file: the package has no ppt/presentation.xml");
  fails_with(docx, Format::Epub, "not an EPUB");
  fails_with(zip_of({{"word/document.xml", "<w:document><w:p>unclosed"}}), Format::Docx, "is not valid XML");
  // A zip bomb: 80 MB of zeros in a few hundred kilobytes, refused before it is inflated.
  fails_with(zip_of({{"word/document.xml", std::string(80 << 20, '\0')}}), Format::Docx, "over the limit (a zip bomb?)");
  fails_with(zip_of({{"word/document.xml", std::string(10 << 20, ' ')}}), Format::Docx, "compressed");

  // An XML entity bomb: no DTD is read, so nothing is expanded, quickly and in little memory.
  std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\">";
  for (char c = 'b'; c <= 'k'; ++c)
    bomb += std::string("<!ENTITY ") + c + " \"" + std::string(10, '&') + "\">";  // each level ten of the previous
  bomb += "]><w:document><w:body><w:p><w:r><w:t>Hello &k; world</w:t></w:r></w:p></w:body></w:document>";
  const auto start = std::chrono::steady_clock::now();
  try {
    const auto out = mt::doc::translate_as(Format::Docx, zip_of({{"word/document.xml", bomb}}), upper_case());
    EXPECT_LT(out.size(), 4096u);
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(Office, FuzzedPackagesNeverCrash) {
  std::mt19937 random(5);
  for (const auto& s : {kSamples[0], kSamples[1], kSamples[4]}) {  // docx, odt, epub
    const std::string original = test_data(s.file);
    for (int round = 0; round < 200; ++round) {
      std::string bytes = original;
      for (int edits = 1 + int(random() % 4); edits > 0; --edits) bytes[random() % bytes.size()] = char(random() % 256);
      try {
        mt::doc::translate_as(s.format, bytes, upper_case());
      } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
      }
    }
  }
}
