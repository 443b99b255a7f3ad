#include "model/train/trainer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>

#include <ATen/autocast_mode.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>

#include "model/metrics/bleu.h"
#include "model/metrics/chrf.h"
#include "model/package/model_package.h"
#include "model/train/batcher.h"
#include "model/train/training_data.h"
#include "model/train/glossary.h"
#include "model/train/loss.h"
#include "model/translate/translator.h"

namespace mt {

namespace fs = std::filesystem;

double inverse_sqrt_lr(int64_t step, double peak, int64_t warmup) {
  if (warmup <= 0) return peak;
  if (step <= warmup) return peak * double(step) / double(warmup);
  return peak * std::sqrt(double(warmup) / double(step));
}

double scheduled_lr(const TrainConfig& config, int64_t step) {
  const double lr = inverse_sqrt_lr(step, config.lr, config.warmup);
  if (config.decay_steps <= 0 || config.max_steps <= 0) return lr;
  // Step max_steps still moves the weights: its rate is 1/decay_steps of the full one, not zero.
  const double left = double(config.max_steps - step + 1) / double(config.decay_steps);
  return lr * std::clamp(left, 0.0, 1.0);
}

namespace {

std::atomic<bool> g_stop_requested{false};
extern "C" void request_stop(int) { g_stop_requested = true; }

// Where the run stands; all of it goes into the checkpoint so --resume continues exactly.
struct Position {
  int64_t step = 0, epoch = 0, batch = 0;  // batch: next batch of this epoch's plan
  double best_score = -1;                  // best dev BLEU (mean of both directions)
  int64_t bad_validations = 0;
  double elapsed = 0;                      // seconds of training before this process
};

struct DevSet {
  std::string name;
  std::vector<SentencePair> pairs;
  ExampleSet examples;  // for the dev loss
};

struct DevScores {
  std::string set;
  double bleu_en_zh, chrf_en_zh, bleu_zh_en, chrf_zh_en;
};

// What validation and the final pick maximise: the harmonic mean of the BLEU of every dev set in
// both directions. Unlike the arithmetic mean it falls with the worst of them, so a gain on one
// domain cannot hide a collapse of another.
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

// Mixed precision for one forward pass: the matrix products in bf16 (CPU, CUDA) or fp16 (CUDA),
// the weights and their updates in fp32.
class AutocastScope {
 public:
  AutocastScope(const std::string& precision, const c10::Device& device)
      : on_(precision != "fp32"), cuda_(device.is_cuda()) {
    if (!on_) return;
    const auto dtype = precision == "fp16" ? at::kHalf : at::kBFloat16;
    if (cuda_) {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    } else {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    }
  }
  ~AutocastScope() {
    if (!on_) return;
    if (cuda_) at::autocast::set_enabled(false);
    else at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }

