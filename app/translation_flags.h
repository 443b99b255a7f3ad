// The decoding options `translate` and `eval` share, named as in Marian / CTranslate2 / fairseq.
#pragma once
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "model/package/model_package.h"
#include "model/translate/translator.h"

namespace mt::app {

struct TranslationFlags {
  std::string model;
  std::string to = "auto";
  int64_t beam = 4;
  double lenpen = 2.0;  // chosen on the dev set: 1.0 gave output 22% too short
  double reverse_weight = 0.7;  // chosen on the dev set (0.5-1.0 alike): en->zh +0.5-1.2 BLEU over 0 (off)
  double max_len_a = 1.5;
  int64_t max_len_b = 10;
  int64_t no_repeat_ngram = 0;
  int64_t min_length = 0;
  int64_t batch_tokens = 4000;
  std::string zh_script = "simplified";
  std::string device = "cpu";
  std::string compute_type = "auto";
  bool no_split = false;  // translate each line whole instead of sentence by sentence
  std::string glossary;   // source<TAB>target terms every translation keeps (terminology.h)

  void add_to(CLI::App& cmd);
  TranslatorOptions translator_options() const;
  std::optional<Lang> target() const;  // nullopt: guess per line
  ModelPackage load() const;           // the -m model (or the default) on --device
};

}  // namespace mt::app
