// Subtitles (SubRip, WebVTT) with fake translators: timings, numbers and blocks kept byte for byte,
// sentences over several cues translated whole and spread back, lines wrapped to subtitle norms,
// and every broken file a one-line error.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "app/document/document.h"
#include "tests/document/fake_translator.h"
#include "tests/document/trees.h"
#include "tokenizer/utf8.h"

using mt::doc::translate_subtitles;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// The lines that are not cue text: numbers, timings, ids and the blank lines between blocks.
std::vector<std::string> frame(const std::string& subtitles) {
  std::vector<std::string> kept;
  const auto lines = lines_of(subtitles);
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool timing = lines[i].find("-->") != std::string::npos;
    const bool before_timing = i + 1 < lines.size() && lines[i + 1].find("-->") != std::string::npos;
    if (timing || before_timing || lines[i].empty()) kept.push_back(lines[i]);
  }
  return kept;
}

// The text lines of each cue, in order.
std::vector<std::vector<std::string>> cue_texts(const std::string& subtitles) {
  std::vector<std::vector<std::string>> cues;
  bool in_cue = false;
  for (const auto& line : lines_of(subtitles)) {
    if (line.find("-->") != std::string::npos) {
      cues.emplace_back();
      in_cue = true;
    } else if (line.empty()) {
      in_cue = false;
    } else if (in_cue) {
      cues.back().push_back(line);
    }
  }
  return cues;
}

// Every piece becomes Chinese characters, about two per English word.
mt::doc::TranslateFn to_chinese(std::vector<std::string>* seen = nullptr) {
  return [seen](const std::vector<std::string>& pieces) {
    std::vector<std::string> out;
    for (const auto& piece : pieces) {
      const std::string s = unmarked(piece);
      if (seen) seen->push_back(s);
      const auto words = std::count(s.begin(), s.end(), ' ') + 1;
      std::string zh;
      for (long i = 0; i < 2 * words; ++i) zh += i % 9 == 8 ? "，" : "字";
      out.push_back(zh + "。");
    }
    return out;
  };
}

std::string sample(const std::string& name) { return test_data(name); }

