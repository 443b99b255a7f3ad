#include "app/translation_flags.h"

#include <spdlog/spdlog.h>

#include "app/command.h"

namespace mt::app {

void TranslationFlags::add_to(CLI::App& cmd) {
  cmd.add_option("-m,--model", model, "Model folder (default: the shipped en-zh model)");
  cmd.add_option("--to", to, "Target language: zh, en, or auto (per line, from its script)")
      ->check(CLI::IsMember({"zh", "en", "auto"}));
  cmd.add_option("--beam", beam, "Beam size (1 = greedy)")->check(CLI::Range(1, 64));
  cmd.add_option("--lenpen", lenpen, "Length penalty alpha (GNMT): higher favours longer output")
      ->check(CLI::Range(0.0, 5.0));
  cmd.add_option("--reverse-weight", reverse_weight,
                 "Rerank the beam's hypotheses by score + this x log P(source | translation), 0 = off")
      ->check(CLI::Range(0.0, 10.0));
  cmd.add_option("--max-len-a", max_len_a, "Output length limit: a * source length + b")->check(CLI::Range(0.0, 10.0));
  cmd.add_option("--max-len-b", max_len_b, "Output length limit: a * source length + b")->check(CLI::Range(0, 1000));
  cmd.add_option("--min-length", min_length, "No end of sentence before this many output tokens (0 = off)")
      ->check(CLI::Range(0, 1000));
  cmd.add_option("--no-repeat-ngram", no_repeat_ngram, "Forbid repeating n-grams of this size (0 = off)")
      ->check(CLI::Range(0, 10));
  cmd.add_option("--batch-tokens", batch_tokens, "Source tokens x beam per batch")->check(CLI::Range(16, 10000000));
  cmd.add_option("--zh-script", zh_script, "Chinese output script: simplified or traditional")
      ->check(CLI::IsMember({"simplified", "traditional"}));
  cmd.add_option("--device", device, "cpu, or cuda / cuda:N with a CUDA build of LibTorch");
  cmd.add_option("--compute-type", compute_type, "auto (the faster of float32 and bfloat16 here), bfloat16 (AVX512-BF16 kernels), int8 (weights; oneDNN) or float32")
      ->check(CLI::IsMember(compute_type_names()));
  cmd.add_flag("--no-split", no_split, "Translate each line whole instead of sentence by sentence");
  cmd.add_option("--glossary", glossary,
                 "source<TAB>target terms (either language on the left): a sentence that holds a source term "
                 "gets its target in the translation");
}

TranslatorOptions TranslationFlags::translator_options() const {
  TranslatorOptions o;
  o.search.beam = beam;
  o.search.length_penalty = lenpen;
  o.search.max_len_a = max_len_a;
  o.search.max_len_b = max_len_b;
  o.search.no_repeat_ngram = no_repeat_ngram;
  o.search.min_length = min_length;
  o.batch_tokens = batch_tokens;
  o.traditional_output = zh_script == "traditional";
  o.reverse_weight = reverse_weight;
  o.split_sentences = !no_split;
  if (!glossary.empty()) {
    o.glossary = std::make_shared<const Terminology>(Terminology::load(glossary));
    spdlog::info("glossary {}: {} terms", glossary, o.glossary->size());
  }
  return o;
}

std::optional<Lang> TranslationFlags::target() const {
  if (to == "zh") return Lang::Zh;
  if (to == "en") return Lang::En;
  return std::nullopt;
}

ModelPackage TranslationFlags::load() const {
  c10::Device d(c10::kCPU);
  try {
    d = c10::Device(device);
  } catch (const c10::Error&) {
    throw UsageError("--device: '" + device + "' is not a device (cpu, cuda, cuda:N)");
  }
  if (d.is_cuda() && !at::hasCUDA()) throw UsageError("--device " + device + ": this build of LibTorch has no CUDA");
  ModelPackage package = load_model(model_or_default(model), d);
  const auto type = resolve_compute_type(parse_compute_type(compute_type), d);
  spdlog::debug("compute type {} ({} asked)", compute_type_name(type), compute_type);
  package.network->set_compute_type(type);
  return package;
}

}  // namespace mt::app
