// mt train-aligner -c RECIPE.yaml [--set data=DIR] [--pairs-per-source N] -o aligner.bin
// The word aligner (model/align) trained on a sample of a training recipe's parallel sources:
// every source the same number of pairs at most, so the documentation and subtitles that dominate
// the corpus do not drown out the rest. Back-translations (one-direction sources) are synthetic and
// left out.
#include <random>

#include <spdlog/spdlog.h>

#include "app/command.h"
#include "model/align/word_aligner.h"
#include "model/train/corpus.h"
#include "model/train/train_config.h"

namespace mt::app {

Run add_train_aligner_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train-aligner", "Train the word aligner that places markup (aligner.bin beside a model)");
  struct Options {
    std::string config, output;
    std::vector<std::string> overrides;
    size_t pairs_per_source = 20000;
    AlignerTrainOptions train;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("-c,--config", o->config, "The training recipe (YAML) whose `train:` sources to read")->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", o->overrides, "Override a recipe setting: key=value (e.g. --set data=../shared/data)");
  cmd->add_option("-o,--output", o->output, "The aligner file to write")->required();
  cmd->add_option("--pairs-per-source", o->pairs_per_source, "Pairs sampled from each source at most")->check(CLI::Range(1, 10000000));
  cmd->add_option("--iterations", o->train.iterations, "EM iterations")->check(CLI::Range(1, 50));
  cmd->add_option("--model1-iterations", o->train.model1_iterations, "The first of them without the diagonal prior")
      ->check(CLI::Range(0, 50));
  cmd->add_option("--min-probability", o->train.min_probability, "Table entries below it in both directions are dropped")
      ->check(CLI::Range(0.0, 1.0));
  return [o]() {
    TrainConfig config = load_train_config(o->config);
    for (const auto& kv : o->overrides) apply_override(config, kv);
    WordAlignerTrainer trainer;
    std::mt19937_64 random(1);
    for (DataSource source : config.train) {
      if (source.direction != Direction::both) continue;
      source.path = data_path(config, source.path);
      // Reservoir sampling: a uniform sample of the source in bounded memory.
      std::vector<SentencePair> sample;
      size_t seen = 0;
      for_each_pair(source, [&](SentencePair& pair) {
        ++seen;
        if (sample.size() < o->pairs_per_source) {
          sample.push_back(std::move(pair));
        } else {
          const size_t slot = std::uniform_int_distribution<size_t>(0, seen - 1)(random);
          if (slot < sample.size()) sample[slot] = std::move(pair);
        }
      });
      size_t added = 0;
      for (const auto& pair : sample) added += trainer.add(pair.en, pair.zh, o->train.max_tokens);
      spdlog::info("{}: {} of {} pairs", source.name(), added, seen);
    }
    if (trainer.pairs() == 0) throw UsageError("the recipe's sources hold no pairs to train on");
    const WordAligner aligner = trainer.train(o->train, [](const std::string& line) { spdlog::info("{}", line); });
    aligner.save(o->output);
    spdlog::info("wrote {}: {} words, {} word pairs", o->output, aligner.vocabulary_size(), aligner.table_size());
    return 0;
  };
}

}  // namespace mt::app
