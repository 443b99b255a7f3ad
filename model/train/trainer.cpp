#include "model/train/trainer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>

#include "model/package/model_package.h"
#include "model/train/batcher.h"
#include "model/train/checkpoint.h"
#include "model/train/final_pick.h"
#include "model/train/glossary.h"
#include "model/train/loss.h"
#include "model/train/mixed_precision.h"
#include "model/train/training_data.h"
#include "model/train/validation.h"

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
  std::string finish();
  double elapsed() const;

  TrainConfig c_;
  fs::path out_;
  bool resume_;
  c10::Device device_;
  std::string precision_;  // the config's, "auto" resolved for this device
  DataParallel parallel_;
  std::optional<Tokenizer> tokenizer_;
  std::unique_ptr<TrainingData> data_;
  std::vector<DevSet> dev_sets_;
  std::unique_ptr<MetricsLog> metrics_;
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
      precision_(resolve_precision(config.precision, device_)), parallel_(distributed) {
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
    write_tokenizer_corpus(train_sources(), corpus.string(), uint64_t(c_.seed));
    TokenizerTrainOptions options;
    options.inputs = {corpus.string()};
    for (const auto& source : c_.train)
      if (!source.tag.empty() && std::find(options.control_symbols.begin(), options.control_symbols.end(),
                                           tag_piece(source.tag)) == options.control_symbols.end())
        options.control_symbols.push_back(tag_piece(source.tag));
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
    DevSet set = load_dev_set(data_path(c_, path), *tokenizer_, {c_.max_tokens, c_.max_ratio, false});
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
    AutocastScope autocast(precision_, device_);
    logits = net_->forward(b.src.to(device_), b.tgt_in.to(device_));
  }
  auto loss = label_smoothed_loss(logits, b.tgt_out.to(device_), c_.label_smoothing);
  (loss.smoothed * scale).backward();
  nll_sum_ += loss.nll.item<double>();
  tokens_ += double(b.tgt_tokens);
  all_tokens_ += double(b.src_tokens + b.tgt_tokens);
}

double Trainer::validate() {
  net_->eval();
  std::vector<double> losses;
  for (const auto& set : dev_sets_) {
    losses.push_back(dev_loss(net_, set, c_.batch_tokens, precision_, device_));
    spdlog::info("validation at step {}: {} loss {:.4f} (perplexity {:.2f})", at_.step, set.name, losses.back(),
                 std::exp(losses.back()));
  }
  SearchOptions quick;
  quick.beam = c_.valid_beam;
  const auto scores = dev_scores(net_, *tokenizer_, dev_sets_, size_t(c_.valid_sentences), quick);
  for (const auto& s : scores)
    spdlog::info("dev {}: en->zh BLEU {:.2f} chrF {:.2f} | zh->en BLEU {:.2f} chrF {:.2f}", s.set, s.bleu_en_zh,
                 s.chrf_en_zh, s.bleu_zh_en, s.chrf_zh_en);
  const double score = combined_score(scores);
  metrics_->write(at_.step, at_.epoch, train_loss_, losses, scores, score, elapsed());
  net_->train();
  return score;
}

void Trainer::save_checkpoint() {
  at_.elapsed = elapsed();
  started_ = std::chrono::steady_clock::now();  // at_.elapsed holds the time until now: count it once
  mt::save_checkpoint((out_ / "checkpoint.pt").string(), net_, *optimizer_, at_);
}

