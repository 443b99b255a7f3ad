// mt bench decode | train: the same synthetic work as ../shared/tools/ref_transformer.py
// (random weights, same shapes and flags, same JSON keys), so the two can be compared run by run.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/optim/adam.h>

#include "app/command.h"
#include "model/search/search.h"
#include "model/train/loss.h"
#include "model/train/mixed_precision.h"
#include "tokenizer/tokenizer.h"

namespace mt::app {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct BenchOptions {
  ModelConfig model;
  int64_t beam = 4, batch_size = 32, sentences = 64, force_steps = 0;
  bool greedy = false, json = false;
  std::string compute_type = "float32";
  int64_t batch_tokens = 4096, src_len = 16, tgt_len = 18, steps = 30, warmup_steps = 3;
  std::string precision = "auto";  // as training's recipes
  std::string trace;  // LibTorch profiler's trace of the timed training steps (chrome://tracing)
  int64_t seed = 1;
};

double mm_peak_gflops(at::ScalarType type) {  // a 1024^3 matrix product on the same threads, for the efficiency ratios
  auto x = at::randn({1024, 1024}).to(type), y = at::randn({1024, 1024}).to(type);
  at::mm(x, y);
  at::mm(x, y);
  const auto t = Clock::now();
  for (int i = 0; i < 20; ++i) at::mm(x, y);
  return 2.0 * 1024 * 1024 * 1024 * 20 / seconds_since(t) / 1e9;
}

nlohmann::json bench_decode(const BenchOptions& o) {
  torch::manual_seed(uint64_t(o.seed));
  Transformer net(o.model);
  net->eval();
  const auto compute_type = resolve_compute_type(parse_compute_type(o.compute_type), c10::kCPU);
  net->set_compute_type(compute_type);
  // The reference's sentences: torch's CPU generator seeded alike gives the same lengths (5-30).
  auto generator = at::detail::createCPUGenerator(uint64_t(o.seed));
  const auto lengths = at::randint(5, 31, {o.sentences}, generator, at::kLong);
  std::vector<std::vector<int64_t>> sentences;
  int64_t src_tokens = 0;
  for (int64_t i = 0; i < o.sentences; ++i) {
    const auto s = at::randint(6, o.model.vocab_size, {lengths[i].item<int64_t>()}, generator, at::kLong);
    sentences.emplace_back(s.data_ptr<int64_t>(), s.data_ptr<int64_t>() + s.numel());
    src_tokens += s.numel();
  }
  std::stable_sort(sentences.begin(), sentences.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::vector<at::Tensor> batches;
  for (size_t i = 0; i < sentences.size(); i += size_t(o.batch_size)) {
    const size_t end = std::min(sentences.size(), i + size_t(o.batch_size));
    auto batch = at::full({int64_t(end - i), int64_t(sentences[i].size())}, int64_t(SpecialIds::pad), at::kLong);
    for (size_t r = i; r < end; ++r) batch[int64_t(r - i)].narrow(0, 0, int64_t(sentences[r].size())).copy_(at::tensor(sentences[r]));
    batches.push_back(batch);
  }
  SearchOptions search_options;
  search_options.beam = o.greedy ? 1 : o.beam;
  search_options.max_len_a = 1.2;
  if (o.force_steps > 0) {  // exactly N steps, as the reference's --force-steps: no EOS before the limit
    search_options.min_length = search_options.max_len_b = o.force_steps;
    search_options.max_len_a = 0;
  }
  c10::InferenceMode guard;
  search(net, batches.front(), search_options);  // warm-up
  int64_t out_tokens = 0;
  const auto start = Clock::now();
  for (const auto& b : batches)
    for (const auto& hyps : search(net, b, search_options)) out_tokens += int64_t(hyps[0].tokens.size());
  const double dt = seconds_since(start);
  return {{"mode", "decode-bench"}, {"search", o.greedy ? "greedy" : "beam" + std::to_string(o.beam)},
          {"compute_type", compute_type_name(compute_type)}, {"sentences", o.sentences}, {"src_tokens", src_tokens},
          {"out_tokens", out_tokens}, {"seconds", dt}, {"sentences_per_s", double(o.sentences) / dt},
          {"tgt_tokens_per_s", double(out_tokens) / dt}, {"threads", at::get_num_threads()}};
}

nlohmann::json bench_train(const BenchOptions& o) {
  const auto precision = resolve_precision(o.precision, c10::kCPU);
  torch::manual_seed(uint64_t(o.seed));
  Transformer net(o.model);
  net->train();
  const int64_t n = std::max<int64_t>(1, o.batch_tokens / std::max(o.src_len, o.tgt_len));
  struct Batch { at::Tensor src, tgt_in, tgt; };
  std::vector<Batch> batches;
  for (int i = 0; i < 4; ++i) {
    auto src = at::randint(6, o.model.vocab_size, {n, o.src_len}, at::kLong);
    auto tgt = at::randint(6, o.model.vocab_size, {n, o.tgt_len}, at::kLong);
    tgt.select(1, o.tgt_len - 1).fill_(SpecialIds::eos);
    auto tgt_in = at::cat({at::full({n, 1}, int64_t(SpecialIds::bos), at::kLong), tgt.narrow(1, 0, o.tgt_len - 1)}, 1);
    batches.push_back({src, tgt_in, tgt});
  }
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(5e-4).betas({0.9, 0.98}).eps(1e-9));
  std::vector<double> times;
  // Where a step's time goes, averaged over the timed steps. "data" is the batch's copy in (a real
  // run's collate; these batches are made up front) and dropping the last step's gradients.
  std::map<std::string, double> phases;
  double first_loss = 0, last_loss = 0;
  if (!o.trace.empty() && !std::ofstream(o.trace)) throw std::runtime_error("--trace: cannot write " + o.trace);
  std::unique_ptr<torch::autograd::profiler::RecordProfile> trace;
  for (int64_t step = 0; step < o.warmup_steps + o.steps; ++step) {
    const bool timed = step >= o.warmup_steps;
    if (step == o.warmup_steps && !o.trace.empty())
      trace = std::make_unique<torch::autograd::profiler::RecordProfile>(o.trace);
    auto t = Clock::now();
    auto phase = [&](const char* name) {
      if (timed) phases[name] += seconds_since(t);
      t = Clock::now();
    };
    const auto start = t;
    const auto& stored = batches[size_t(step % 4)];
    const Batch b{stored.src.clone(), stored.tgt_in.clone(), stored.tgt.clone()};
    for (auto& p : net->parameters()) p.mutable_grad().reset();  // as the trainer does
    phase("data");
    at::Tensor logits;
    {
      AutocastScope autocast(precision, at::kCPU);
      logits = net->forward(b.src, b.tgt_in);
    }
    phase("forward");
    auto loss = label_smoothed_loss(logits, b.tgt, 0.1);
    auto mean = loss.smoothed / double(n * o.tgt_len);
    phase("loss");
    mean.backward();
    phase("backward");
    adam.step();
    phase("optimizer");
    last_loss = mean.item<double>();
    if (step == 0) first_loss = last_loss;
    if (timed) times.push_back(seconds_since(start));
  }
  trace.reset();  // writes the file
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  // Matrix-product FLOPs per step, counted as the reference counts them (fwd + bwd = 3x fwd).
  const double d = double(o.model.d_model), S = double(n * o.src_len), T = double(n * o.tgt_len);
  const double enc = double(o.model.enc_layers) * (4 * d * d + 2 * d * double(o.model.ffn));
  const double dec = double(o.model.dec_layers) * (8 * d * d + 2 * d * double(o.model.ffn));
  const double out = double(o.model.vocab_size) * d;
  const double attn = 3.0 * 4 * double(n) * d *
                      (double(o.model.enc_layers) * double(o.src_len * o.src_len) +
                       double(o.model.dec_layers) * double(o.tgt_len * o.tgt_len + o.tgt_len * o.src_len));
  const double flops = 6 * (enc * S + (dec + out) * T) + attn;
  const double fp32_peak = mm_peak_gflops(at::kFloat), bf16_peak = mm_peak_gflops(at::kBFloat16);
  const double gflops = flops / median / 1e9;
  nlohmann::json profile;
  for (const auto& [name, seconds] : phases) profile[name + "_ms"] = 1e3 * seconds / double(times.size());
  return {{"mode", "train-bench"}, {"precision", precision}, {"sentences_per_batch", n},
          {"ms_per_step_median", median * 1e3}, {"src_tgt_tokens_per_s", (S + T) / median},
          {"tgt_tokens_per_s", T / median}, {"gflops_per_s", gflops}, {"mm1024_peak_gflops_per_s", fp32_peak},
          {"mm1024_bf16_peak_gflops_per_s", bf16_peak}, {"efficiency_vs_mm_peak", gflops / fp32_peak},
          {"efficiency_vs_bf16_mm_peak", gflops / bf16_peak}, {"step_profile", profile},
          {"loss_first", first_loss}, {"loss_last", last_loss}, {"threads", at::get_num_threads()}};
}

void add_model_flags(CLI::App* cmd, BenchOptions& o) {
  o.model.d_model = 512, o.model.heads = 8, o.model.ffn = 2048, o.model.enc_layers = 6, o.model.dec_layers = 6;
  o.model.vocab_size = 16000, o.model.max_positions = 1024;
  for (const auto& f : model_config_fields())
    if (f.flag) std::visit([&](auto member) { cmd->add_option(f.flag, o.model.*member, f.help)->capture_default_str(); }, f.member);
  cmd->add_option("--seed", o.seed, "Seed of the random weights and inputs")->capture_default_str();
  cmd->add_flag("--json", o.json, "Print one JSON line");
}

}  // namespace

