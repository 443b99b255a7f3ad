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
#include "app/file_translation.h"
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
    bool overwrite = false;
    bool alignments = false;
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
                  "text (line by line), markdown, html (prose translated, markup kept), srt or vtt (subtitles), "
                  "po (gettext); "
                  "default: from -i's extension")
      ->check(CLI::IsMember(doc::format_names()));
  cmd->add_flag("--overwrite", o->overwrite, "gettext catalogues: translate the entries that have a translation too");
  cmd->add_flag("--alignments", o->alignments,
                "Print each line as 'translation ||| 0-0 1-2 ...': source-target word links (words, numbers, "
                "Han characters and punctuation counted from 0)");

  return [o]() {
    const doc::Format format = o->format.empty() ? doc::guess_format(o->input) : *doc::parse_format(o->format);
    if (format != doc::Format::Text && o->n_best > 1) throw UsageError("--n-best works with --format text only");
    if (o->alignments && (format != doc::Format::Text || o->n_best > 1))
      throw UsageError("--alignments works with --format text and one translation a line only");
    InputFile input(o->input);
    std::istream* in = &input.stream();
    ModelPackage package = o->flags.load();
    if (o->alignments && !package.aligner)
      throw UsageError("--alignments: the model has no word aligner (aligner.bin, made by mt train-aligner)");
    auto options = o->flags.translator_options();
    options.search.n_best = std::max(o->n_best, int64_t(1));
    options.search.beam = std::max(options.search.beam, options.search.n_best);
    Translator translator(package.network, package.tokenizer, options);
    OutputFile output(o->output);
    std::ostream& out = output.stream();

    const auto start = std::chrono::steady_clock::now();
    auto seconds = [&]() { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    if (format != doc::Format::Text) {
      const std::string document{std::istreambuf_iterator<char>(*in), std::istreambuf_iterator<char>()};
      if (in->bad()) throw std::runtime_error("error reading '" + o->input + "'");
      TranslationCounts counts;
      out << translate_document(format, document, translator, package.aligner, o->flags.target(), o->overwrite, &counts);
      if (!out) throw std::runtime_error("cannot write '" + o->output + "'");
      output.commit();
      spdlog::info("translated a {} document of {} bytes: {} pieces ({} -> {} tokens) in {:.2f} s",
                   doc::format_name(format), document.size(), counts.lines, counts.source_tokens, counts.target_tokens,
                   seconds());
      return 0;
    }

    const bool show_progress = o->progress || isatty(2);
    ProgressBar progress(show_progress, show_progress && o->input != "-" ? count_lines(o->input) : 0);
    const auto counts = translate_lines(*in, out, translator, o->flags.target(), o->n_best, o->chunk_lines, o->input,
                                        [&](int64_t lines) { progress.update(lines); },
                                        o->alignments ? package.aligner.get() : nullptr);
    output.commit();
    progress.finish();
    spdlog::info("translated {} lines ({} -> {} tokens) in {:.2f} s: {:.1f} lines/s, {:.0f} target tokens/s",
                 counts.lines, counts.source_tokens, counts.target_tokens, seconds(), double(counts.lines) / seconds(),
                 double(counts.target_tokens) / seconds());
    return 0;
  };
}

}  // namespace mt::app
