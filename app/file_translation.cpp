#include "app/file_translation.h"

#include <istream>
#include <ostream>
#include <stdexcept>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/input_file.h"

namespace mt::app {

TranslationCounts translate_lines(std::istream& in, std::ostream& out, Translator& translator, std::optional<Lang> to,
                                  int64_t n_best, int64_t chunk_lines, const std::string& name,
                                  const std::function<void(int64_t)>& on_chunk, const WordAligner* alignments) {
  TranslationCounts counts;
  std::vector<std::string> chunk;
  auto translate_chunk = [&]() {
    const int64_t first = counts.lines - int64_t(chunk.size());
    for (size_t i = 0; i < chunk.size(); ++i) {
      bool invalid = false;
      chunk[i] = repair_utf8(chunk[i], &invalid);
      if (invalid) spdlog::warn("line {}: invalid UTF-8 replaced by U+FFFD", first + int64_t(i) + 1);
    }
    const auto results = translator.translate(chunk, to);
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      if (r.was_split)
        spdlog::warn("line {}: longer than the model takes ({} tokens): translated in parts", first + int64_t(i) + 1,
                     r.source_tokens);
      counts.source_tokens += r.source_tokens;
      counts.target_tokens += r.target_tokens;
      if (alignments) {
        const std::string text = one_line(r.text);
        out << text << " |||";
        for (const auto& link : alignments->align(chunk[i], text)) out << ' ' << link.source << '-' << link.target;
        out << '\n';
      } else if (n_best <= 1) {
        out << one_line(r.text) << '\n';
      } else if (r.n_best.empty()) {
        out << first + int64_t(i) << "\t0\t\n";
      } else {
        for (const auto& [text, score] : r.n_best) out << first + int64_t(i) << '\t' << score << '\t' << one_line(text) << '\n';
      }
    }
    if (!out) throw std::runtime_error("cannot write the translation of '" + name + "'");
    chunk.clear();
    if (on_chunk) on_chunk(counts.lines);
  };

  std::string line;
  while (std::getline(in, line)) {
    chunk.push_back(std::move(line));
    ++counts.lines;
    if (int64_t(chunk.size()) >= chunk_lines) translate_chunk();
  }
  if (in.bad()) throw std::runtime_error("error reading '" + name + "'");
  translate_chunk();
  return counts;
}

std::string translate_document(doc::Format format, const std::string& document, Translator& translator,
                               const WordAlignerFile& aligner, std::optional<Lang> to, bool overwrite, TranslationCounts* counts) {
  const doc::TranslateFn translate = [&](const std::vector<std::string>& texts) {
    std::vector<std::string> repaired;
    for (const auto& t : texts) repaired.push_back(repair_utf8(t));
    std::vector<std::string> results;
    for (auto& r : translator.translate(repaired, to)) {
      if (counts) {
        counts->source_tokens += r.source_tokens;
        counts->target_tokens += r.target_tokens;
      }
      results.push_back(one_line(r.text));
    }
    if (counts) counts->lines += int64_t(texts.size());
    return results;
  };
  doc::DocumentOptions options;
  options.overwrite = overwrite;
  options.align = doc::align_with(aligner);
  if (to) options.target = *to == Lang::Zh ? "zh" : "en";
  return doc::translate_as(format, document, translate, options);
}

}  // namespace mt::app