std::string Trainer::finish() {
  const fs::path best = out_ / "best", final_dir = out_ / "final";
  if (!fs::exists(best)) save_model(best.string(), net_, *tokenizer_);
  std::vector<Candidate> candidates{{"best checkpoint", load_model(best.string()).network}, {"last checkpoint", net_}};
  const auto snapshots = list_snapshots((out_ / "snapshots").string());
  Transformer trained = net_;  // what fine-tuning produced: the average when there is one
  if (snapshots.size() > 1) {  // average the last checkpoints' weights (Vaswani et al. 2017)
    std::vector<Transformer> nets;
    for (const auto& path : snapshots) {
      nets.emplace_back(c_.model);
      read_weights(*nets.back(), path);
    }
    trained = mean_weights(nets, c_.model);
    save_model((out_ / "averaged").string(), trained, *tokenizer_);
    candidates.push_back({"average of the last " + std::to_string(snapshots.size()), trained});
  }
  if (!c_.init_from.empty()) {  // fine-tuning that does not help leaves the model as it was
    candidates.push_back({"the model fine-tuned from (" + c_.init_from + ")", start_});
    // Halfway between the start and the fine-tuned weights (WiSE-FT, Wortsman et al. 2022) often
    // keeps more of what the start knew while taking in what fine-tuning taught.
    candidates.push_back({"halfway between it and the fine-tuned weights", mean_weights({start_, trained}, c_.model)});
  }
  // The pick is made on the whole dev sets with the search users run: the quick validation (a few
  // hundred sentences, greedy) is too noisy to tell these apart.
  size_t chosen = 0;
  if (!dev_sets_.empty()) {
    SearchOptions search;
    search.beam = c_.final_beam;
    search.length_penalty = c_.final_lenpen;
    const size_t sentences = c_.final_sentences > 0 ? size_t(c_.final_sentences) : SIZE_MAX;
    std::vector<DevScores> scores;
    chosen = pick_best(
        candidates,
        [&](Transformer& net) {
          scores = dev_scores(net, *tokenizer_, dev_sets_, sentences, search);
          return combined_score(scores);
        },
        [&](const Candidate& c, double score) {
          std::string detail;
          for (const auto& s : scores) detail += fmt::format(" | {} {:.2f}/{:.2f}", s.set, s.bleu_en_zh, s.bleu_zh_en);
          spdlog::info("{}: dev BLEU {:.2f} (harmonic mean{}; beam {})", c.name, score, detail, c_.final_beam);
        });
  }
  save_model(final_dir.string(), candidates[chosen].network, *tokenizer_);
  spdlog::info("final model: {} ({})", final_dir.string(), candidates[chosen].name);
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
  if (resume_) {
    at_ = load_checkpoint((out_ / "checkpoint.pt").string(), net_, *optimizer_);
    spdlog::info("resumed from step {} (epoch {}, batch {}), {} of training so far", at_.step, at_.epoch + 1, at_.batch,
                 format_duration(at_.elapsed));
  }
  parallel_.broadcast_parameters(net_->parameters());  // every rank starts from rank 0's weights
  if (!parallel_.is_main()) return run_loop();
  std::ofstream(out_ / "config.yaml") << to_yaml(c_);
  metrics_ = std::make_unique<MetricsLog>((out_ / "metrics.tsv").string(), dev_sets_);
  int64_t params = 0;
  for (const auto& p : net_->parameters()) params += p.numel();
  spdlog::info("model: d {} heads {} ffn {} layers {}+{} vocab {} ({:.1f}M parameters), {} precision{}",
               c_.model.d_model, c_.model.heads, c_.model.ffn, c_.model.enc_layers, c_.model.dec_layers,
               c_.model.vocab_size, double(params) / 1e6, precision_, c_.precision == "auto" ? " (auto)" : "");
  return run_loop();
}

TrainResult Trainer::run_loop() {
  g_stop_requested = false;
  auto previous_int = std::signal(SIGINT, request_stop);
  auto previous_term = std::signal(SIGTERM, request_stop);
  TrainResult result;
  bool stop = c_.max_steps > 0 && at_.step >= c_.max_steps;  // resumed after its last step: only finish()
  auto last_log = std::chrono::steady_clock::now();
  int64_t last_log_step = at_.step;
  int64_t batches_per_epoch = 0;

  while (!stop && at_.epoch < c_.max_epochs) {
    const auto plan = plan_batches(data_->examples(), data_->epoch_sample(uint64_t(c_.seed), at_.epoch),
                                   c_.batch_tokens, uint64_t(c_.seed), at_.epoch);
    batches_per_epoch = int64_t(plan.size());
    while (!stop && at_.batch < int64_t(plan.size())) {
      // One step takes accumulate x world_size batches; rank r trains on every world_size-th.
      // The loss is normalised by the target tokens of the whole step, summed over ranks, so
      // N ranks with batch B take the same step as one process with batch N x B.
      // Gradients dropped rather than zeroed: the first backward writes them instead of adding to zeros.
      for (auto& p : net_->parameters()) p.mutable_grad().reset();
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
        // Loss and tokens/s of the whole job: every rank's share of the step counted.
        train_loss_ = parallel_.all_reduce_sum(nll_sum_) / std::max(1.0, parallel_.all_reduce_sum(tokens_));
        const double tokens_per_s = parallel_.all_reduce_sum(all_tokens_) / dt;
        // ETA: the nearest of the step, time and epoch limits, at the pace since the last log line
        // (a run paused with SIGSTOP is off for one line, not for the rest of the run). A step
        // takes accumulate x world_size batches.
        const double per_step = dt / double(std::max<int64_t>(1, at_.step - last_log_step));
        const double steps_per_epoch = double(batches_per_epoch) / double(c_.accumulate * parallel_.world_size());
        double eta = (double(c_.max_epochs) * steps_per_epoch - double(at_.step)) * per_step;
        if (c_.max_steps > 0) eta = std::min(eta, double(c_.max_steps - at_.step) * per_step);
        if (c_.max_minutes > 0) eta = std::min(eta, c_.max_minutes * 60 - elapsed());
        spdlog::info("epoch {} | step {} | loss {:.3f} | lr {:.2e} | {:.0f} tok/s | {} elapsed | ETA {}", at_.epoch + 1,
                     at_.step, train_loss_, lr, tokens_per_s, format_duration(elapsed()),
                     format_duration(std::max(0.0, eta)));
        nll_sum_ = tokens_ = all_tokens_ = 0;
        last_log = now;
        last_log_step = at_.step;
      }
      const bool out_of_steps = c_.max_steps > 0 && at_.step >= c_.max_steps;
      const bool out_of_time = agree(c_.max_minutes > 0 && elapsed() >= c_.max_minutes * 60);
      const bool last_batch = at_.epoch + 1 >= c_.max_epochs && at_.batch >= int64_t(plan.size());
      if ((at_.step % c_.valid_every == 0 || out_of_steps || out_of_time || last_batch) && parallel_.is_main()) {
        const double score = validate();
        keep_snapshot((out_ / "snapshots").string(), net_, at_.step, c_.average_last);
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
