// The one SentencePiece vocabulary shared by English and Chinese, with fixed special ids.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "tokenizer/normalizer.h"
#include "tokenizer/vocabulary.h"

namespace sentencepiece { class SentencePieceProcessor; }

namespace mt {

struct TokenizerTrainOptions {
  std::vector<std::string> inputs;   // plain text files, one sentence per line (normalized first)
  std::string model_prefix;          // writes PREFIX.model and PREFIX.vocab
  int vocab_size = 8000;
  std::string model_type = "unigram";
  double character_coverage = 0.9995;
  int input_sentence_size = 2000000;
  // More control tokens after <2zh> and <2en> (ids 6, 7, ...): source tags such as "<bt>".
  std::vector<std::string> control_symbols;
  int seed = 1;
};

class Tokenizer {
 public:
  // Loads a SentencePiece .model file; throws std::runtime_error with a one-line message.
  static Tokenizer load(const std::string& path);
  // From the bytes of a .model file (as embedded in a model folder).
  static Tokenizer from_bytes(const std::string& bytes);
  // Normalizes the inputs into a temporary corpus and trains a model; throws on failure.
  static void train(const TokenizerTrainOptions& options);

  // normalize() then SentencePiece; no bos/eos/tags added.
  std::vector<int> encode(const std::string& text) const;
  std::vector<std::string> encode_pieces(const std::string& text) const;
  // Special ids (pad/bos/eos/tags) are skipped.
  std::string decode(const std::vector<int>& ids) const;

  int vocab_size() const;
  // The id of a piece ("▁the", "集"), or -1 when the vocabulary has none.
  int piece_id(const std::string& piece) const;
  // The ids of the pieces that continue a word: letters or digits without the word-start marker
  // ("s" in "▁homicide s").
  std::vector<int> word_continuation_ids() const;
  // The id of a control token such as "<bt>", or -1 when this vocabulary has none.
  int control_id(const std::string& piece) const;
  const std::string& bytes() const { return bytes_; }  // the serialized .model

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

 private:
  Tokenizer();
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
  std::string bytes_;
};

}  // namespace mt
