#include "model/align/word_aligner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <tuple>

#include "tokenizer/utf8.h"

namespace mt {

namespace {

constexpr char kMagic[8] = {'M', 'T', 'A', 'L', 'I', 'G', 'N', '1'};
constexpr float kUnseen = 1e-7f;     // t(f | e) of a pair the table does not hold
constexpr float kSameToken = 0.5f;   // a name, number or identifier copied as it is
constexpr size_t kMaxCells = 4'000'000;  // words × words of a pair aligned at most (a paragraph of ~2,000 words)

bool is_word_char(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (utf8::is_han(c)) return false;
  return (c >= 0xC0 && c < 0x2000 && c != 0xD7 && c != 0xF7) ||  // Latin, Greek, Cyrillic, ...
         (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF) ||  // kana, Hangul
         (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A);  // full-width
}
bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 || c == 0x3000 || c == 0x200B; }

// The Han character a token is (a Han character is always a token of its own), or 0.
char32_t han_character(const AlignmentToken& token) {
  size_t at = 0;
  bool invalid = false;
  const char32_t c = utf8::next_code_point(token.key, &at, &invalid);
  return at == token.key.size() && utf8::is_han(c) ? c : 0;
}
// Whether a sentence is the Chinese side: more Han characters than other words.
bool is_chinese(const std::vector<AlignmentToken>& tokens) {
  return 2 * size_t(std::count_if(tokens.begin(), tokens.end(), han_character)) > tokens.size();
}

// The diagonal prior of token `i` of `m` generating token `j` of `n`, unnormalized.
float diagonal(size_t i, size_t m, size_t j, size_t n, float tension) {
  return std::exp(-tension * std::abs((float(i) + 0.5f) / float(m) - (float(j) + 0.5f) / float(n)));
}

double digamma(double x) {
  double result = 0;
  for (; x < 6; x += 1) result -= 1 / x;
  const double f = 1 / (x * x);
  return result + std::log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

// grow-diag-final-and (Koehn et al. 2005): the links both directions agree on, grown into
// neighbouring links either proposes where one of the two words is still unaligned.
std::vector<WordLink> symmetrize(const std::vector<WordLink>& forward, const std::vector<WordLink>& backward, size_t m,
                                 size_t n) {
  std::vector<char> either(m * n, 0), chosen(m * n, 0);
  for (const auto& l : forward) either[l.source * n + l.target] |= 1;
  for (const auto& l : backward) either[l.source * n + l.target] |= 2;
  std::vector<char> source_aligned(m, 0), target_aligned(n, 0);
  auto choose = [&](size_t i, size_t j) {
    chosen[i * n + j] = 1;
    source_aligned[i] = target_aligned[j] = 1;
  };
  for (size_t k = 0; k < m * n; ++k)
    if (either[k] == 3) choose(k / n, k % n);
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) {
        if (!chosen[i * n + j]) continue;
        // Side by side before diagonal, as Moses' implementation.
        for (const auto& [di, dj] : {std::pair{-1, 0}, {0, -1}, {1, 0}, {0, 1}, {-1, -1}, {-1, 1}, {1, -1}, {1, 1}}) {
            const long a = long(i) + di, b = long(j) + dj;
            if (a < 0 || b < 0 || a >= long(m) || b >= long(n)) continue;
            if (either[a * n + b] && !chosen[a * n + b] && (!source_aligned[a] || !target_aligned[b])) {
              choose(a, b);
              grew = true;
            }
          }
      }
  }
  for (const auto* links : {&forward, &backward})
    for (const auto& l : *links)
      if (!source_aligned[l.source] && !target_aligned[l.target]) choose(l.source, l.target);
  std::vector<WordLink> out;
  for (size_t k = 0; k < m * n; ++k)
    if (chosen[k]) out.push_back({k / n, k % n});
  return out;
}

