// mt eval -r REF [-i HYP | -m MODEL -s SRC] [--tokenize zh|13a|none] [--json]
// BLEU and chrF as sacreBLEU 2.x computes them, with its signatures.
#include <cstdio>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/command.h"
#include "app/input_file.h"
#include "app/output_file.h"
#include "app/translation_flags.h"
#include "model/metrics/bleu.h"
#include "model/metrics/chrf.h"

namespace mt::app {

namespace {
std::vector<std::string> read_lines(const std::string& path) {
  InputFile input(path);
  std::istream* in = &input.stream();
  std::vector<std::string> lines;
  for (std::string line; std::getline(*in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(repair_utf8(line));
  }
  return lines;
}
}  // namespace

Run add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Score translations against references (BLEU, chrF as sacreBLEU)");
  struct Options {
    TranslationFlags flags;
    std::string reference, hypothesis = "-", source, tokenize = "auto", save;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("-r,--reference", o->reference, "Reference file, one line per segment")->required();
  cmd->add_option("-i,--input", o->hypothesis, "Hypothesis file (default: standard input)");
  cmd->add_option("-s,--source", o->source, "Translate this source file with the model first, then score");
  cmd->add_option("--tokenize", o->tokenize, "BLEU tokenizer: zh, 13a, none, or auto (zh for Chinese references)")
      ->check(CLI::IsMember({"auto", "zh", "13a", "none"}));
  cmd->add_option("--save", o->save, "With -s: also write the translations to this file");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  o->flags.add_to(*cmd);

  return [o]() {
    const auto refs = read_lines(o->reference);
    std::string sample;  // the first lines tell the references' language
    for (size_t i = 0; i < std::min<size_t>(refs.size(), 50); ++i) sample += refs[i] + " ";
    const Lang reference_language = guess_language(sample);
    std::vector<std::string> hyps;
    if (!o->source.empty()) {
      const auto sources = read_lines(o->source);
      ModelPackage package = o->flags.load();
      Translator translator(package.network, package.tokenizer, o->flags.translator_options());
      // One direction for the whole test set: the references' language.
      const std::optional<Lang> to = o->flags.target() ? o->flags.target() : reference_language;
      for (auto& t : translator.translate(sources, to)) hyps.push_back(std::move(t.text));
      if (!o->save.empty()) {  // whole or not at all, as translate's -o
        OutputFile out(o->save);
        for (const auto& h : hyps) out.stream() << h << '\n';
        out.commit();
      }
    } else {
      hyps = read_lines(o->hypothesis);
    }
    if (hyps.size() != refs.size())
      throw std::runtime_error("hypotheses have " + std::to_string(hyps.size()) + " lines but references have " +
                               std::to_string(refs.size()));
    const std::string tokenize =
        o->tokenize != "auto" ? o->tokenize : reference_language == Lang::Zh ? "zh" : "13a";
    const BleuScore bleu = corpus_bleu(hyps, refs, tokenize);
    const ChrfScore chrf = corpus_chrf(hyps, refs);
    if (o->json) {
      nlohmann::json j = {{"bleu", bleu.score},
                          {"chrf", chrf.score},
                          {"signature", bleu.signature},
                          {"chrf_signature", chrf.signature},
                          {"precisions", bleu.precisions},
                          {"bp", bleu.brevity_penalty},
                          {"sys_len", bleu.sys_len},
                          {"ref_len", bleu.ref_len},
                          {"tokenize", tokenize},
                          {"lines", refs.size()}};
      std::cout << j.dump() << '\n';
    } else {
      std::printf("BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %ld ref_len = %ld) %s\n", bleu.score,
                  bleu.precisions[0], bleu.precisions[1], bleu.precisions[2], bleu.precisions[3], bleu.brevity_penalty,
                  bleu.ref_len > 0 ? double(bleu.sys_len) / double(bleu.ref_len) : 0.0, long(bleu.sys_len),
                  long(bleu.ref_len), bleu.signature.c_str());
      std::printf("chrF2 = %.2f %s\n", chrf.score, chrf.signature.c_str());
    }
    return 0;
  };
}

}  // namespace mt::app
