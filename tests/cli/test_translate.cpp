// `mt translate` end to end through the binary and a real model.
#include <gtest/gtest.h>

#include <sstream>

#include "model/align/word_aligner.h"
#include "tests/cli/run_mt.h"
#include "tests/cli/test_support.h"
#include "tokenizer/normalizer.h"

namespace {
std::string model_arg() { return "-m " + test_model(); }

// Every kind of line the field's tools have been known to lose, shift or crash on.
std::string adversarial_input() {
  std::string text;
  text += "Hello, how are you?\n";
  text += "\n";                                    // empty
  text += "   \t  \n";                             // whitespace only
  text += std::string(5000, 'a') + " end.\n";      // far longer than the model takes
  text += "bad bytes \xff\xfe here \xc3\n";        // invalid UTF-8
  text += "tab\tinside\tthe line\n";
  text += "carriage\rreturn inside\r\n";           // CR inside and CRLF ending
  text += "control \x01\x02\x1b chars\n";
  text += "I love pizza 🍕😀!\n";                  // emoji
  text += "我喜欢用iPhone打电话。\n";              // mixed scripts
  text += "他們在台灣騎腳踏車。\n";                // Traditional Chinese
  text += "今天天气很好。\n";
  text += "last line without newline";
  return text;
}
}  // namespace

TEST(TranslateLines, AdversarialFileKeepsEveryLineInOrder) {
  REQUIRE_MODEL();
  const auto in = temp_path("adversarial.txt"), out = temp_path("adversarial.out");
  write_text(in, adversarial_input());
  auto r = run_mt("translate --beam 2 " + model_arg() + " -i " + in + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(slurp(out));
  ASSERT_EQ(lines.size(), 13u) << slurp(out);
  EXPECT_TRUE(lines[1].empty());
  EXPECT_TRUE(lines[2].empty());
  EXPECT_FALSE(lines[0].empty());
  EXPECT_FALSE(lines[3].empty());
  EXPECT_TRUE(has_han(lines[0])) << "English should go to Chinese: " << lines[0];
  EXPECT_FALSE(has_han(lines[11])) << "Chinese should go to English: " << lines[11];
  EXPECT_NE(r.err.find("line 4"), std::string::npos) << "the long line is named in a warning: " << r.err;
  EXPECT_NE(r.err.find("line 5"), std::string::npos) << "the invalid UTF-8 line is named in a warning: " << r.err;
}

TEST(TranslateLines, StdinEqualsInputFile) {
  REQUIRE_MODEL();
  const auto in = temp_path("same.txt");
  const std::string text = "The weather is nice today.\n\n我们明天去北京。\nWhere is the station?\n";
  write_text(in, text);
  auto a = run_mt("translate " + model_arg() + " -i " + in);
  auto b = run_mt("translate " + model_arg(), text);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(split_lines(a.out).size(), 4u);
}

TEST(TranslateLines, ManyLinesInSmallChunksStayInOrder) {
  REQUIRE_MODEL();
  std::string text;
  const char* cycle[] = {"\n", "I am a student.\n", "Good morning!\n"};  // every third line empty
  for (int i = 0; i < 40; ++i) text += cycle[i % 3];
  auto whole = run_mt("translate --beam 1 " + model_arg(), text);
  auto chunked = run_mt("translate --beam 1 --chunk-lines 3 " + model_arg(), text);
  ASSERT_EQ(whole.exit_code, 0);
  EXPECT_EQ(whole.out, chunked.out);
  const auto lines = split_lines(whole.out);
  ASSERT_EQ(lines.size(), 40u);
  for (size_t i = 0; i < lines.size(); i += 3) EXPECT_TRUE(lines[i].empty()) << i;
}

TEST(TranslateOptions, DirectionIsForcedWithTo) {
  REQUIRE_MODEL();
  auto zh = run_mt("translate --to zh " + model_arg(), "Thank you very much.\n");
  auto en = run_mt("translate --to en " + model_arg(), "谢谢你。\n");
  EXPECT_TRUE(has_han(zh.out)) << zh.out;
  EXPECT_FALSE(has_han(en.out)) << en.out;
}

TEST(TranslateOptions, NBestPrintsLineScoreText) {
  REQUIRE_MODEL();
  auto r = run_mt("translate --n-best 3 " + model_arg(), "Good night.\nI like tea.\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].substr(0, 2), std::to_string(i / 3) + "\t") << lines[i];
    EXPECT_NE(lines[i].find('\t', 2), std::string::npos) << lines[i];
  }
}

TEST(TranslateOptions, AlignmentsFollowEachTranslationAsMarianPrintsThem) {
  REQUIRE_MODEL();
  if (!std::filesystem::exists(test_model() + "/aligner.bin")) GTEST_SKIP() << test_model() << " has no aligner.bin";
  // A word whose translation is one clear character or word, in sentences either way.
  struct Case {
    std::string source, word, translation;
  };
  const std::vector<Case> cases = {{"I bought three books yesterday.", "three", "三"},
                                   {"The cat is sleeping on the sofa.", "cat", "猫"},
                                   {"Please close the door.", "door", "门"},
                                   {"We visited the museum on Sunday.", "museum", "博"},
                                   {"The train leaves at six.", "train", "火"},
                                   {"我每天早上喝咖啡。", "咖", "coffee"},
                                   {"我的哥哥住在北京。", "北", "beijing"},
                                   {"这只猫在沙发上睡觉。", "猫", "cat"}};
  std::string input;
  for (const auto& c : cases) input += c.source + "\n";
  const auto plain = run_mt("translate " + model_arg(), input);
  const auto aligned = run_mt("translate --alignments " + model_arg(), input);
  ASSERT_EQ(aligned.exit_code, 0) << aligned.err;
  const auto plain_lines = split_lines(plain.out), lines = split_lines(aligned.out);
  ASSERT_EQ(lines.size(), cases.size()) << aligned.out;
  size_t right = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const size_t bar = lines[i].find(" |||");
    ASSERT_NE(bar, std::string::npos) << lines[i];
    EXPECT_EQ(lines[i].substr(0, bar), plain_lines[i]);  // the translation is the same
    const auto source = mt::alignment_tokens(cases[i].source), target = mt::alignment_tokens(plain_lines[i]);
    std::istringstream links(lines[i].substr(bar + 4));
    std::string link;
    bool found = false;
    while (links >> link) {
      const size_t dash = link.find('-');
      ASSERT_NE(dash, std::string::npos) << lines[i];
      const size_t s = std::stoul(link.substr(0, dash)), t = std::stoul(link.substr(dash + 1));
      ASSERT_LT(s, source.size()) << lines[i];
      ASSERT_LT(t, target.size()) << lines[i];
      found = found || (source[s].key == cases[i].word && target[t].key == cases[i].translation);
    }
    right += found;
  }
  EXPECT_GE(right, cases.size() - 2) << aligned.out;  // a clear majority of the clear words
}

