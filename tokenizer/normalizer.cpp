#include "tokenizer/normalizer.h"

#include "tokenizer/utf8.h"

#include <opencc/opencc.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <unordered_set>
#include <vector>

namespace mt {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

using utf8::is_han;

bool is_latin_letter(char32_t cp) {
  return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
         (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);  // accented Latin letters
}

bool is_space(char32_t cp) {
  return cp == ' ' || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// OpenCC converters are costly to build (they load dictionaries), so each config is loaded once.
// Convert() is const, but a mutex keeps us safe whatever OpenCC does inside.
class Converter {
 public:
  explicit Converter(const char* config) : config_(config) {}

  std::string convert(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!converter_) {
      try {
        converter_ = std::make_unique<opencc::SimpleConverter>(config_);
      } catch (const std::exception& e) {
        throw std::runtime_error(std::string("cannot load OpenCC config '") + config_ + "': " + e.what());
      }
    }
    return converter_->Convert(text);
  }

 private:
  const char* config_;
  std::mutex mutex_;
  std::unique_ptr<opencc::SimpleConverter> converter_;
};

Converter& tw2sp() {
  static Converter converter("tw2sp.json");
  return converter;
}

// Characters only Traditional Chinese uses: the ones OpenCC's t2s changes. A few that t2s changes
// are everyday Simplified characters too (什么's 么, 著名's 著, 乾隆's 乾) and prove nothing.
const std::unordered_set<char32_t>& traditional_only() {
  static const std::unordered_set<char32_t> set = [] {
    std::string all;
    for (char32_t cp = 0x3400; cp <= 0x9FFF; ++cp) {
      utf8::append(all, cp);
      all += '\n';
    }
    static Converter t2s("t2s.json");
    const std::string converted = t2s.convert(all);
    std::unordered_set<char32_t> result;
    size_t start = 0;
    char32_t cp = 0x3400;
    for (size_t end; (end = converted.find('\n', start)) != std::string::npos && cp <= 0x9FFF; start = end + 1, ++cp) {
      const std::u32string line = utf8::decode(std::string_view(converted).substr(start, end - start));
      if (line.size() != 1 || line[0] != cp) result.insert(cp);
    }
    for (char32_t shared : {U'么', U'著', U'乾', U'余', U'于', U'只', U'后', U'台'}) result.erase(shared);
    return result;
  }();
  return set;
}

bool looks_traditional(std::string_view text) {
  const auto& traditional = traditional_only();
  for (char32_t cp : utf8::decode(text))
    if (traditional.count(cp)) return true;
  return false;
}

Converter& s2twp() {
  static Converter converter("s2twp.json");
  return converter;
}

}  // namespace

std::string repair_utf8(std::string_view text, bool* had_invalid) {
  std::string out;
  out.reserve(text.size());
  bool any_invalid = false;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    bool invalid;
    const char32_t cp = utf8::next_code_point(text, &pos, &invalid);
    if (invalid) {
      any_invalid = true;
      utf8::append(out, cp);
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  if (had_invalid) *had_invalid = any_invalid;
  return out;
}

std::string normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;  // a whitespace run seen since the last character written
  bool has_cjk = false;        // only then is OpenCC worth calling
  size_t pos = 0;
  while (pos < text.size()) {
    bool invalid;
    char32_t cp = utf8::next_code_point(text, &pos, &invalid);
    if (cp == 0xFEFF || cp == 0x200B) continue;  // BOM, zero-width space: invisible noise
    if (is_control(cp) || is_space(cp)) {
      pending_space = true;
      continue;
    }
    // Full-width digits and letters (０-９, Ａ-Ｚ, ａ-ｚ) are the ASCII ones typed with a CJK IME.
    if ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
        (cp >= 0xFF41 && cp <= 0xFF5A)) {
      cp -= 0xFEE0;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    if (cp >= 0x2E80) has_cjk = true;
    utf8::append(out, cp);
  }
  // Only Traditional lines are converted: tw2sp on Simplified text would turn 什么 into 什幺 and
  // "correct" mainland words as if they were Taiwanese (程序 -> 进程).
  if (!has_cjk || !looks_traditional(out)) return out;
  return tw2sp().convert(out);
}

ScriptCounts count_scripts(std::string_view text) {
  // A Han character carries about as much as a short English word, so Latin letters are counted
  // as words: "iPhone 很好" is Chinese, "I love 北京 very much" is English.
  ScriptCounts counts;
  bool in_word = false;
  size_t pos = 0;
  while (pos < text.size()) {
    bool invalid;
    const char32_t cp = utf8::next_code_point(text, &pos, &invalid);
    const bool latin = is_latin_letter(cp) || (cp >= 0xFF21 && cp <= 0xFF5A && is_latin_letter(cp - 0xFEE0));
    if (latin && !in_word) ++counts.latin_words;
    in_word = latin;
    if (is_han(cp)) ++counts.han;
  }
  return counts;
}

Lang guess_language(std::string_view text) {
  const ScriptCounts c = count_scripts(text);
  // Chinese words average about 1.5 characters.
  return c.han > 0 && 2 * c.han >= 3 * c.latin_words ? Lang::Zh : Lang::En;
}

std::string tidy_chinese_spacing(std::string_view text) {
  std::vector<char32_t> cps;
  for (size_t pos = 0; pos < text.size();) {
    bool invalid = false;
    cps.push_back(utf8::next_code_point(text, &pos, &invalid));
  }
  auto chinese = [](char32_t cp) { return is_han(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF); };
  std::string out;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] == U' ' && ((i > 0 && chinese(cps[i - 1])) || (i + 1 < cps.size() && chinese(cps[i + 1])))) continue;
    utf8::append(out, cps[i]);
  }
  return out;
}

std::string spaces_to_commas(std::string_view text) {
  const std::u32string cps = utf8::decode(text);
  std::string out;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] == U' ' && i > 0 && is_han(cps[i - 1])) {
      size_t end = i;
      while (end < cps.size() && cps[end] == U' ') ++end;
      if (end < cps.size() && is_han(cps[end])) {
        out += "，";
        i = end - 1;
        continue;
      }
    }
    utf8::append(out, cps[i]);
  }
  return out;
}

std::string to_traditional(std::string_view text) {
  std::string repaired = repair_utf8(text);
  bool ascii = true;
  for (unsigned char c : repaired) ascii = ascii && c < 0x80;
  if (ascii) return repaired;
  return s2twp().convert(repaired);
}

}  // namespace mt