// What a viewer sees of a line: without its styling tags.
std::u32string visible(const std::string& line) {
  std::u32string out;
  char32_t closing = 0;
  const auto text = mt::utf8::decode(line);
  for (size_t i = 0; i < text.size(); ++i) {
    if (closing) {
      if (text[i] == closing) closing = 0;
    } else if (text[i] == U'<' || (text[i] == U'{' && i + 1 < text.size() && text[i + 1] == U'\\')) {
      closing = text[i] == U'<' ? U'>' : U'}';
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

TEST(Subtitles, SrtKeepsNumbersTimingsAndLineEndings) {
  const std::string srt = sample("sample.srt");
  const std::string out = translate_subtitles(srt, false, upper_case());
  EXPECT_EQ(frame(out), frame(srt));
  EXPECT_EQ(cue_texts(out).size(), cue_texts(srt).size());
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i] == '\n') ASSERT_TRUE(i > 0 && out[i - 1] == '\r') << "a bare LF at byte " << i;
}

TEST(Subtitles, ASentenceOverSeveralCuesIsTranslatedWholeAndSpreadBack) {
  std::vector<std::string> seen;
  const auto out = cue_texts(translate_subtitles(sample("sample.srt"), false, upper_case(&seen)));
  EXPECT_NE(std::find(seen.begin(), seen.end(),
                      "The train leaves at six, so we should be at the station by half past five."),
            seen.end());
  // Each of the three cues gets a share, the shares in order, no word lost or repeated.
  std::string joined;
  for (size_t c = 0; c < 3; ++c) {
    ASSERT_FALSE(out[c].empty());
    for (const auto& line : out[c]) joined += (joined.empty() ? "" : " ") + line;
  }
  EXPECT_EQ(joined, "THE TRAIN LEAVES AT SIX, SO WE SHOULD BE AT THE STATION BY HALF PAST FIVE.");
}

TEST(Subtitles, DialogueTagsAndMusicAreKept) {
  std::vector<std::string> seen;
  const auto out = cue_texts(translate_subtitles(sample("sample.srt"), false, upper_case(&seen)));
  EXPECT_EQ(out[3], std::vector<std::string>{"<i>WHERE ARE YOU GOING?</i>"});
  EXPECT_EQ(out[4], (std::vector<std::string>{"- I AM GOING HOME.", "- ME TOO."}));
  EXPECT_EQ(out[5], std::vector<std::string>{"♪ ♪"});  // nothing to translate: not sent
  EXPECT_EQ(out[6], std::vector<std::string>{"{\\an8}PLEASE TURN <b>OFF</b> YOUR PHONE."});
  for (const auto& piece : seen) EXPECT_EQ(piece.find("♪"), std::string::npos) << piece;
}

TEST(Subtitles, LinesAreWrappedToSubtitleNorms) {
  const std::string srt = sample("sample.srt");
  for (const auto& cue : cue_texts(translate_subtitles(srt, false, upper_case())))
    for (const auto& line : cue) EXPECT_LE(visible(line).size(), 42u) << line;
  const auto last = cue_texts(translate_subtitles(srt, false, upper_case())).back();
  EXPECT_EQ(last.size(), 2u);  // 71 characters: two balanced lines
  for (const auto& cue : cue_texts(translate_subtitles(srt, false, to_chinese()))) {
    EXPECT_LE(cue.size(), 3u);
    for (const auto& line : cue) {
      const auto text = visible(line);
      const auto han = std::count(text.begin(), text.end(), U'字');
      if (han > 0) EXPECT_LE(text.size(), 16u) << line;
    }
  }
}

TEST(Subtitles, VttKeepsItsHeaderBlocksSettingsAndEscapes) {
  std::string vtt = sample("sample.vtt");
  vtt.insert(vtt.find("NOTE"), "STYLE\n::cue(.loud) { color: yellow; }\n\n");
  std::vector<std::string> seen;
  const std::string out = translate_subtitles(vtt, true, upper_case(&seen));
  const size_t header_end = vtt.find("intro\n");
  ASSERT_NE(header_end, std::string::npos);
  EXPECT_EQ(out.substr(0, header_end + 6), vtt.substr(0, header_end + 6));  // header, STYLE, NOTE, the id
  EXPECT_NE(out.find("00:01.000 --> 00:03.500 align:start line:90%\n"), std::string::npos);
  EXPECT_EQ(frame(out), frame(vtt));
  EXPECT_NE(out.find("<v Anna>TOM &amp; I WILL MEET YOU THERE.</v>"), std::string::npos) << out;
  EXPECT_NE(out.find("<c.loud>DON'T BE LATE!</c>"), std::string::npos) << out;
  EXPECT_NE(out.find("TICKETS COST &lt;10 EUROS&gt; EACH."), std::string::npos) << out;
  // The model reads the text decoded.
  EXPECT_NE(std::find(seen.begin(), seen.end(), "Tickets cost <10 euros> each."), seen.end());
}

TEST(Subtitles, BrokenFilesFailWithTheLineNamed) {
  const auto fails_with = [](const std::string& doc, bool vtt, const std::string& message) {
    try {
      translate_subtitles(doc, vtt, identity());
      ADD_FAILURE() << "no error for: " << doc;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  };
  fails_with("1\n00:00:05,000 --> 00:00:04,000\nHello.\n", false, "line 2: the cue ends before it starts");
  fails_with("1\n00:00:0x,000 --> 00:00:04,000\nHello.\n", false, "line 2: broken cue timing");
  fails_with("1\n00:00:01,000 --> 00:00:04,000\nHello.\n\nJust text\nno timing\n", false, "line 5: expected a cue timing");
  fails_with("1\n00:00:01,000 --> 00:00:04,000\nHello.\n00:00:04,000 --> 00:00:05,000\n", false, "line 4: a cue timing inside");
  fails_with("00:01.000 --> 00:02.000\nHello.\n", true, "not a WebVTT file");
  fails_with("WEBVTT\n\n00:01,000 --> 00:02.000\nHello.\n", true, "line 3: broken cue timing");
  EXPECT_EQ(translate_subtitles("", false, identity()), "");
  EXPECT_EQ(translate_subtitles("WEBVTT\n", true, identity()), "WEBVTT\n");
}

// Mutated files: each gives a translation or a one-line error, never a crash or a hang (the
// sanitizer build runs this too).
TEST(Subtitles, FuzzedFilesNeverCrash) {
  std::mt19937 random(7);
  for (const auto& [name, vtt] : std::vector<std::pair<std::string, bool>>{{"sample.srt", false}, {"sample.vtt", true}}) {
    const std::string original = sample(name);
    for (int round = 0; round < 1500; ++round) {
      std::string doc = original;
      for (int edits = 1 + int(random() % 8); edits > 0 && !doc.empty(); --edits) {
        const size_t at = random() % doc.size();
        switch (random() % 4) {
          case 0: doc[at] = char(random() % 256); break;
          case 1: doc.erase(at, 1 + random() % 16); break;
          case 2: doc.insert(at, std::string(1 + random() % 4, "\n:,.-><{}\\ 0"[random() % 12])); break;
          default: doc.insert(at, doc.substr(random() % doc.size(), random() % 64)); break;
        }
      }
      try {
        translate_subtitles(doc, vtt, upper_case());
      } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
      }
    }
  }
}
