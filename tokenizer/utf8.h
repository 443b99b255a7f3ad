// UTF-8 <-> Unicode code points, shared by the normaliser and the metrics.
#pragma once
#include <string>
#include <string_view>

namespace mt::utf8 {

// Decodes one code point at text[*pos] and advances *pos; an invalid sequence gives U+FFFD and
// sets *invalid.
char32_t next_code_point(std::string_view text, size_t* pos, bool* invalid);
void append(std::string& out, char32_t cp);
std::u32string decode(std::string_view text);  // invalid sequences become U+FFFD
// The number of code points of valid UTF-8 (its bytes that do not continue a sequence).
size_t length(std::string_view text);
// Python's str.isspace(), which sacreBLEU's split()/strip() rely on.
bool is_python_space(char32_t c);
// A Han character: the CJK Unified Ideographs, their extensions and the compatibility ideographs.
bool is_han(char32_t c);

}  // namespace mt::utf8
