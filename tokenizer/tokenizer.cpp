#include "tokenizer/tokenizer.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

// Not in SentencePiece's public headers, but exported by libsentencepiece (util.cc): the only way
// to silence the INFO lines it prints when loading a model ("precompiled_charsmap is empty").
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}

namespace mt {
namespace {

constexpr int kSpmWarningLevel = 1;  // SentencePiece log levels: 0 INFO, 1 WARNING, 2 ERROR

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read tokenizer model '" + path + "': cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The fixed ids of SpecialIds, checked on every model so that a foreign SentencePiece model
// cannot silently shift the tags the network was trained with.
void check_special_ids(const sentencepiece::SentencePieceProcessor& sp) {
  const std::pair<const char*, int> expected[] = {{"<pad>", SpecialIds::pad}, {"<s>", SpecialIds::bos},
                                                  {"</s>", SpecialIds::eos}, {"<unk>", SpecialIds::unk},
                                                  {"<2zh>", SpecialIds::to_zh}, {"<2en>", SpecialIds::to_en}};
  for (const auto& [piece, id] : expected) {
    if (sp.PieceToId(piece) != id) {
      throw std::runtime_error(std::string("not an mt tokenizer: '") + piece + "' has id " +
                               std::to_string(sp.PieceToId(piece)) + " instead of " + std::to_string(id));
    }
  }
}

// Removes the temporary training corpus however train() ends.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

}  // namespace

Tokenizer::Tokenizer() : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::load(const std::string& path) {
  const std::string bytes = read_file(path);
  try {
    return from_bytes(bytes);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read tokenizer model '" + path + "': " + e.what());
  }
}

Tokenizer Tokenizer::from_bytes(const std::string& bytes) {
  sentencepiece::logging::SetMinLogLevel(kSpmWarningLevel);
  Tokenizer tokenizer;
  const auto status = tokenizer.sp_->LoadFromSerializedProto(bytes);
  if (!status.ok()) throw std::runtime_error("invalid SentencePiece model: " + status.ToString());
  check_special_ids(*tokenizer.sp_);
  tokenizer.bytes_ = bytes;
  return tokenizer;
}

void Tokenizer::train(const TokenizerTrainOptions& options) {
  if (options.inputs.empty()) throw std::runtime_error("tokenizer training needs at least one input file");
  if (options.model_prefix.empty()) throw std::runtime_error("tokenizer training needs a model prefix");

  // SentencePiece runs with the identity rule, so it must see exactly what encode() will feed it.
  TempFile corpus;
  {
    std::string pattern = (std::filesystem::temp_directory_path() / "mt-spm-corpus-XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file for tokenizer training");
    close(fd);
    corpus.path = pattern;
  }
  {
    std::ofstream out(corpus.path, std::ios::binary);
    size_t lines = 0;
    for (const auto& input : options.inputs) {
      std::ifstream in(input, std::ios::binary);
      if (!in) throw std::runtime_error("cannot read tokenizer training input '" + input + "'");
      std::string line;
      while (std::getline(in, line)) {
        const std::string normalized = normalize(line);
        if (normalized.empty()) continue;
        out << normalized << '\n';
        ++lines;
      }
    }
    out.close();
    if (!out) throw std::runtime_error("cannot write the temporary corpus '" + corpus.path + "'");
    if (lines == 0) throw std::runtime_error("tokenizer training inputs contain no text");
  }

  sentencepiece::SetRandomGeneratorSeed(static_cast<unsigned int>(options.seed));
  std::string control_symbols = "<2zh>,<2en>";
  for (const auto& piece : options.control_symbols) {
    if (piece.empty() || piece.find(',') != std::string::npos)
      throw std::runtime_error("tokenizer control symbol '" + piece + "': empty or with a comma");
    control_symbols += "," + piece;
  }
  const std::unordered_map<std::string, std::string> args = {
      {"input", corpus.path},
      {"model_prefix", options.model_prefix},
      {"model_type", options.model_type},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"character_coverage", std::to_string(options.character_coverage)},
      {"input_sentence_size", std::to_string(options.input_sentence_size)},
      {"shuffle_input_sentence", "true"},
      {"byte_fallback", "true"},  // no <unk> for rare characters or emoji: they become bytes
      {"split_digits", "true"},
      {"normalization_rule_name", "identity"},  // normalize() did the work; nmt_nfkc would eat ，。
      {"pad_id", "0"}, {"bos_id", "1"}, {"eos_id", "2"}, {"unk_id", "3"},
      // Control symbols (not user-defined ones) so that a literal "<2en>" typed in the input is
      // never read as a tag; they get the next ids, 4 and 5.
      {"control_symbols", control_symbols},
      {"hard_vocab_limit", "false"},  // a small corpus may not fill the vocabulary
      {"num_threads", "2"},
      {"minloglevel", std::to_string(kSpmWarningLevel)},
  };
  const auto status = sentencepiece::SentencePieceTrainer::Train(args);
  if (!status.ok()) throw std::runtime_error("tokenizer training failed: " + status.ToString());

  load(options.model_prefix + ".model");  // checks the special ids
}

std::vector<int> Tokenizer::encode(const std::string& text) const {
  return sp_->EncodeAsIds(normalize(text));
}

std::vector<std::string> Tokenizer::encode_pieces(const std::string& text) const {
  return sp_->EncodeAsPieces(normalize(text));
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  // Control pieces (pad, bos, eos, tags) and ids outside the vocabulary are dropped; <unk> stays
  // visible as " ⁇ ".
  std::vector<int> kept;
  kept.reserve(ids.size());
  const int size = sp_->GetPieceSize();
  for (int id : ids) {
    if (id >= 0 && id < size && !sp_->IsControl(id)) kept.push_back(id);
  }
  return sp_->DecodeIds(kept);
}

int Tokenizer::vocab_size() const { return sp_->GetPieceSize(); }

int Tokenizer::piece_id(const std::string& piece) const {
  const int id = sp_->PieceToId(piece);
  return id == SpecialIds::unk && piece != "<unk>" ? -1 : id;
}

std::vector<int> Tokenizer::word_continuation_ids() const {
  std::vector<int> ids;
  for (int id = 0; id < sp_->GetPieceSize(); ++id) {
    if (sp_->IsControl(id) || sp_->IsUnknown(id) || sp_->IsByte(id)) continue;
    const std::string& piece = sp_->IdToPiece(id);
    if (!piece.empty() && std::isalnum(static_cast<unsigned char>(piece[0]))) ids.push_back(id);
  }
  return ids;
}

int Tokenizer::control_id(const std::string& piece) const {
  const int id = sp_->PieceToId(piece);
  return id != SpecialIds::unk && sp_->IsControl(id) ? id : -1;
}

}  // namespace mt