 private:
  bool on_, cuda_;
};

// The element-wise mean of networks' weights.
Transformer mean_weights(const std::vector<Transformer>& nets, const ModelConfig& config) {
  Transformer mean(config);
  at::NoGradGuard no_grad;
  auto dst = mean->parameters();
  for (auto& p : dst) p.zero_();
  for (const auto& net : nets) {
    auto src = net->parameters();
    for (size_t i = 0; i < dst.size(); ++i) dst[i].add_(src[i].to(dst[i].device()), 1.0 / double(nets.size()));
  }
  return mean;
}

std::string format_duration(double seconds) {
  const auto s = int64_t(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", long(s / 3600), long(s / 60 % 60), long(s % 60));
  return buf;
}

class Trainer {
 public:
  Trainer(const TrainConfig& config, bool resume, const DistributedOptions& distributed);
  TrainResult run();

 private:
  TrainResult run_loop();
  void prepare_tokenizer();
  void prepare_data();
  std::vector<DataSource> train_sources() const;  // the config's, paths resolved: tokenizer and examples alike
  void train_on(const std::vector<int64_t>& batch, double scale);
  bool agree(bool local);  // true on every rank when it is true on any
  double validate();
  void save_checkpoint();
  void load_checkpoint();
  void keep_snapshot();
  std::string finish();
  // Dev BLEU and chrF of both directions of every dev set, over its first `sentences` pairs.
  std::vector<DevScores> dev_scores(Transformer& net, size_t sentences, const SearchOptions& search);
  double elapsed() const;

  TrainConfig c_;
  fs::path out_;
  bool resume_;
  c10::Device device_;
  DataParallel parallel_;
  std::optional<Tokenizer> tokenizer_;
  std::unique_ptr<TrainingData> data_;
  std::vector<DevSet> dev_sets_;
  Transformer net_{nullptr};
  Transformer start_{nullptr};  // the model init_from names, as loaded (fine-tuning only)
  std::unique_ptr<torch::optim::Adam> optimizer_;
  Position at_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // running sums since the last progress line
  double nll_sum_ = 0, tokens_ = 0, all_tokens_ = 0;
  double train_loss_ = 0;
};

Trainer::Trainer(const TrainConfig& config, bool resume, const DistributedOptions& distributed)
    : c_((mt::validate(config), config)), out_(config.output), resume_(resume), device_(config.device),
      parallel_(distributed) {
  if (device_.is_cuda() && !at::hasCUDA()) throw std::runtime_error("device " + c_.device + ": this LibTorch has no CUDA");
  if (resume_ && !fs::exists(out_ / "checkpoint.pt"))
    throw std::runtime_error("nothing to resume: no checkpoint.pt in '" + out_.string() + "'");
  fs::create_directories(out_);
  if (parallel_.is_main()) {
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>((out_ / "train.log").string());
    spdlog::default_logger()->sinks().push_back(file);
  } else {
    spdlog::set_level(spdlog::level::warn);  // rank 0 speaks for the job
  }
  if (parallel_.world_size() > 1)
    spdlog::info("data-parallel training: rank {} of {}", parallel_.rank(), parallel_.world_size());
}

bool Trainer::agree(bool local) { return parallel_.all_reduce_sum(local ? 1.0 : 0.0) > 0; }

void Trainer::prepare_tokenizer() {
  const fs::path own = out_ / "tokenizer.model";
  if (!parallel_.is_main()) {  // rank 0 trains or copies the tokenizer into the run folder
    parallel_.barrier();
    tokenizer_.emplace(Tokenizer::load(own.string()));
    c_.model.vocab_size = tokenizer_->vocab_size();
    return;
  }
  if (resume_ && fs::exists(own)) {
    tokenizer_.emplace(Tokenizer::load(own.string()));
  } else if (!c_.init_from.empty()) {  // fine-tuning keeps the model's vocabulary
    tokenizer_.emplace(Tokenizer::load((fs::path(c_.init_from) / "tokenizer.model").string()));
  } else if (!c_.tokenizer.empty() && fs::exists(c_.tokenizer)) {
    tokenizer_.emplace(Tokenizer::load(c_.tokenizer));
  } else {
    spdlog::info("training a {}-piece SentencePiece tokenizer on the training data", c_.vocab_size);
    const fs::path corpus = out_ / "tokenizer-corpus.txt";
    write_tokenizer_corpus(train_sources(), corpus.string());
    TokenizerTrainOptions options;
    options.inputs = {corpus.string()};
    options.model_prefix = (out_ / "tokenizer").string();
    options.vocab_size = int(c_.vocab_size);
    options.seed = int(c_.seed);
    Tokenizer::train(options);
    fs::remove(corpus);
    tokenizer_.emplace(Tokenizer::load(own.string()));
  }
  if (!fs::exists(own)) std::ofstream(own, std::ios::binary) << tokenizer_->bytes();
  c_.model.vocab_size = tokenizer_->vocab_size();
  parallel_.barrier();
}

std::vector<DataSource> Trainer::train_sources() const {
  auto sources = c_.train;
  for (auto& s : sources) s.path = data_path(c_, s.path);
  return sources;
}

void Trainer::prepare_data() {
  data_ = std::make_unique<TrainingData>(*tokenizer_, CleaningOptions{c_.max_tokens, c_.max_ratio, true});
  for (const auto& source : train_sources()) data_->add(source);
  if (!c_.glossary.empty()) {
    GlossaryStats g;
    auto entries = read_glossary(data_path(c_, c_.glossary), {c_.glossary_max_words, c_.glossary_max_senses}, &g);
    spdlog::info("glossary {}: {} entries, kept {} (left out {} longer than {} words, {} with more than {} renderings)",
                 c_.glossary, g.read, g.kept, g.too_long, c_.glossary_max_words, g.ambiguous, c_.glossary_max_senses);
    data_->add("glossary", entries);
  }
  int64_t per_epoch = 0;
  for (const auto& r : data_->reports()) {
    spdlog::info("training data {} (weight {}): {}; {} examples per epoch", r.name, r.weight, r.stats.summary(),
                 r.per_epoch());
    per_epoch += r.per_epoch();
  }
  spdlog::info("training data: {} examples (both directions), {} per epoch", data_->examples().size(), per_epoch);
  if (parallel_.is_main()) std::ofstream(out_ / "data-report.tsv") << data_->report_tsv();
  if (per_epoch == 0) throw std::runtime_error("no training examples left after cleaning and weighting");
  if (!parallel_.is_main()) return;
  for (const auto& path : c_.dev) {
    DevSet set{DataSource{path}.name(), read_parallel(data_path(c_, path)), {}};
    CleaningStats ignored;
    for (const auto& p : set.pairs) set.examples.add(p, *tokenizer_, {c_.max_tokens, c_.max_ratio, false}, ignored);
    spdlog::info("dev set {}: {} pairs, {} examples for the dev loss; {} pairs translated per validation", set.name,
                 set.pairs.size(), set.examples.size(), std::min<int64_t>(c_.valid_sentences, int64_t(set.pairs.size())));
    dev_sets_.push_back(std::move(set));
  }
}

double Trainer::elapsed() const {
  return at_.elapsed + std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void Trainer::train_on(const std::vector<int64_t>& indices, double scale) {
  Batch b = collate(data_->examples(), indices);
  at::Tensor logits;
  {
    AutocastScope autocast(c_.precision, device_);
    logits = net_->forward(b.src.to(device_), b.tgt_in.to(device_));
  }
  auto loss = label_smoothed_loss(logits, b.tgt_out.to(device_), c_.label_smoothing);
  (loss.smoothed * scale).backward();
  nll_sum_ += loss.nll.item<double>();
  tokens_ += double(b.tgt_tokens);
  all_tokens_ += double(b.src_tokens + b.tgt_tokens);
}

std::vector<DevScores> Trainer::dev_scores(Transformer& net, size_t sentences, const SearchOptions& search) {
  TranslatorOptions options;
  options.search = search;
  Translator translator(net, *tokenizer_, options);
  std::vector<DevScores> all;
  for (const auto& set : dev_sets_) {
    std::vector<std::string> en, zh, zh_refs;
    for (size_t i = 0; i < std::min(sentences, set.pairs.size()); ++i) {
      en.push_back(set.pairs[i].en);
      zh.push_back(set.pairs[i].zh);
      zh_refs.push_back(normalize(set.pairs[i].zh));  // references folded to Simplified like the output
    }
    auto texts = [](const std::vector<Translation>& ts) {
      std::vector<std::string> out;
      for (const auto& t : ts) out.push_back(t.text);
      return out;
    };
    const auto to_zh = texts(translator.translate(en, Lang::Zh));
    const auto to_en = texts(translator.translate(zh, Lang::En));
    all.push_back({set.name, corpus_bleu(to_zh, zh_refs, "zh").score, corpus_chrf(to_zh, zh_refs).score,
                   corpus_bleu(to_en, en, "13a").score, corpus_chrf(to_en, en).score});
  }
  return all;
}

double Trainer::validate() {
  net_->eval();
  std::vector<double> losses;
  for (const auto& set : dev_sets_) {
    at::NoGradGuard no_grad;
    double nll = 0, tokens = 0;
    for (const auto& indices : plan_batches(set.examples, c_.batch_tokens)) {
      Batch b = collate(set.examples, indices);
      AutocastScope autocast(c_.precision, device_);
      nll += label_smoothed_loss(net_->forward(b.src.to(device_), b.tgt_in.to(device_)), b.tgt_out.to(device_), 0)
                 .nll.item<double>();
      tokens += double(b.tgt_tokens);
    }
    losses.push_back(tokens > 0 ? nll / tokens : 0);
    spdlog::info("validation at step {}: {} loss {:.4f} (perplexity {:.2f})", at_.step, set.name, losses.back(),
                 std::exp(losses.back()));
  }
  SearchOptions quick;
  quick.beam = c_.valid_beam;
  const auto scores = dev_scores(net_, size_t(c_.valid_sentences), quick);
  for (const auto& s : scores)
    spdlog::info("dev {}: en->zh BLEU {:.2f} chrF {:.2f} | zh->en BLEU {:.2f} chrF {:.2f}", s.set, s.bleu_en_zh,
                 s.chrf_en_zh, s.bleu_zh_en, s.chrf_zh_en);
  const double score = combined_score(scores);
  std::ofstream tsv(out_ / "metrics.tsv", std::ios::app);
  tsv << at_.step << '\t' << at_.epoch << '\t' << train_loss_;
  for (size_t i = 0; i < scores.size(); ++i)
    tsv << '\t' << losses[i] << '\t' << scores[i].bleu_en_zh << '\t' << scores[i].chrf_en_zh << '\t'
        << scores[i].bleu_zh_en << '\t' << scores[i].chrf_zh_en;
  tsv << '\t' << score << '\t' << elapsed() << '\n';
  net_->train();
  return score;
}

void Trainer::save_checkpoint() {
  torch::serialize::OutputArchive archive, model, optimizer;
  write_weights(*net_, model);
  optimizer_->save(optimizer);
  archive.write("model", model);
  archive.write("optimizer", optimizer);
  archive.write("step", c10::IValue(at_.step));
  archive.write("epoch", c10::IValue(at_.epoch));
  archive.write("batch", c10::IValue(at_.batch));
  archive.write("best_score", c10::IValue(at_.best_score));
  archive.write("bad_validations", c10::IValue(at_.bad_validations));
  archive.write("elapsed", c10::IValue(elapsed()));
  archive.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  // Written aside and renamed: a kill at any moment leaves the previous checkpoint whole.
  const fs::path target = out_ / "checkpoint.pt", tmp = out_ / "checkpoint.pt.tmp";
  archive.save_to(tmp.string());
  fs::rename(tmp, target);
}

void Trainer::load_checkpoint() {
  const std::string path = (out_ / "checkpoint.pt").string();
  torch::serialize::InputArchive archive, model, optimizer;
  try {
    archive.load_from(path);
    archive.read("model", model);
    archive.read("optimizer", optimizer);
  } catch (const c10::Error&) {
    throw std::runtime_error("checkpoint '" + path + "' is corrupt or truncated");
  }
  read_weights(*net_, model, path);
  optimizer_->load(optimizer);
  auto value = [&](const char* key) {
    c10::IValue v;
    archive.read(key, v);
    return v;
  };
  at_.step = value("step").toInt();
  at_.epoch = value("epoch").toInt();
  at_.batch = value("batch").toInt();
  at_.best_score = value("best_score").toDouble();
  at_.bad_validations = value("bad_validations").toInt();
  at_.elapsed = value("elapsed").toDouble();
  at::Tensor rng;
  archive.read("rng", rng);
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(rng);
  spdlog::info("resumed from step {} (epoch {}, batch {}), {} of training so far", at_.step, at_.epoch + 1, at_.batch,
               format_duration(at_.elapsed));
}

void Trainer::keep_snapshot() {
  const fs::path dir = out_ / "snapshots";
  fs::create_directories(dir);
  const fs::path tmp = dir / "tmp.pt";
  write_weights(*net_, tmp.string());
  char name[32];
  std::snprintf(name, sizeof name, "step-%09ld.pt", long(at_.step));
  fs::rename(tmp, dir / name);
  std::vector<fs::path> all;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("step-", 0) == 0) all.push_back(e.path());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i + size_t(std::max<int64_t>(1, c_.average_last)) < all.size(); ++i) fs::remove(all[i]);
}

std::string Trainer::finish() {
  const fs::path best = out_ / "best", final_dir = out_ / "final";
  if (!fs::exists(best)) save_model(best.string(), net_, *tokenizer_);
  std::vector<std::pair<std::string, Transformer>> candidates{{"best checkpoint", load_model(best.string()).network},
                                                              {"last checkpoint", net_}};
  std::vector<fs::path> snapshots;
  if (fs::exists(out_ / "snapshots"))  // not a tmp.pt a kill left half-written
    for (const auto& e : fs::directory_iterator(out_ / "snapshots"))
      if (e.path().filename().string().rfind("step-", 0) == 0) snapshots.push_back(e.path());
  Transformer trained = net_;  // what fine-tuning produced: the average when there is one
  if (snapshots.size() > 1) {  // average the last checkpoints' weights (Vaswani et al. 2017)
    std::vector<Transformer> nets;
    for (const auto& path : snapshots) {
      nets.emplace_back(c_.model);
      read_weights(*nets.back(), path.string());
    }
    trained = mean_weights(nets, c_.model);
    save_model((out_ / "averaged").string(), trained, *tokenizer_);
    candidates.emplace_back("average of the last " + std::to_string(snapshots.size()), trained);
  }
  if (!c_.init_from.empty()) {  // fine-tuning that does not help leaves the model as it was
    candidates.emplace_back("the model fine-tuned from (" + c_.init_from + ")", start_);
    // Halfway between the start and the fine-tuned weights (WiSE-FT, Wortsman et al. 2022) often
    // keeps more of what the start knew while taking in what fine-tuning taught.
    candidates.emplace_back("halfway between it and the fine-tuned weights", mean_weights({start_, trained}, c_.model));
  }
  // The pick is made on the whole dev set with the search users run: the quick validation (a few
  // hundred sentences, greedy) is too noisy to tell these apart.
  size_t chosen = 0;
  if (!dev_sets_.empty()) {
    SearchOptions search;
    search.beam = c_.final_beam;
    search.length_penalty = c_.final_lenpen;
    const size_t sentences = c_.final_sentences > 0 ? size_t(c_.final_sentences) : SIZE_MAX;
    double best_score = -1;
    for (size_t i = 0; i < candidates.size(); ++i) {
      const auto scores = dev_scores(candidates[i].second, sentences, search);
      const double score = combined_score(scores);
      std::string detail;
      for (const auto& s : scores)
        detail += fmt::format(" | {} {:.2f}/{:.2f}", s.set, s.bleu_en_zh, s.bleu_zh_en);
      spdlog::info("{}: dev BLEU {:.2f} (harmonic mean{}; beam {})", candidates[i].first, score, detail, c_.final_beam);
      if (score > best_score) best_score = score, chosen = i;
    }
  }
  save_model(final_dir.string(), candidates[chosen].second, *tokenizer_);
  spdlog::info("final model: {} ({})", final_dir.string(), candidates[chosen].first);
  return final_dir.string();
}

TrainResult Trainer::run() {
  prepare_tokenizer();
  prepare_data();
  torch::manual_seed(uint64_t(c_.seed));
  if (!c_.init_from.empty()) {  // fine-tuning: that model's network shape; dropout as configured
    ModelPackage start = load_model(c_.init_from);
    start.config.dropout = c_.model.dropout;
    start.config.attention_dropout = c_.model.attention_dropout;
    c_.model = start.config;
    start_ = start.network;
  }
  net_ = Transformer(c_.model);
  if (start_ && !resume_) {
    at::NoGradGuard no_grad;
    auto from = start_->named_parameters();
    for (auto& p : net_->named_parameters()) p.value().copy_(from[p.key()]);
    spdlog::info("fine-tuning {}: its weights and tokenizer, a fresh optimizer and schedule", c_.init_from);
  }
  net_->to(device_);
  net_->train();
  optimizer_ = std::make_unique<torch::optim::Adam>(
      net_->parameters(), torch::optim::AdamOptions(c_.lr).betas({0.9, 0.98}).eps(1e-9));
  if (resume_) load_checkpoint();
  parallel_.broadcast_parameters(net_->parameters());  // every rank starts from rank 0's weights
  if (!parallel_.is_main()) return run_loop();
  std::ofstream(out_ / "config.yaml") << to_yaml(c_);
  if (!fs::exists(out_ / "metrics.tsv")) {  // one row per validation; a group of columns per dev set
    std::ofstream header(out_ / "metrics.tsv");
    header << "step\tepoch\ttrain_nll";
    for (const auto& set : dev_sets_)
      for (const char* column : {"nll", "bleu_en_zh", "chrf_en_zh", "bleu_zh_en", "chrf_zh_en"})
        header << '\t' << set.name << '_' << column;
    header << "\tscore\telapsed_s\n";
  }
  int64_t params = 0;
  for (const auto& p : net_->parameters()) params += p.numel();
  spdlog::info("model: d {} heads {} ffn {} layers {}+{} vocab {} ({:.1f}M parameters), {} precision", c_.model.d_model,
               c_.model.heads, c_.model.ffn, c_.model.enc_layers, c_.model.dec_layers, c_.model.vocab_size,
               double(params) / 1e6, c_.precision);
  return run_loop();
}

TrainResult Trainer::run_loop() {
  g_stop_requested = false;
  auto previous_int = std::signal(SIGINT, request_stop);
  auto previous_term = std::signal(SIGTERM, request_stop);
  TrainResult result;
  bool stop = c_.max_steps > 0 && at_.step >= c_.max_steps;  // resumed after its last step: only finish()
  auto last_log = std::chrono::steady_clock::now();
  double first_elapsed = elapsed();
  int64_t first_step = at_.step;
  int64_t batches_per_epoch = 0;

  while (!stop && at_.epoch < c_.max_epochs) {
    const auto plan = plan_batches(data_->examples(), data_->epoch_sample(uint64_t(c_.seed), at_.epoch),
                                   c_.batch_tokens, uint64_t(c_.seed), at_.epoch);
    batches_per_epoch = int64_t(plan.size());
    while (!stop && at_.batch < int64_t(plan.size())) {
      // One step takes accumulate x world_size batches; rank r trains on every world_size-th.
      // The loss is normalised by the target tokens of the whole step, summed over ranks, so
      // N ranks with batch B take the same step as one process with batch N x B.
      optimizer_->zero_grad();
      const int64_t n = std::min<int64_t>(c_.accumulate * parallel_.world_size(), int64_t(plan.size()) - at_.batch);
      std::vector<int64_t> mine;
      double step_tokens = 0;
      for (int64_t i = parallel_.rank(); i < n; i += parallel_.world_size()) {
        mine.push_back(at_.batch + i);
        for (auto e : plan[size_t(at_.batch + i)]) step_tokens += double(data_->examples().target_length(e));
      }
      const double global_tokens = parallel_.all_reduce_sum(step_tokens);
      for (auto b : mine) train_on(plan[size_t(b)], 1.0 / global_tokens);
      at_.batch += n;
      parallel_.all_reduce_gradients(net_->parameters());
      ++at_.step;
      const double lr = scheduled_lr(c_, at_.step);
      for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
      if (c_.clip_norm > 0) torch::nn::utils::clip_grad_norm_(net_->parameters(), c_.clip_norm);
      optimizer_->step();

      if (at_.step % c_.log_every == 0) {
        const auto now = std::chrono::steady_clock::now();
        const double dt = std::chrono::duration<double>(now - last_log).count();
        train_loss_ = nll_sum_ / std::max(1.0, tokens_);
        // ETA: the nearest of the step, time and epoch limits, at the pace of this run.
        const double per_step = (elapsed() - first_elapsed) / double(std::max<int64_t>(1, at_.step - first_step));
        double eta = double(c_.max_epochs * batches_per_epoch / c_.accumulate - at_.step) * per_step;
        if (c_.max_steps > 0) eta = std::min(eta, double(c_.max_steps - at_.step) * per_step);
        if (c_.max_minutes > 0) eta = std::min(eta, c_.max_minutes * 60 - elapsed());
        spdlog::info("epoch {} | step {} | loss {:.3f} | lr {:.2e} | {:.0f} tok/s | {} elapsed | ETA {}", at_.epoch + 1,
                     at_.step, train_loss_, lr, all_tokens_ / dt, format_duration(elapsed()),
                     format_duration(std::max(0.0, eta)));
        nll_sum_ = tokens_ = all_tokens_ = 0;
        last_log = now;
      }
      const bool out_of_steps = c_.max_steps > 0 && at_.step >= c_.max_steps;
      const bool out_of_time = agree(c_.max_minutes > 0 && elapsed() >= c_.max_minutes * 60);
      const bool last_batch = at_.epoch + 1 >= c_.max_epochs && at_.batch >= int64_t(plan.size());
      if ((at_.step % c_.valid_every == 0 || out_of_steps || out_of_time || last_batch) && parallel_.is_main()) {
        const double score = validate();
        keep_snapshot();
        if (score > at_.best_score) {
          at_.best_score = score;
          at_.bad_validations = 0;
          save_model((out_ / "best").string(), net_, *tokenizer_);
          spdlog::info("new best dev BLEU {:.2f}: saved {}", score, (out_ / "best").string());
        } else if (++at_.bad_validations >= c_.patience && c_.patience > 0) {
          spdlog::info("no dev improvement in {} validations: stopping early", at_.bad_validations);
          stop = true;
        }
        save_checkpoint();
      }
      stop = agree(stop);  // early stopping is decided by rank 0
      if (out_of_steps || out_of_time) stop = true;
      if (agree(g_stop_requested)) {
        if (parallel_.is_main()) save_checkpoint();
        spdlog::warn("interrupted at step {}: checkpoint saved; continue with --resume", at_.step);
        result.interrupted = true;
        stop = true;
      }
    }
    if (at_.batch >= int64_t(plan.size())) {
      ++at_.epoch;
      at_.batch = 0;
    }
  }
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  if (!result.interrupted && parallel_.is_main()) {
    save_checkpoint();
    result.model_folder = finish();
  }
  parallel_.barrier();
  return result;
}

}  // namespace

TrainResult train_model(const TrainConfig& config, bool resume, const DistributedOptions& distributed) {
  return Trainer(config, resume, distributed).run();
}

}  // namespace mt
