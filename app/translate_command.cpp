// mt translate [-m MODEL] [-i FILE] [-o FILE] [--to zh|en|auto] [--format text|markdown|html] ...
// Text streams in chunks: memory stays bounded however large the file, and every input line gives
// exactly one output line, in order. Markdown and HTML keep their markup (app/document).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include <spdlog/spdlog.h>

#include "app/command.h"
#include "app/document/document.h"
#include "app/input_file.h"
#include "app/output_file.h"
#include "app/progress.h"
#include "app/translation_flags.h"

namespace mt::app {

namespace {

int64_t count_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  int64_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

// A Markdown or HTML document: read whole, its pieces translated in a few large batches.
void translate_document(doc::Format format, std::istream& in, std::ostream& out, Translator& translator,
                        std::optional<Lang> to, const std::string& name) {
  const auto start = std::chrono::steady_clock::now();
  std::string document{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw std::runtime_error("error reading '" + name + "'");
  int64_t pieces = 0, source_tokens = 0, target_tokens = 0;
  const doc::TranslateFn translate = [&](const std::vector<std::string>& texts) {
    std::vector<std::string> repaired;
    for (const auto& t : texts) repaired.push_back(repair_utf8(t));
    std::vector<std::string> results;
    for (auto& r : translator.translate(repaired, to)) {
      source_tokens += r.source_tokens;
      target_tokens += r.target_tokens;
      results.push_back(one_line(r.text));
    }
    pieces += int64_t(texts.size());
    return results;
  };
  out << (format == doc::Format::Markdown ? doc::translate_markdown(document, translate)
                                          : doc::translate_html(document, translate));
  if (!out) throw std::runtime_error("cannot write the translation of '" + name + "'");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("translated a {} document of {} bytes: {} pieces ({} -> {} tokens) in {:.2f} s",
               doc::format_name(format), document.size(), pieces, source_tokens, target_tokens, seconds);
}

}  // namespace

Run add_translate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("translate", "Translate text: one output line per input line, in order");
  struct Options {
    TranslationFlags flags;
    std::string input = "-", output = "-";
    int64_t n_best = 1;
    int64_t chunk_lines = 2000;
    bool progress = false;
    std::string format;  // empty: guessed from the input file's extension
  };
  auto o = std::make_shared<Options>();
  o->flags.add_to(*cmd);
  cmd->add_option("-i,--input", o->input, "Input file (default: standard input)");
  cmd->add_option("-o,--output", o->output, "Output file, written whole or not at all (default: standard output)");
  cmd->add_option("--n-best", o->n_best, "Print the N best: line-number<TAB>score<TAB>text (0-based, as fairseq)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--chunk-lines", o->chunk_lines, "Lines read, sorted and translated at a time")->check(CLI::Range(1, 1000000));
  cmd->add_flag("--progress", o->progress, "Show the progress bar even when stderr is not a terminal");
  cmd->add_option("--format", o->format,
                  "text (line by line), markdown or html (prose translated, markup kept); default: from -i's extension")
      ->check(CLI::IsMember({"text", "markdown", "html"}));

  return [o]() {
    const doc::Format format = o->format.empty() ? doc::guess_format(o->input) : *doc::parse_format(o->format);
    if (format != doc::Format::Text && o->n_best > 1) throw UsageError("--n-best works with --format text only");
    InputFile input(o->input);
    std::istream* in = &input.stream();
    ModelPackage package = o->flags.load();
    auto options = o->flags.translator_options();
    options.search.n_best = std::max(o->n_best, int64_t(1));
    options.search.beam = std::max(options.search.beam, options.search.n_best);
    Translator translator(package.network, package.tokenizer, options);
    OutputFile output(o->output);
    std::ostream& out = output.stream();

    if (format != doc::Format::Text) {
      translate_document(format, *in, out, translator, o->flags.target(), o->input);
      output.commit();
      return 0;
    }

    const bool show_progress = o->progress || isatty(2);
    ProgressBar progress(show_progress, show_progress && o->input != "-" ? count_lines(o->input) : 0);
    const auto start = std::chrono::steady_clock::now();
    int64_t lines = 0, source_tokens = 0, target_tokens = 0;
    std::vector<std::string> chunk;
    auto translate_chunk = [&]() {
      const int64_t first = lines - int64_t(chunk.size());
      for (size_t i = 0; i < chunk.size(); ++i) {
        bool invalid = false;
        chunk[i] = repair_utf8(chunk[i], &invalid);
        if (invalid) spdlog::warn("line {}: invalid UTF-8 replaced by U+FFFD", first + int64_t(i) + 1);
      }
      const auto results = translator.translate(chunk, o->flags.target());
      for (size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        if (r.was_split)
          spdlog::warn("line {}: longer than the model takes ({} tokens): translated in parts",
                       first + int64_t(i) + 1, r.source_tokens);
        source_tokens += r.source_tokens;
        target_tokens += r.target_tokens;
        if (o->n_best <= 1) {
          out << one_line(r.text) << '\n';
        } else if (r.n_best.empty()) {
          out << first + int64_t(i) << "\t0\t\n";
        } else {
          for (const auto& [text, score] : r.n_best) out << first + int64_t(i) << '\t' << score << '\t' << one_line(text) << '\n';
        }
      }
      if (!out) throw std::runtime_error("cannot write '" + o->output + "'");
      chunk.clear();
      progress.update(lines);
    };

    std::string line;
    while (std::getline(*in, line)) {
      chunk.push_back(std::move(line));
      ++lines;
      if (int64_t(chunk.size()) >= o->chunk_lines) translate_chunk();
    }
    if (in->bad()) throw std::runtime_error("error reading '" + o->input + "'");
    translate_chunk();
    output.commit();
    progress.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    spdlog::info("translated {} lines ({} -> {} tokens) in {:.2f} s: {:.1f} lines/s, {:.0f} target tokens/s", lines,
                 source_tokens, target_tokens, seconds, double(lines) / seconds, double(target_tokens) / seconds);
    return 0;
  };
}

}  // namespace mt::app
