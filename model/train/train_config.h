// Every training setting, read from YAML (as Marian/OpenNMT/fairseq users expect) and overridable
// with key=value on the command line; the effective config is written beside the checkpoints.
#pragma once
#include <string>
#include <vector>

#include "model/network/config.h"
#include "model/train/corpus.h"

namespace mt {

struct TrainConfig {
  // data
  std::string data;                 // folder that relative train/dev/glossary paths are read from
  // TSV files or .en/.zh prefixes (gzip too), each with its weight: in YAML a path, or
  // {path: P, weight: W, strip_markup: true}
  std::vector<DataSource> train;
  std::vector<std::string> dev;     // .en/.zh prefixes; each is validated and reported on its own
  std::string tokenizer;            // SentencePiece model; trained from `train` when missing
  std::string glossary;             // english_gloss<TAB>chinese dictionary pairs added to `train`
  int64_t glossary_max_words = 3;   // glosses of at most N words
  int64_t glossary_max_senses = 3;  // leave out glosses/words with more renderings than this
  std::string init_from;            // model folder to fine-tune: its weights, network and tokenizer
  int64_t vocab_size = 8000;
  std::string output = "runs/model";
  int64_t max_tokens = 100;
  double max_ratio = 3.0;
  // network
  ModelConfig model;
  // optimisation
  int64_t batch_tokens = 4096;      // per batch, max(src, tgt) x sentences (fairseq --max-tokens)
  int64_t accumulate = 1;
  double lr = 1e-3;
  int64_t warmup = 1000;
  int64_t decay_steps = 0;          // the last N steps before max_steps take the rate linearly to 0
  double label_smoothing = 0.1;
  double clip_norm = 1.0;
  std::string precision = "auto";   // bf16 autocast with fp32 master weights, fp16 (CUDA only), fp32, or
                                    // auto: bf16 where its products are the faster (resolve_precision)
  std::string device = "cpu";       // cpu, cuda, cuda:N (with a CUDA build of LibTorch)
  int64_t seed = 1;
  // length of the run: whichever comes first
  int64_t max_epochs = 100;
  int64_t max_steps = 0;            // 0 = no limit
  double max_minutes = 0;           // 0 = no limit
  // validation and checkpoints
  int64_t valid_every = 500;
  int64_t valid_sentences = 400;    // dev sentences translated per direction
  int64_t valid_beam = 1;
  int64_t patience = 10;            // validations without a better dev BLEU before stopping; 0 = never
  int64_t average_last = 3;
  // The final model is the best checkpoint, the last one or their average, whichever scores best
  // on the whole dev set with this search (mt translate's defaults).
  int64_t final_beam = 4;
  double final_lenpen = 2.0;
  int64_t final_sentences = 0;      // dev pairs per set for that pick (0 = all)
  int64_t log_every = 50;
  int64_t threads = 0;              // 0 = every core
};

TrainConfig load_train_config(const std::string& yaml_path);
// "key=value", with nested keys as model.d_model; throws on an unknown key or a bad value.
void apply_override(TrainConfig& config, const std::string& assignment);
std::string to_yaml(const TrainConfig& config);
void validate(const TrainConfig& config);
// `path` as read: relative paths are taken from config.data when it is set, except those that
// start with "./" (data a recipe made, such as back-translations), taken from the working folder.
std::string data_path(const TrainConfig& config, const std::string& path);

}  // namespace mt