TEST(TranslateOptions, ReverseRerankingReordersTheBeamsNBest) {
  REQUIRE_MODEL();
  const std::string input =
      "He has two children.\nThe motel can accommodate as many as 400 guests.\nI usually get up at 8.\n"
      "She must be over eighty.\nWhat's radical today may be cliche tomorrow.\nI married eight years ago.\n";
  auto scores_descend = [](const std::vector<std::string>& lines) {
    for (size_t i = 1; i < lines.size(); ++i)
      if (lines[i].substr(0, 2) == lines[i - 1].substr(0, 2) &&
          std::stod(split_tab(lines[i])[1]) > std::stod(split_tab(lines[i - 1])[1]))
        return false;
    return true;
  };
  auto off = run_mt("translate --to zh --n-best 4 --reverse-weight 0 " + model_arg(), input);
  auto on = run_mt("translate --to zh --n-best 4 --reverse-weight 5 " + model_arg(), input);
  ASSERT_EQ(on.exit_code, 0) << on.err;
  EXPECT_TRUE(scores_descend(split_lines(off.out))) << off.out;
  EXPECT_TRUE(scores_descend(split_lines(on.out))) << on.out;
  // The same candidates, other scores: the reverse score moved at least one sentence's choice.
  auto best = [](const std::string& out) {
    std::vector<std::string> first;
    for (const auto& line : split_lines(out))
      if (first.size() <= size_t(std::stoi(line))) first.push_back(split_tab(line)[2]);
    return first;
  };
  ASSERT_EQ(best(on.out).size(), 6u) << on.out;
  EXPECT_NE(best(on.out), best(off.out));
  // Plain output is the reranked n-best's first line.
  auto plain = run_mt("translate --to zh --reverse-weight 5 " + model_arg(), input);
  std::string joined;
  for (const auto& line : best(on.out)) joined += line + "\n";
  EXPECT_EQ(plain.out, joined);
}

