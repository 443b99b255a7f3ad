#include "model/train/validation.h"

#include <filesystem>
#include <fstream>

#include <ATen/core/grad_mode.h>

#include "model/metrics/bleu.h"
#include "model/metrics/chrf.h"
#include "model/train/batcher.h"
#include "model/train/loss.h"
#include "model/train/mixed_precision.h"
#include "model/translate/translator.h"

namespace mt {

DevSet load_dev_set(const std::string& path, const Tokenizer& tokenizer, const CleaningOptions& cleaning) {
  DevSet set{DataSource{path}.name(), read_parallel(path), {}};
  CleaningOptions keep_repeats = cleaning;
  keep_repeats.dedupe = false;
  CleaningStats ignored;
  for (const auto& p : set.pairs) set.examples.add(p, tokenizer, keep_repeats, ignored);
  return set;
}

double dev_loss(Transformer& network, const DevSet& set, int64_t batch_tokens, const std::string& precision,
                const c10::Device& device) {
  at::NoGradGuard no_grad;
  double nll = 0, tokens = 0;
  for (const auto& indices : plan_batches(set.examples, batch_tokens)) {
    Batch b = collate(set.examples, indices);
    AutocastScope autocast(precision, device);
    const auto logits = network->forward(b.src.to(device), b.tgt_in.to(device));
    nll += label_smoothed_loss(logits, b.tgt_out.to(device), 0).nll.item<double>();
    tokens += double(b.tgt_tokens);
  }
  return tokens > 0 ? nll / tokens : 0;
}

std::vector<DevScores> dev_scores(Transformer& network, const Tokenizer& tokenizer, const std::vector<DevSet>& sets,
                                  size_t sentences, const SearchOptions& search) {
  TranslatorOptions options;
  options.search = search;
  Translator translator(network, tokenizer, options);
  auto texts = [](const std::vector<Translation>& ts) {
    std::vector<std::string> out;
    for (const auto& t : ts) out.push_back(t.text);
    return out;
  };
  std::vector<DevScores> all;
  for (const auto& set : sets) {
    std::vector<std::string> en, zh, zh_refs;
    for (size_t i = 0; i < std::min(sentences, set.pairs.size()); ++i) {
      en.push_back(set.pairs[i].en);
      zh.push_back(set.pairs[i].zh);
      zh_refs.push_back(normalize(set.pairs[i].zh));  // references folded to Simplified like the output
    }
    const auto to_zh = texts(translator.translate(en, Lang::Zh));
    const auto to_en = texts(translator.translate(zh, Lang::En));
    all.push_back({set.name, corpus_bleu(to_zh, zh_refs, "zh").score, corpus_chrf(to_zh, zh_refs).score,
                   corpus_bleu(to_en, en, "13a").score, corpus_chrf(to_en, en).score});
  }
  return all;
}

double combined_score(const std::vector<DevScores>& scores) {
  double inverse = 0;
  int n = 0;
  for (const auto& s : scores)
    for (double bleu : {s.bleu_en_zh, s.bleu_zh_en}) {
      if (bleu <= 0) return 0;
      inverse += 1 / bleu, ++n;
    }
  return n > 0 ? n / inverse : 0;
}

MetricsLog::MetricsLog(std::string path, const std::vector<DevSet>& sets) : path_(std::move(path)) {
  if (std::filesystem::exists(path_)) return;  // a resumed run appends
  std::ofstream header(path_);
  header << "step\tepoch\ttrain_nll";
  for (const auto& set : sets)
    for (const char* column : {"nll", "bleu_en_zh", "chrf_en_zh", "bleu_zh_en", "chrf_zh_en"})
      header << '\t' << set.name << '_' << column;
  header << "\tscore\telapsed_s\n";
}

void MetricsLog::write(int64_t step, int64_t epoch, double train_nll, const std::vector<double>& dev_losses,
                       const std::vector<DevScores>& scores, double score, double elapsed) const {
  std::ofstream tsv(path_, std::ios::app);
  tsv << step << '\t' << epoch << '\t' << train_nll;
  for (size_t i = 0; i < scores.size(); ++i)
    tsv << '\t' << dev_losses[i] << '\t' << scores[i].bleu_en_zh << '\t' << scores[i].chrf_en_zh << '\t'
        << scores[i].bleu_zh_en << '\t' << scores[i].chrf_zh_en;
  tsv << '\t' << score << '\t' << elapsed << '\n';
}

}  // namespace mt