template <typename T>
void write_value(std::ofstream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof(T));
}
template <typename T>
void write_array(std::ofstream& out, const std::vector<T>& values) {
  write_value(out, uint64_t(values.size()));
  out.write(reinterpret_cast<const char*>(values.data()), std::streamsize(values.size() * sizeof(T)));
}

}  // namespace

std::vector<AlignmentToken> alignment_tokens(std::string_view text) {
  std::vector<AlignmentToken> tokens;
  size_t at = 0, position = 0;
  bool in_word = false, invalid = false;
  while (at < text.size()) {
    const char32_t c = utf8::next_code_point(text, &at, &invalid);
    if (is_word_char(c)) {
      if (!in_word) tokens.push_back({"", position, position});
      utf8::append(tokens.back().key, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      tokens.back().end = position + 1;
      in_word = true;
    } else {
      in_word = false;
      if (!is_space(c)) {
        tokens.push_back({"", position, position + 1});
        utf8::append(tokens.back().key, c);
      }
    }
    ++position;
  }
  return tokens;
}

// ---- the aligner ----

WordAligner WordAligner::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open the word aligner '" + path + "'");
  auto fail = [&]() { return std::runtime_error("'" + path + "' is not a word aligner of this version, or is truncated"); };
  char magic[sizeof(kMagic)];
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0) throw fail();
  auto read_value = [&](auto& value) {
    if (!in.read(reinterpret_cast<char*>(&value), sizeof value)) throw fail();
  };
  const auto file_size = std::filesystem::file_size(path);
  auto read_array = [&](auto& values) {
    uint64_t n = 0;
    read_value(n);
    if (n * sizeof(values[0]) > file_size) throw fail();
    values.resize(n);
    if (!in.read(reinterpret_cast<char*>(values.data()), std::streamsize(n * sizeof(values[0])))) throw fail();
  };
  WordAligner a;
  read_value(a.tension_);
  read_value(a.null_probability_);
  uint64_t words = 0;
  read_value(words);
  if (words > file_size) throw fail();
  a.words_.resize(words);
  for (auto& w : a.words_) {
    uint16_t length = 0;
    read_value(length);
    w.resize(length);
    if (!in.read(w.data(), length)) throw fail();
    a.ids_.emplace(w, int(a.ids_.size()));
  }
  read_array(a.keys_);
  read_array(a.zh_given_en_);
  read_array(a.en_given_zh_);
  read_array(a.zh_given_null_);
  read_array(a.en_given_null_);
  read_array(a.joined_);
  if (a.zh_given_en_.size() != a.keys_.size() || a.en_given_zh_.size() != a.keys_.size() ||
      a.zh_given_null_.size() != words || a.en_given_null_.size() != words || !std::is_sorted(a.keys_.begin(), a.keys_.end()) ||
      !std::is_sorted(a.joined_.begin(), a.joined_.end()))
    throw fail();
  for (uint64_t key : a.keys_)
    if ((key >> 32) >= words || (key & 0xFFFFFFFFu) >= words) throw fail();
  return a;
}

void WordAligner::save(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(kMagic, sizeof kMagic);
    write_value(out, tension_);
    write_value(out, null_probability_);
    write_value(out, uint64_t(words_.size()));
    for (const auto& w : words_) {
      write_value(out, uint16_t(w.size()));
      out.write(w.data(), std::streamsize(w.size()));
    }
    write_array(out, keys_);
    write_array(out, zh_given_en_);
    write_array(out, en_given_zh_);
    write_array(out, zh_given_null_);
    write_array(out, en_given_null_);
    write_array(out, joined_);
    if (!out.flush()) {
      std::filesystem::remove(tmp);
      throw std::runtime_error("cannot write the word aligner '" + path + "'");
    }
  }
  std::filesystem::rename(tmp, path);
}

int WordAligner::id(const std::string& key) const {
  const auto it = ids_.find(key);
  return it == ids_.end() ? -1 : it->second;
}

