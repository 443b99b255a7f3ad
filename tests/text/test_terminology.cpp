// Glossaries: reading them, and which terms a sentence holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "tokenizer/terminology.h"

using namespace mt;

namespace {

std::vector<std::string> targets(const Terminology& t, const std::string& sentence, Lang source) {
  std::vector<std::string> out;
  for (const auto* e : t.match(sentence, source)) out.push_back(e->target);
  return out;
}

const Terminology& sample() {
  static const Terminology t = Terminology::parse(
      "# comments and blank lines are skipped\n"
      "cluster\t集群\n"
      "config map\tConfigMap\n"
      "map\t地图\n"
      "dark mode\t深色模式\r\n"
      "\n"
      "C++\tC++\n"
      "機器學習\tmachine learning\n"
      "学习\tstudy\n"
      "Kubernetes\tKubernetes\n",
      "sample");
  return t;
}

}  // namespace

TEST(Terminology, EnglishTermsMatchWholeWordsWhateverTheirCase) {
  EXPECT_EQ(targets(sample(), "Restart the CLUSTER now.", Lang::En), std::vector<std::string>{"集群"});
  EXPECT_EQ(targets(sample(), "Two clusters and a subcluster.", Lang::En), std::vector<std::string>{});
  EXPECT_EQ(targets(sample(), "Enable Dark Mode, then restart Kubernetes.", Lang::En),
            (std::vector<std::string>{"深色模式", "Kubernetes"}));
  EXPECT_EQ(targets(sample(), "Written in C++17.", Lang::En), std::vector<std::string>{"C++"});
  EXPECT_EQ(targets(sample(), "ｃｌｕｓｔｅｒ", Lang::En), std::vector<std::string>{"集群"});  // full-width folded
}

TEST(Terminology, TheLongestOfOverlappingTermsWinsAndEachCountsOnce) {
  EXPECT_EQ(targets(sample(), "Change the config map, not the map.", Lang::En),
            (std::vector<std::string>{"ConfigMap", "地图"}));
  EXPECT_EQ(targets(sample(), "cluster after cluster", Lang::En), std::vector<std::string>{"集群"});
}

TEST(Terminology, ChineseTermsMatchAnySpanAfterFolding) {
  // The entry was written in Traditional characters; the sentence in Simplified.
  EXPECT_EQ(targets(sample(), "他研究机器学习。", Lang::Zh), std::vector<std::string>{"machine learning"});
  EXPECT_EQ(targets(sample(), "我们一起学习。", Lang::Zh), std::vector<std::string>{"study"});
  // A Chinese sentence is not searched for English terms, nor the other way round.
  EXPECT_EQ(targets(sample(), "集群很大。", Lang::Zh), std::vector<std::string>{});
  EXPECT_EQ(targets(sample(), "machine learning", Lang::En), std::vector<std::string>{});
}

TEST(Terminology, BadFilesFailWithTheLineNamed) {
  try {
    Terminology::parse("cluster\t集群\nno tab here\n", "g.tsv");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "g.tsv:2: expected source<TAB>target");
  }
  EXPECT_THROW(Terminology::parse("a\tb\tc\n", "g.tsv"), std::runtime_error);
  EXPECT_THROW(Terminology::parse("cluster\t \n", "g.tsv"), std::runtime_error);
  EXPECT_THROW(Terminology::load("/nonexistent/glossary.tsv"), std::runtime_error);
  const auto path = std::filesystem::temp_directory_path() / ("mt-glossary-" + std::to_string(getpid()) + ".tsv");
  std::ofstream(path) << "pod\tPod\n";
  EXPECT_EQ(Terminology::load(path.string()).size(), 1u);
  std::filesystem::remove(path);
}

// A Chinese term inside a sentence has no word-start marker; an English one starts a word.
TEST(Terminology, TermIdsAreThoseTheTermHasInsideASentence) {
  const auto tokenizer = Tokenizer::load(std::string(MT_SOURCE_DIR) + "/models/en-zh/tokenizer.model");
  const auto sentence = tokenizer.encode("我们的集群很大。");
  const auto term = term_ids(tokenizer, "集群", Lang::Zh);
  ASSERT_FALSE(term.empty());
  EXPECT_NE(std::search(sentence.begin(), sentence.end(), term.begin(), term.end()), sentence.end());
  const auto english = tokenizer.encode("I study machine learning.");
  const auto en_term = term_ids(tokenizer, "machine learning", Lang::En);
  EXPECT_NE(std::search(english.begin(), english.end(), en_term.begin(), en_term.end()), english.end());
  EXPECT_EQ(tokenizer.decode(std::vector<int>(term.begin(), term.end())), "集群");
}

TEST(Terminology, VerbatimMarksAreRemovedAndTheirTextBlankedForTerms) {
  const std::string line = "Run " + mark_verbatim("kubectl get cluster") + " on the cluster.";
  const auto [text, for_terms] = remove_verbatim_marks(line);
  EXPECT_EQ(text, "Run kubectl get cluster on the cluster.");
  ASSERT_EQ(for_terms.size(), text.size());  // offsets in the text are offsets in the view
  EXPECT_EQ(for_terms, "Run ||||||||||||||||||| on the cluster.");
  EXPECT_EQ(targets(sample(), for_terms, Lang::En), std::vector<std::string>{"集群"});
  const std::string only_code = "Set " + mark_verbatim("dark mode") + " to true.";
  EXPECT_TRUE(targets(sample(), remove_verbatim_marks(only_code).for_terms, Lang::En).empty());
  const std::string plain = "No marks here: 集群.";
  EXPECT_EQ(remove_verbatim_marks(plain).text, plain);
  EXPECT_EQ(remove_verbatim_marks(plain).for_terms, plain);
}