Run add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Synthetic speed benchmarks, comparable with ref_transformer.py");
  cmd->require_subcommand(1);
  auto o = std::make_shared<BenchOptions>();
  auto* decode = cmd->add_subcommand("decode", "Beam or greedy decoding of random sources with random weights");
  add_model_flags(decode, *o);
  decode->add_option("--beam", o->beam, "Beam size")->capture_default_str()->check(CLI::Range(1, 64));
  decode->add_flag("--greedy", o->greedy, "Greedy decoding (beam 1, no beam bookkeeping)");
  decode->add_option("--batch-size", o->batch_size, "Sentences decoded together")->capture_default_str()->check(CLI::Range(1, 100000));
  decode->add_option("--sentences", o->sentences, "Random source sentences in all")->capture_default_str()->check(CLI::Range(1, 10000000));
  decode->add_option("--force-steps", o->force_steps, "Decode exactly N steps, EOS suppressed")->check(CLI::Range(0, 1000));
  decode->add_option("--compute-type", o->compute_type, "Number type of the decoder's products")->capture_default_str()->check(CLI::IsMember(compute_type_names()));
  auto* train = cmd->add_subcommand("train", "Optimizer steps on synthetic batches");
  add_model_flags(train, *o);
  train->add_option("--batch-tokens", o->batch_tokens, "Tokens per batch, as sentences of the longer length")->capture_default_str()->check(CLI::Range(16, 10000000));
  train->add_option("--src-len", o->src_len, "Tokens in every source sentence")->capture_default_str()->check(CLI::Range(2, 1000));
  train->add_option("--tgt-len", o->tgt_len, "Tokens in every target sentence")->capture_default_str()->check(CLI::Range(2, 1000));
  train->add_option("--steps", o->steps, "Timed optimizer steps (after warm-up steps)")->capture_default_str()->check(CLI::Range(1, 100000));
  train->add_option("--precision", o->precision, "Training precision (auto: bf16 where its products are the faster)")->capture_default_str()->check(CLI::IsMember({"auto", "bf16", "fp32"}));
  train->add_option("--trace", o->trace, "Write LibTorch's profile of the timed steps here (chrome://tracing JSON; slows them)");
  return [o, decode]() {
    auto result = decode->parsed() ? bench_decode(*o) : bench_train(*o);
    if (o->json) {
      std::cout << result.dump() << '\n';
    } else {
      for (auto& [key, value] : result.items()) std::cout << key << ": " << value.dump() << '\n';
    }
    return 0;
  };
}

}  // namespace mt::app
