// mt tokenizer train | encode | decode
#include <iostream>

#include "app/command.h"
#include "model/package/model_package.h"
#include "tokenizer/tokenizer.h"

namespace mt::app {

namespace {
// A .model file, or a model folder's tokenizer.
Tokenizer open_tokenizer(const std::string& path) {
  const std::string p = model_or_default(path);
  return Tokenizer::load(p.size() > 6 && p.compare(p.size() - 6, 6, ".model") == 0 ? p : p + "/tokenizer.model");
}
}  // namespace

Run add_tokenizer_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("tokenizer", "Train or apply the SentencePiece tokenizer");
  cmd->require_subcommand(1);
  struct Options {
    std::vector<std::string> inputs;
    std::string prefix, model, type = "unigram";
    int vocab = 8000;
    bool ids = false;
  };
  auto o = std::make_shared<Options>();
  auto* train = cmd->add_subcommand("train", "Train a joint English+Chinese tokenizer from text files");
  train->add_option("inputs", o->inputs, "Text files, one sentence per line")->required()->check(CLI::ExistingFile);
  train->add_option("-o,--output", o->prefix, "Output prefix: writes PREFIX.model and PREFIX.vocab")->required();
  train->add_option("--vocab-size", o->vocab, "Vocabulary size")->check(CLI::Range(100, 1000000));
  train->add_option("--type", o->type, "unigram or bpe")->check(CLI::IsMember({"unigram", "bpe"}));
  auto* encode = cmd->add_subcommand("encode", "Print the pieces (or ids) of each stdin line");
  encode->add_option("-m,--model", o->model, "Model folder or .model file (default: the shipped model)");
  encode->add_flag("--ids", o->ids, "Print ids instead of pieces");
  auto* decode = cmd->add_subcommand("decode", "Turn lines of ids on stdin back into text");
  decode->add_option("-m,--model", o->model, "Model folder or .model file (default: the shipped model)");

  return [o, train, encode, decode]() {
    if (train->parsed()) {
      TokenizerTrainOptions options;
      options.inputs = o->inputs;
      options.model_prefix = o->prefix;
      options.vocab_size = o->vocab;
      options.model_type = o->type;
      Tokenizer::train(options);
      std::cerr << "wrote " << o->prefix << ".model\n";
      return 0;
    }
    const Tokenizer tokenizer = open_tokenizer(o->model);
    std::string line;
    while (std::getline(std::cin, line)) {
      if (encode->parsed()) {
        const char* sep = "";
        if (o->ids) {
          for (int id : tokenizer.encode(line)) std::cout << sep << id, sep = " ";
        } else {
          for (const auto& piece : tokenizer.encode_pieces(line)) std::cout << sep << piece, sep = " ";
        }
      } else if (decode->parsed()) {
        std::vector<int> ids;
        std::istringstream in(line);
        for (std::string word; in >> word;) {
          try {
            ids.push_back(std::stoi(word));
          } catch (const std::exception&) {
            throw UsageError("not a token id: '" + word + "'");
          }
        }
        std::cout << tokenizer.decode(ids);
      }
      std::cout << '\n';
    }
    return 0;
  };
}

}  // namespace mt::app