float WordAligner::probability(int en, int zh, const std::string& en_key, const std::string& zh_key, bool zh_given_en) const {
  float p = kUnseen;
  if (en >= 0 && zh >= 0) {
    const uint64_t key = uint64_t(en) << 32 | uint64_t(zh);
    const auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
    if (it != keys_.end() && *it == key) p = (zh_given_en ? zh_given_en_ : en_given_zh_)[size_t(it - keys_.begin())];
  }
  if (en_key == zh_key) p = std::max(p, kSameToken);
  // One inside the other ("abi" written "bi", "cif" as "cifs"): a name the model changed a little.
  const auto& [shorter, longer] = en_key.size() < zh_key.size() ? std::tie(en_key, zh_key) : std::tie(zh_key, en_key);
  if (shorter.size() >= 2 && 2 * shorter.size() >= longer.size() && longer.find(shorter) != std::string::npos &&
      static_cast<unsigned char>(shorter[0]) < 0x80)
    p = std::max(p, kSameToken / 2);
  return p;
}

std::vector<WordLink> WordAligner::viterbi(const std::vector<AlignmentToken>& from, const std::vector<AlignmentToken>& to,
                                           bool zh_given_en) const {
  std::vector<int> from_ids, to_ids;
  for (const auto& t : from) from_ids.push_back(id(t.key));
  for (const auto& t : to) to_ids.push_back(id(t.key));
  const auto& null_table = zh_given_en ? zh_given_null_ : en_given_null_;
  std::vector<WordLink> links;
  std::vector<float> prior(from.size());
  for (size_t j = 0; j < to.size(); ++j) {
    double norm = 0;
    for (size_t i = 0; i < from.size(); ++i) norm += prior[i] = diagonal(i, from.size(), j, to.size(), tension_);
    double best = null_probability_ * (to_ids[j] >= 0 ? null_table[size_t(to_ids[j])] : kUnseen);
    size_t best_i = from.size();
    for (size_t i = 0; i < from.size(); ++i) {
      const float t = zh_given_en ? probability(from_ids[i], to_ids[j], from[i].key, to[j].key, true)
                                  : probability(to_ids[j], from_ids[i], to[j].key, from[i].key, false);
      const double p = (1 - null_probability_) * t * prior[i] / norm;
      if (p > best) {
        best = p;
        best_i = i;
      }
    }
    if (best_i < from.size()) links.push_back({best_i, j});
  }
  return links;
}

std::vector<WordLink> WordAligner::align(const std::vector<AlignmentToken>& source,
                                         const std::vector<AlignmentToken>& target,
                                         std::vector<WordLink>* target_side) const {
  const bool swapped = is_chinese(source) && !is_chinese(target);
  const auto& en = swapped ? target : source;
  const auto& zh = swapped ? source : target;
  // Both directions as (en, zh) links.
  auto zh_side = viterbi(en, zh, true);  // (en index, zh index)
  auto en_side = viterbi(zh, en, false);  // (zh index, en index)
  if (target_side) *target_side = swapped ? en_side : zh_side;  // (source, target) either way
  for (auto& l : en_side) std::swap(l.source, l.target);
  auto links = symmetrize(zh_side, en_side, en.size(), zh.size());
  if (swapped) {
    for (auto& l : links) std::swap(l.source, l.target);
    std::sort(links.begin(), links.end());
  }
  return links;
}

std::vector<WordLink> WordAligner::align(const std::vector<AlignmentToken>& source,
                                         const std::vector<AlignmentToken>& target) const {
  if (source.empty() || target.empty() || source.size() * target.size() > kMaxCells) return {};
  return align(source, target, nullptr);
}

std::vector<WordLink> WordAligner::align(std::string_view source, std::string_view target) const {
  return align(alignment_tokens(source), alignment_tokens(target));
}

bool WordAligner::joined(char32_t first, char32_t second) const {
  return std::binary_search(joined_.begin(), joined_.end(), uint64_t(first) << 32 | second);
}

