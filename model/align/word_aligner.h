// Word alignment between an English sentence and a Chinese one, by a statistical aligner trained on
// the project's own parallel text: IBM Model 2 with a diagonal prior in both directions, as
// fast_align (Dyer et al. 2013), symmetrized by grow-diag-final-and. It places markup in
// translated documents and gives `mt translate --alignments`. Torch-free: a table of word
// translation probabilities, shipped beside the model as aligner.bin.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mt {

// What the aligner counts as a word: a run of letters and digits (lowercased), one Han character,
// or one punctuation mark; [begin, end) in code points of the text.
struct AlignmentToken {
  std::string key;
  size_t begin = 0, end = 0;
};
std::vector<AlignmentToken> alignment_tokens(std::string_view text);

// A link between the source's token `source` and the translation's token `target`.
struct WordLink {
  size_t source = 0, target = 0;
  bool operator==(const WordLink& o) const { return source == o.source && target == o.target; }
  bool operator<(const WordLink& o) const { return source != o.source ? source < o.source : target < o.target; }
};

// A link as spans: [begin, end) code points of a source token and of the translation's token.
struct SpanLink {
  size_t source_begin = 0, source_end = 0, target_begin = 0, target_end = 0;
};

class WordAligner {
 public:
  // Throws std::runtime_error (one line) for a missing, foreign or truncated file.
  static WordAligner load(const std::string& path);
  // Written to a temporary file renamed into place.
  void save(const std::string& path) const;

  // The links between a sentence and its translation, either language first, sorted; none for a
  // pair over 4 million word pairs (two paragraphs of 2,000 words), whose markup is then placed
  // by interpolation.
  std::vector<WordLink> align(const std::vector<AlignmentToken>& source, const std::vector<AlignmentToken>& target) const;
  std::vector<WordLink> align(std::string_view source, std::string_view target) const;
  // Each word of the translation linked to the source word it most likely translates, if any (the
  // one direction, completed by the symmetric links: a translated word never belongs to two source
  // words), as spans. A Chinese translation's span is the whole word its character is part of
  // (the characters training joined, joined_ below).
  std::vector<SpanLink> align_spans(std::string_view source, std::string_view target) const;

  size_t vocabulary_size() const { return words_.size(); }
  size_t table_size() const { return keys_.size(); }

 private:
  friend class WordAlignerTrainer;
  // One direction: for each token of `to`, the token of `from` it most likely translates (or none),
  // `zh_given_en`: `from` is the English side.
  std::vector<WordLink> viterbi(const std::vector<AlignmentToken>& from, const std::vector<AlignmentToken>& to,
                                bool zh_given_en) const;
  // align() of non-empty sides; `target_side`, if given, gets the one direction that links each
  // target token to its source.
  std::vector<WordLink> align(const std::vector<AlignmentToken>& source, const std::vector<AlignmentToken>& target,
                              std::vector<WordLink>* target_side) const;
  int id(const std::string& key) const;
  float probability(int en, int zh, const std::string& en_key, const std::string& zh_key, bool zh_given_en) const;

  std::vector<std::string> words_;  // English and Chinese tokens share one vocabulary
  std::unordered_map<std::string, int> ids_;
  std::vector<uint64_t> keys_;              // (en id << 32 | zh id), sorted
  std::vector<float> zh_given_en_, en_given_zh_;  // per key: t(zh | en), t(en | zh)
  std::vector<float> zh_given_null_, en_given_null_;  // per word id
  // Two Han characters (first << 32 | second) that the training text's translations mostly align to
  // one English word when they stand side by side: a word's inside ("合同"), sorted.
  std::vector<uint64_t> joined_;
  bool joined(char32_t first, char32_t second) const;
  float tension_ = 4.0f, null_probability_ = 0.08f;
};

// The aligner file beside a model, read when first needed: plain text never pays for it, and a bad
// file fails only what uses it. Copies share one aligner; get() is thread-safe.
class WordAlignerFile {
 public:
  WordAlignerFile() = default;  // no aligner
  explicit WordAlignerFile(std::string path);
  explicit operator bool() const { return state_ != nullptr; }
  // Null without one; throws as WordAligner::load (and again on the next call) for a bad file.
  const WordAligner* get() const;
  const WordAligner* operator->() const { return get(); }

 private:
  struct State;
  std::shared_ptr<State> state_;
};

struct AlignerTrainOptions {
  int iterations = 5;
  // The first iterations without the diagonal prior (IBM Model 1): word translations learnt from
  // co-occurrence alone, before positions can pull a word to its untranslated neighbour ("the").
  int model1_iterations = 2;
  size_t max_tokens = 60;            // longer pairs are left out of training
  double min_probability = 0.01;     // pairs below it in both directions are not kept in the table
  double tension = 4.0;              // the diagonal prior's sharpness (fast_align's default)
  double null_probability = 0.08;
  double alpha = 0.01;               // the variational Bayes prior on word translations (fast_align -v)
};

// Collects pairs, then runs EM in both directions over them.
class WordAlignerTrainer {
 public:
  // False when the pair is empty on a side or longer than max_tokens (left out).
  bool add(std::string_view en, std::string_view zh, size_t max_tokens);
  size_t pairs() const { return offsets_en_.size() - 1; }
  // `log`: one line per iteration.
  WordAligner train(const AlignerTrainOptions& options, const std::function<void(const std::string&)>& log = {}) const;

 private:
  int intern(const std::string& key);
  void join_characters(WordAligner& aligner) const;  // fills aligner.joined_
  std::vector<std::string> words_;
  std::unordered_map<std::string, int> ids_;
  std::vector<uint32_t> en_, zh_;  // the tokens of every pair, concatenated
  std::vector<size_t> offsets_en_{0}, offsets_zh_{0};
};

}  // namespace mt
