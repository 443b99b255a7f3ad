// Sentence splitting of English, Chinese and mixed paragraphs (tokenizer/sentence_splitter).
#include <gtest/gtest.h>

#include "tokenizer/sentence_splitter.h"

using mt::split_sentences;
using Sentences = std::vector<std::string>;

TEST(SplitSentences, EmptyAndOneSentence) {
  EXPECT_EQ(split_sentences(""), Sentences{});
  EXPECT_EQ(split_sentences("   "), Sentences{});
  EXPECT_EQ(split_sentences("Hello world"), Sentences{"Hello world"});
  EXPECT_EQ(split_sentences("  Hello world.  "), Sentences{"Hello world."});
}

TEST(SplitSentences, EnglishSentenceEnds) {
  EXPECT_EQ(split_sentences("I came. I saw! Did I win? Yes."), (Sentences{"I came.", "I saw!", "Did I win?", "Yes."}));
  EXPECT_EQ(split_sentences("Wait... What?! No."), (Sentences{"Wait...", "What?!", "No."}));
  EXPECT_EQ(split_sentences("It ended.  \t Then it rained."), (Sentences{"It ended.", "Then it rained."}));
}

TEST(SplitSentences, EnglishAbbreviations) {
  EXPECT_EQ(split_sentences("Dr. Smith met Mr. Brown at 10 a.m. today. They talked."),
            (Sentences{"Dr. Smith met Mr. Brown at 10 a.m. today.", "They talked."}));
  EXPECT_EQ(split_sentences("Fruit, e.g. apples, is good. I eat it."), (Sentences{"Fruit, e.g. apples, is good.", "I eat it."}));
  EXPECT_EQ(split_sentences("She joined the U.S. Army in 2001. It was hard."),
            (Sentences{"She joined the U.S. Army in 2001.", "It was hard."}));
  EXPECT_EQ(split_sentences("He lives in the U.S. He likes it."), (Sentences{"He lives in the U.S.", "He likes it."}));
  EXPECT_EQ(split_sentences("See No. 5 and p. 12 for details."), Sentences{"See No. 5 and p. 12 for details."});
  EXPECT_EQ(split_sentences("I said no. Then I left."), (Sentences{"I said no.", "Then I left."}));
}

TEST(SplitSentences, DecimalsInitialsAndWords) {
  EXPECT_EQ(split_sentences("Pi is 3.14159. It costs $4.50. Really."), (Sentences{"Pi is 3.14159.", "It costs $4.50.", "Really."}));
  EXPECT_EQ(split_sentences("J. R. R. Tolkien wrote it. Read it."), (Sentences{"J. R. R. Tolkien wrote it.", "Read it."}));
  EXPECT_EQ(split_sentences("Visit example.com today. It is free."), (Sentences{"Visit example.com today.", "It is free."}));
}

TEST(SplitSentences, QuotesAndBracketsAfterTheFullStop) {
  EXPECT_EQ(split_sentences("He said \"Stop.\" Then he left."), (Sentences{"He said \"Stop.\"", "Then he left."}));
  EXPECT_EQ(split_sentences("(It was late.) We went home."), (Sentences{"(It was late.)", "We went home."}));
  EXPECT_EQ(split_sentences("She wrote “Done.” Nobody replied."), (Sentences{"She wrote “Done.”", "Nobody replied."}));
  EXPECT_EQ(split_sentences("'Really?' she asked."), Sentences{"'Really?' she asked."});
}

TEST(SplitSentences, Chinese) {
  EXPECT_EQ(split_sentences("我很好。你呢？我们走吧！"), (Sentences{"我很好。", "你呢？", "我们走吧！"}));
  EXPECT_EQ(split_sentences("天晴了；我们出去。"), (Sentences{"天晴了；", "我们出去。"}));
  EXPECT_EQ(split_sentences("我们留下……好吧。"), (Sentences{"我们留下……", "好吧。"}));
  EXPECT_EQ(split_sentences("他说：“走吧。”然后走了。"), (Sentences{"他说：“走吧。”", "然后走了。"}));
  EXPECT_EQ(split_sentences("他说：“走吧。你呢？”我没回答。"), (Sentences{"他说：“走吧。你呢？”", "我没回答。"}));
  EXPECT_EQ(split_sentences("书名是『红楼梦。』（很有名。）好。"), (Sentences{"书名是『红楼梦。』", "（很有名。）", "好。"}));
}

TEST(SplitSentences, MixedScripts) {
  EXPECT_EQ(split_sentences("我用iPhone打电话。It works. 很好!真的"), (Sentences{"我用iPhone打电话。", "It works.", "很好!", "真的"}));
  EXPECT_EQ(split_sentences("Version 2.0 发布了。OK.我们走"), (Sentences{"Version 2.0 发布了。", "OK.", "我们走"}));
}

TEST(SplitSentences, UnbalancedQuotesDoNotSwallowTheRest) {
  // A closing quote with no opening one, and an opening one never closed.
  EXPECT_EQ(split_sentences("好。”对。"), (Sentences{"好。”", "对。"}));
  EXPECT_EQ(split_sentences("Fine. “Open. Still open."), (Sentences{"Fine.", "“Open. Still open."}));
}