std::vector<SpanLink> WordAligner::align_spans(std::string_view source, std::string_view target) const {
  const auto s = alignment_tokens(source), t = alignment_tokens(target);
  if (s.empty() || t.empty() || s.size() * t.size() > kMaxCells) return {};
  // Each target token's word: from the first to the last token joined to it.
  std::vector<size_t> word_begin(t.size()), word_end(t.size());
  for (size_t j = 0; j < t.size(); ++j) {
    const char32_t c = han_character(t[j]), before = j > 0 ? han_character(t[j - 1]) : 0;
    word_begin[j] = c && before && t[j - 1].end == t[j].begin && joined(before, c) ? word_begin[j - 1] : j;
  }
  for (size_t j = t.size(); j-- > 0;)
    word_end[j] = j + 1 < t.size() && word_begin[j + 1] == word_begin[j] ? word_end[j + 1] : j;
  // The translation's words by the source word each most likely translates; those left without one
  // take a link the symmetric alignment has for them (a word moved far from its source, "昨天").
  std::vector<WordLink> links;
  const auto symmetric = align(s, t, &links);
  std::vector<bool> linked(t.size(), false);
  for (const auto& l : links) linked[l.target] = true;
  for (const auto& l : symmetric)
    if (!linked[l.target]) {
      links.push_back(l);
      linked[l.target] = true;
    }
  std::vector<SpanLink> spans;
  for (const auto& l : links)
    spans.push_back({s[l.source].begin, s[l.source].end, t[word_begin[l.target]].begin, t[word_end[l.target]].end});
  return spans;
}

// ---- the file beside a model ----

struct WordAlignerFile::State {
  std::string path;
  std::once_flag loaded;
  std::unique_ptr<const WordAligner> aligner;
};

WordAlignerFile::WordAlignerFile(std::string path) : state_(std::make_shared<State>()) { state_->path = std::move(path); }

const WordAligner* WordAlignerFile::get() const {
  if (!state_) return nullptr;
  std::call_once(state_->loaded, [this] { state_->aligner = std::make_unique<const WordAligner>(WordAligner::load(state_->path)); });
  return state_->aligner.get();
}

// ---- training ----

int WordAlignerTrainer::intern(const std::string& key) {
  auto [it, added] = ids_.emplace(key, int(words_.size()));
  if (added) words_.push_back(key);
  return it->second;
}

bool WordAlignerTrainer::add(std::string_view en, std::string_view zh, size_t max_tokens) {
  const auto e = alignment_tokens(en), z = alignment_tokens(zh);
  if (e.empty() || z.empty() || e.size() > max_tokens || z.size() > max_tokens) return false;
  for (const auto& t : e) en_.push_back(uint32_t(intern(t.key)));
  for (const auto& t : z) zh_.push_back(uint32_t(intern(t.key)));
  offsets_en_.push_back(en_.size());
  offsets_zh_.push_back(zh_.size());
  return true;
}

// Words of Chinese: side-by-side characters the trained table aligns to one English word, in most of
// the (at least 3) pairs where they meet.
void WordAlignerTrainer::join_characters(WordAligner& aligner) const {
  const size_t pair_count = pairs();
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> bigrams;  // -> (same word, seen)
  std::vector<AlignmentToken> en_tokens, zh_tokens;
  auto tokens_of = [&](const std::vector<uint32_t>& ids, size_t begin, size_t end, std::vector<AlignmentToken>& out) {
    out.clear();
    for (size_t i = begin; i < end; ++i) out.push_back({words_[ids[i]], i - begin, i - begin + 1});
  };
  for (size_t s = 0; s < pair_count; ++s) {
    tokens_of(en_, offsets_en_[s], offsets_en_[s + 1], en_tokens);
    tokens_of(zh_, offsets_zh_[s], offsets_zh_[s + 1], zh_tokens);
    std::vector<size_t> source_of(zh_tokens.size(), size_t(-1));
    for (const auto& l : aligner.viterbi(en_tokens, zh_tokens, true)) source_of[l.target] = l.source;
    for (size_t j = 0; j + 1 < zh_tokens.size(); ++j)
      if (const char32_t a = han_character(zh_tokens[j]), b = han_character(zh_tokens[j + 1]); a && b) {
        auto& [same, seen] = bigrams[uint64_t(a) << 32 | b];
        same += source_of[j] != size_t(-1) && source_of[j] == source_of[j + 1];
        ++seen;
      }
  }
  for (const auto& [bigram, counts] : bigrams)
    if (counts.second >= 3 && 2 * counts.first > counts.second) aligner.joined_.push_back(bigram);
  std::sort(aligner.joined_.begin(), aligner.joined_.end());
}

