// Fake translators for the document tests: exact, so the structure checks can be exact too.
#pragma once
#include <cctype>
#include <string>
#include <vector>

#include "app/document/document.h"
#include "tokenizer/terminology.h"

// What mt's Translator reads of a piece: the text without its verbatim marks.
inline std::string unmarked(const std::string& piece) { return mt::remove_verbatim_marks(piece).text; }

// Upper-cases every piece (a fragment's translation is then found in its sentence's).
inline mt::doc::TranslateFn upper_case(std::vector<std::string>* seen = nullptr, int* calls = nullptr) {
  return [seen, calls](const std::vector<std::string>& pieces) {
    if (calls) ++*calls;
    std::vector<std::string> out;
    for (const auto& piece : pieces) {
      std::string s = unmarked(piece);
      if (seen) seen->push_back(s);
      for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
      out.push_back(s);
    }
    return out;
  };
}

// Gives every piece back unchanged: the document must then come back byte for byte.
inline mt::doc::TranslateFn identity() {
  return [](const std::vector<std::string>& pieces) {
    std::vector<std::string> out;
    for (const auto& piece : pieces) out.push_back(unmarked(piece));
    return out;
  };
}

// Reverses the order of the words: inline markup must still come out in order and balanced.
inline mt::doc::TranslateFn reverse_words() {
  return [](const std::vector<std::string>& pieces) {
    std::vector<std::string> out;
    for (const auto& piece : pieces) {
      const std::string s = unmarked(piece);
      std::vector<std::string> words;
      std::string word;
      for (char c : s) {
        if (c == ' ') {
          if (!word.empty()) words.push_back(word);
          word.clear();
        } else {
          word += c;
        }
      }
      if (!word.empty()) words.push_back(word);
      std::string r;
      for (size_t i = words.size(); i-- > 0;) r += words[i] + (i ? " " : "");
      out.push_back(r);
    }
    return out;
  };
}

// Gives every piece back unchanged and records what was asked, marks and all.
inline mt::doc::TranslateFn recording(std::vector<std::string>* asked) {
  return [asked](const std::vector<std::string>& pieces) {
    asked->insert(asked->end(), pieces.begin(), pieces.end());
    return identity()(pieces);
  };
}
