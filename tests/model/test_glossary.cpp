// Dictionary pairs as training data: long glosses and many-way ambiguous entries are left out.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model/train/glossary.h"

namespace {

std::string glossary_file() { return std::string(MT_SOURCE_DIR) + "/tests/data/tiny_glossary.tsv"; }

TEST(Glossary, KeepsShortUnambiguousEntries) {
  mt::GlossaryStats stats;
  const auto pairs = mt::read_glossary(glossary_file(), {3, 3}, &stats);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].en, "tea");
  EXPECT_EQ(pairs[0].zh, "茶");
  EXPECT_EQ(pairs[2].en, "to drink");
  EXPECT_EQ(stats.read, 9);
  EXPECT_EQ(stats.too_long, 1);   // "a long gloss of many words"
  EXPECT_EQ(stats.ambiguous, 5);  // "section" has five renderings
  EXPECT_EQ(stats.kept, 3);
}

TEST(Glossary, LimitsAreSettings) {
  mt::GlossaryStats stats;
  EXPECT_EQ(mt::read_glossary(glossary_file(), {1, 5}, &stats).size(), 7u);  // "to drink" is two words
  EXPECT_EQ(stats.too_long, 2);
  EXPECT_EQ(stats.ambiguous, 0);
}

TEST(Glossary, MissingFileIsAnError) {
  EXPECT_THROW(mt::read_glossary("/nonexistent/glossary.tsv", {}, nullptr), std::runtime_error);
}

}  // namespace