WordAligner WordAlignerTrainer::train(const AlignerTrainOptions& options,
                                      const std::function<void(const std::string&)>& log) const {
  const size_t pair_count = pairs(), vocabulary = words_.size();
  // Every (en, zh) word pair that meets in a sentence pair, and for each meeting its table entry.
  std::vector<uint64_t> keys;
  for (size_t s = 0; s < pair_count; ++s)
    for (size_t i = offsets_en_[s]; i < offsets_en_[s + 1]; ++i)
      for (size_t j = offsets_zh_[s]; j < offsets_zh_[s + 1]; ++j) keys.push_back(uint64_t(en_[i]) << 32 | zh_[j]);
  std::vector<uint32_t> entry(keys.size());
  {
    std::vector<uint64_t> sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (size_t k = 0; k < keys.size(); ++k)
      entry[k] = uint32_t(std::lower_bound(sorted.begin(), sorted.end(), keys[k]) - sorted.begin());
    keys = std::move(sorted);
  }
  const size_t table = keys.size();
  if (log) log(std::to_string(pair_count) + " pairs, " + std::to_string(vocabulary) + " words, " + std::to_string(table) + " word pairs");

  const float tension = float(options.tension), p0 = float(options.null_probability);
  // Uniform over the words: IBM Model 1's start (the first iteration's likelihood is then a real one).
  const float uniform = 1.0f / float(vocabulary);
  std::vector<float> zh_given_en(table, uniform), en_given_zh(table, uniform);
  std::vector<float> zh_given_null(vocabulary, uniform), en_given_null(vocabulary, uniform);
  std::vector<double> count_zh(table), count_en(table), null_zh(vocabulary), null_en(vocabulary);
  std::vector<float> prior, posterior;
  for (int iteration = 1; iteration <= options.iterations; ++iteration) {
    std::fill(count_zh.begin(), count_zh.end(), 0.0);
    std::fill(count_en.begin(), count_en.end(), 0.0);
    std::fill(null_zh.begin(), null_zh.end(), 0.0);
    std::fill(null_en.begin(), null_en.end(), 0.0);
    double log_likelihood = 0;
    size_t tokens = 0, k0 = 0;
    for (size_t s = 0; s < pair_count; ++s) {
      const uint32_t* e = &en_[offsets_en_[s]];
      const uint32_t* z = &zh_[offsets_zh_[s]];
      const size_t m = offsets_en_[s + 1] - offsets_en_[s], n = offsets_zh_[s + 1] - offsets_zh_[s];
      const uint32_t* k = &entry[k0];  // k[i * n + j]: the entry of (e[i], z[j])
      k0 += m * n;
      prior.resize(m * n);
      const bool model1 = iteration <= options.model1_iterations;
      for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j) prior[i * n + j] = model1 ? 1.0f : diagonal(i, m, j, n, tension);
      posterior.resize(std::max(m, n));
      // One direction: each word of `made` made by a word of the other side or by none; cell(made
      // index, maker index) is its place in the sentence's m × n table.
      auto expect = [&](const uint32_t* made, size_t made_count, size_t makers, const std::vector<float>& t,
                        const std::vector<float>& t_null, std::vector<double>& counts, std::vector<double>& null_counts,
                        auto cell) {
        for (size_t g = 0; g < made_count; ++g) {
          double norm = 0, total = p0 * t_null[made[g]];
          for (size_t f = 0; f < makers; ++f) norm += prior[cell(g, f)];
          for (size_t f = 0; f < makers; ++f)
            total += posterior[f] = float((1 - p0) * t[k[cell(g, f)]] * prior[cell(g, f)] / norm);
          for (size_t f = 0; f < makers; ++f) counts[k[cell(g, f)]] += posterior[f] / total;
          null_counts[made[g]] += p0 * t_null[made[g]] / total;
          log_likelihood += std::log(total);
        }
      };
      expect(z, n, m, zh_given_en, zh_given_null, count_zh, null_zh, [n](size_t j, size_t i) { return i * n + j; });
      expect(e, m, n, en_given_zh, en_given_null, count_en, null_en, [n](size_t i, size_t j) { return i * n + j; });
      tokens += m + n;
    }
    // Variational Bayes normalization: t(f | e) = exp(ψ(c(e, f) + α) − ψ(Σ_f c(e, f) + α)).
    const double alpha = options.alpha;
    std::vector<double> total_en(vocabulary, 0.0), total_zh(vocabulary, 0.0);
    for (size_t q = 0; q < table; ++q) {
      total_en[keys[q] >> 32] += count_zh[q] + alpha;
      total_zh[keys[q] & 0xFFFFFFFFu] += count_en[q] + alpha;
    }
    for (size_t q = 0; q < table; ++q) {
      zh_given_en[q] = float(std::exp(digamma(count_zh[q] + alpha) - digamma(total_en[keys[q] >> 32])));
      en_given_zh[q] = float(std::exp(digamma(count_en[q] + alpha) - digamma(total_zh[keys[q] & 0xFFFFFFFFu])));
    }
    double null_total_zh = 0, null_total_en = 0;
    for (size_t w = 0; w < vocabulary; ++w) {
      null_total_zh += null_zh[w] + alpha;
      null_total_en += null_en[w] + alpha;
    }
    for (size_t w = 0; w < vocabulary; ++w) {
      zh_given_null[w] = float(std::exp(digamma(null_zh[w] + alpha) - digamma(null_total_zh)));
      en_given_null[w] = float(std::exp(digamma(null_en[w] + alpha) - digamma(null_total_en)));
    }
    if (log) log("iteration " + std::to_string(iteration) + ": log-likelihood per token " + std::to_string(log_likelihood / double(tokens)));
  }

  // The table kept: the pairs either direction finds likely enough, over the words they use.
  WordAligner aligner;
  aligner.tension_ = tension;
  aligner.null_probability_ = p0;
  std::vector<int> new_id(vocabulary, -1);
  auto keep_word = [&](uint32_t w) {
    if (new_id[w] < 0) {
      new_id[w] = int(aligner.words_.size());
      aligner.words_.push_back(words_[w]);
      aligner.ids_.emplace(words_[w], new_id[w]);
      aligner.zh_given_null_.push_back(zh_given_null[w]);
      aligner.en_given_null_.push_back(en_given_null[w]);
    }
    return uint64_t(new_id[w]);
  };
  std::vector<std::tuple<uint64_t, float, float>> kept;
  for (size_t q = 0; q < table; ++q)
    if (zh_given_en[q] >= options.min_probability || en_given_zh[q] >= options.min_probability)
      kept.emplace_back(keep_word(uint32_t(keys[q] >> 32)) << 32 | keep_word(uint32_t(keys[q] & 0xFFFFFFFFu)),
                        zh_given_en[q], en_given_zh[q]);
  std::sort(kept.begin(), kept.end());
  for (const auto& [key, ze, ez] : kept) {
    aligner.keys_.push_back(key);
    aligner.zh_given_en_.push_back(ze);
    aligner.en_given_zh_.push_back(ez);
  }

  join_characters(aligner);
  if (log) log(std::to_string(aligner.joined_.size()) + " pairs of Han characters joined into words");
  return aligner;
}

}  // namespace mt