TEST(TranslateOptions, TraditionalOutputOnRequest) {
  REQUIRE_MODEL();
  const std::string input = "Taiwan is an island.\nI like to ride my bicycle.\n";
  auto simplified = run_mt("translate --to zh " + model_arg(), input);
  auto traditional = run_mt("translate --to zh --zh-script traditional " + model_arg(), input);
  ASSERT_EQ(traditional.exit_code, 0);
  EXPECT_EQ(traditional.out, mt::to_traditional(simplified.out));
}

TEST(TranslateErrors, MissingModelIsOneLineAndExitOne) {
  auto r = run_mt("translate -m /nonexistent/model", "hello\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("not found"), std::string::npos);
}

TEST(TranslateErrors, CorruptModelIsOneLineAndExitOne) {
  const auto dir = temp_path("corrupt_model");
  std::filesystem::create_directories(dir);
  write_text(dir + "/model.json", "{\"format\": \"mt-model\", \"version\": 1, ");
  auto r = run_mt("translate -m " + dir, "hello\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
}

TEST(TranslateErrors, AlignmentsNeedAnAlignerAndPlainText) {
  REQUIRE_MODEL();
  const auto dir = temp_path("model_without_aligner");
  std::filesystem::create_directories(dir);
  for (const char* file : {"model.json", "weights.pt", "tokenizer.model"})
    std::filesystem::copy_file(test_model() + "/" + file, dir + "/" + file, std::filesystem::copy_options::overwrite_existing);
  auto r = run_mt("translate --alignments -m " + dir, "hello\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("no word aligner"), std::string::npos) << r.err;
  // A bad aligner.bin fails only what needs it.
  write_text(dir + "/aligner.bin", "not an aligner");
  r = run_mt("translate -m " + dir, "hello\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_mt("translate --format html -m " + dir, "<p>hello <b>world</b></p>\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("not a word aligner"), std::string::npos) << r.err;
  r = run_mt("translate --alignments --format html " + model_arg(), "<p>hello</p>\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--alignments works with --format text"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(TranslateErrors, UnreadableInputIsOneLineAndExitOne) {
  REQUIRE_MODEL();
  auto r = run_mt("translate " + model_arg() + " -i /nonexistent/input.txt");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
}

TEST(TranslateErrors, UnwritableOutputLeavesNoFile) {
  REQUIRE_MODEL();
  auto r = run_mt("translate " + model_arg() + " -o /nonexistent/dir/out.txt", "hello\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
}

TEST(TranslateErrors, FailedRunLeavesNoPartialOutput) {
  const auto out = temp_path("never.txt");
  auto r = run_mt("translate -m /nonexistent/model -o " + out, "hello\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& e : std::filesystem::directory_iterator(::testing::TempDir()))
    EXPECT_NE(e.path().string().rfind(out + ".tmp", 0), 0u) << "left behind: " << e.path();
}

TEST(TranslateErrors, BadOptionIsUsageError) {
  auto r = run_mt("translate --beam 0", "hello\n");
  EXPECT_EQ(r.exit_code, 2);
  r = run_mt("translate --to fr", "hello\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

// --glossary: whatever the model would have written, every matched term's target is in the
// output (both directions, several terms in a sentence, a term at the end, a term longer than the
// beam keeps), under reranking and --n-best too; lines without a match come out byte for byte as
// without the glossary; a bad glossary is a one-line error.
TEST(TranslateGlossary, EveryMatchedTermAppears) {
  REQUIRE_MODEL();
  const auto glossary = temp_path("glossary.tsv");
  write_text(glossary,
             "# product and domain terms\n"
             "cluster\t集群\n"
             "config map\t配置映射\n"
             "pod\tPod\n"
             "dark mode\t深色模式\n"
             "train station\t火车站北广场售票处\n"  // longer than a beam of 2 would keep on its own
             "机器学习\tmachine learning\n"
             "周末\tweekend\n"
             "今天\tToday\n");
  const std::string input =
      "Restart the pod after you change the config map.\n"  // several terms
      "Please enable dark mode.\n"
      "We need a bigger cluster\n"                             // a term at the end
      "Where is the train station?\n"
      "他在大学研究机器学习。\n"                                // zh -> en
      "我们周末去爬山吧。\n"
      "今天天气很好。\n";
  const std::vector<std::vector<std::string>> expected = {
      {"配置映射", "Pod"}, {"深色模式"}, {"集群"}, {"火车站北广场售票处"}, {"machine learning"}, {"weekend"}, {"Today"}};
  for (const std::string options : {"", "--beam 2 --reverse-weight 0", "--beam 1"}) {
    auto r = run_mt("translate " + options + " --glossary " + glossary + " " + model_arg(), input);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = split_lines(r.out);
    ASSERT_EQ(lines.size(), expected.size()) << r.out;
    for (size_t i = 0; i < lines.size(); ++i)
      for (const auto& term : expected[i]) EXPECT_NE(lines[i].find(term), std::string::npos) << options << ": " << lines[i];
  }
  auto n_best = run_mt("translate --n-best 3 --glossary " + glossary + " " + model_arg(), "Please enable dark mode.\n");
  ASSERT_EQ(n_best.exit_code, 0) << n_best.err;
  for (const auto& line : split_lines(n_best.out)) EXPECT_NE(line.find("深色模式"), std::string::npos) << line;

  const std::string unmatched = "Good night.\nI like tea.\n我们明天见。\n";
  auto plain = run_mt("translate " + model_arg(), unmatched);
  auto with = run_mt("translate --glossary " + glossary + " " + model_arg(), unmatched);
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(with.out, plain.out);

  write_text(glossary, "cluster\t集群\nno tab on this line\n");
  auto bad = run_mt("translate --glossary " + glossary + " " + model_arg(), "The cluster.\n");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find(glossary + ":2: expected source<TAB>target"), std::string::npos) << bad.err;
  auto missing = run_mt("translate --glossary /nonexistent/terms.tsv " + model_arg(), "The cluster.\n");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("cannot read glossary"), std::string::npos) << missing.err;
  std::filesystem::remove(glossary);
}

// Inside documents a term in code is left alone: with the only occurrences of the glossary's terms
// in inline code, the glossary changes nothing; in the prose it is still enforced.
TEST(TranslateGlossary, TermsInsideCodeAreLeftAlone) {
  REQUIRE_MODEL();
  const auto glossary = temp_path("code-glossary.tsv");
  write_text(glossary, "cluster\t集群\npod\tPod\n");
  for (const auto& [format, document] : std::vector<std::pair<std::string, std::string>>{
           {"markdown", "Run `kubectl get cluster` to see it.\n\nThe `pod` command prints its name.\n"},
           {"html", "<p>Run <code>kubectl get cluster</code> to see it.</p><p>Type <kbd>pod list</kbd> now.</p>\n"}}) {
    auto plain = run_mt("translate --format " + format + " " + model_arg(), document);
    auto with = run_mt("translate --format " + format + " --glossary " + glossary + " " + model_arg(), document);
    ASSERT_EQ(with.exit_code, 0) << with.err;
    EXPECT_EQ(with.out, plain.out) << format;
  }
  auto prose = run_mt("translate --format markdown --glossary " + glossary + " " + model_arg(),
                      "Restart the pod with `kubectl delete pod web`.\n");
  ASSERT_EQ(prose.exit_code, 0) << prose.err;
  EXPECT_NE(prose.out.find("Pod"), std::string::npos) << prose.out;
  EXPECT_NE(prose.out.find("`kubectl delete pod web`"), std::string::npos) << prose.out;
  std::filesystem::remove(glossary);
}

TEST(Export, Bfloat16WeightsHalveTheFolderAndStillTranslate) {
  REQUIRE_MODEL();
  const auto dir = temp_path("exported_model");
  std::filesystem::remove_all(dir);
  auto r = run_mt("export -m " + test_model() + " -o " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto source_size = std::filesystem::file_size(test_model() + "/weights.pt");
  EXPECT_LT(std::filesystem::file_size(dir + "/weights.pt"), source_size * 6 / 10);
  EXPECT_EQ(std::filesystem::exists(dir + "/aligner.bin"), std::filesystem::exists(test_model() + "/aligner.bin"));
  r = run_mt("translate -m " + dir, "Where is the train station?\nI like tea.\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(has_han(lines[0]) && has_han(lines[1])) << r.out;
  // Not over the model itself.
  r = run_mt("export -m " + dir + " -o " + dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
  std::filesystem::remove_all(dir);
}
