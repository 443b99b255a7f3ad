#include "tokenizer/utf8.h"

namespace mt::utf8 {

namespace {
constexpr char32_t kReplacement = 0xFFFD;
}

// Decodes one code point at text[*pos] and advances *pos. An invalid sequence yields U+FFFD and
// skips its maximal valid prefix (the Unicode "substitution of maximal subparts" practice), so
// one bad byte never swallows the valid characters after it.
char32_t next_code_point(std::string_view text, size_t* pos, bool* invalid) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(*pos);
  *invalid = false;
  if (b0 < 0x80) {
    ++*pos;
    return b0;
  }
  int length;
  char32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3, cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4, cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    ++*pos;  // stray continuation byte, C0/C1 (overlong) or F5..FF
    *invalid = true;
    return kReplacement;
  }
  size_t i = *pos + 1;
  for (int k = 1; k < length; ++k, ++i) {
    const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
    if (i >= text.size() || byte(i) < min || byte(i) > max) {
      *pos = i;
      *invalid = true;
      return kReplacement;
    }
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  *pos = i;
  return cp;
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::u32string decode(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  bool invalid = false;
  for (size_t pos = 0; pos < text.size();) out.push_back(next_code_point(text, &pos, &invalid));
  return out;
}

// Python's str.isspace(), which str.split() / strip() / rstrip() use.
bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

size_t length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_han(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) ||    // CJK Unified Ideographs
         (cp >= 0x3400 && cp <= 0x4DBF) ||    // extension A
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // compatibility ideographs
         (cp >= 0x20000 && cp <= 0x3134F);    // extensions B..G and compatibility supplement
}

}  // namespace mt::utf8
