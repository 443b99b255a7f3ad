#include "model/train/training_data.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace mt {

std::string CleaningStats::summary() const {
  return "read " + std::to_string(read) + " pairs: kept " + std::to_string(kept) + ", dropped " +
         std::to_string(empty) + " empty, " + std::to_string(too_long) + " too long, " + std::to_string(bad_ratio) +
         " with an extreme length ratio, " + std::to_string(duplicates) + " duplicates";
}

bool ExampleSet::add(const SentencePair& pair, const Tokenizer& tokenizer, const CleaningOptions& o, CleaningStats& s,
                     int32_t source_tag) {
  ++s.read;
  const auto en = tokenizer.encode(pair.en), zh = tokenizer.encode(pair.zh);
  if (en.empty() || zh.empty()) return ++s.empty, false;
  if (int64_t(en.size()) > o.max_tokens || int64_t(zh.size()) > o.max_tokens) return ++s.too_long, false;
  const double ratio = double(std::max(en.size(), zh.size())) / double(std::min(en.size(), zh.size()));
  if (ratio > o.max_ratio && std::max(en.size(), zh.size()) > 4) return ++s.bad_ratio, false;
  if (o.dedupe) {
    std::string key(reinterpret_cast<const char*>(en.data()), en.size() * sizeof(int));
    key += '\x01';
    key.append(reinterpret_cast<const char*>(zh.data()), zh.size() * sizeof(int));
    if (!seen_.insert(std::hash<std::string_view>{}(key)).second) return ++s.duplicates, false;
  }
  ++s.kept;
  starts_.push_back(ids_.size());
  ids_.insert(ids_.end(), en.begin(), en.end());
  starts_.push_back(ids_.size());
  ids_.insert(ids_.end(), zh.begin(), zh.end());
  tags_.push_back(source_tag);
  return true;
}

// Example 2p reads English (source) and Chinese (target) of pair p; 2p + 1 the other way round.
// starts_[2p] is where pair p's English begins, starts_[2p + 1] its Chinese.
size_t ExampleSet::slot(int64_t example, bool target) const {
  const bool chinese = target == (example % 2 == 0);
  return size_t(example / 2 * 2 + (chinese ? 1 : 0));
}

const int32_t* ExampleSet::side(int64_t example, bool target) const { return ids_.data() + starts_[slot(example, target)]; }

int64_t ExampleSet::side_length(int64_t example, bool target) const {
  const size_t i = slot(example, target);
  const uint64_t end = i + 1 < starts_.size() ? starts_[i + 1] : ids_.size();
  return int64_t(end - starts_[i]);
}

void ExampleSet::write_source(int64_t example, int64_t* out) const {
  *out++ = example % 2 == 0 ? SpecialIds::to_zh : SpecialIds::to_en;
  if (const int32_t tag = tags_[size_t(example / 2)]; tag >= 0) *out++ = tag;
  const int32_t* ids = side(example, false);
  const int64_t n = side_length(example, false);
  std::copy(ids, ids + n, out);
  out[n] = SpecialIds::eos;
}

void ExampleSet::write_target(int64_t example, int64_t* out) const {
  const int32_t* ids = side(example, true);
  const int64_t n = side_length(example, true);
  std::copy(ids, ids + n, out);
  out[n] = SpecialIds::eos;
}

std::string tag_piece(const std::string& tag) { return "<" + tag + ">"; }

int64_t TrainingData::SourceReport::per_epoch() const {
  return int64_t(std::floor(weight)) * examples + std::llround((weight - std::floor(weight)) * double(examples));
}

TrainingData::SourceReport& TrainingData::begin(const std::string& name, double weight) {
  if (!(weight >= 0) || !std::isfinite(weight))
    throw std::runtime_error("training source '" + name + "': weight must be a number >= 0");
  SourceReport report;
  report.name = name;
  report.weight = weight;
  report.first_example = set_.size();
  reports_.push_back(report);
  return reports_.back();
}

// Example 2p is pair p's en->zh, 2p + 1 its zh->en: a one-way source takes every other one.
void TrainingData::end(SourceReport& report, Direction direction) {
  report.direction = direction;
  report.examples = set_.size() - report.first_example;
  if (direction == Direction::both) return;
  report.stride = 2;
  report.examples /= 2;
  if (direction == Direction::zh_en) ++report.first_example;
}

int32_t TrainingData::tag_id(const std::string& tag) {
  if (tag.empty()) return -1;
  const std::string piece = tag_piece(tag);
  for (const auto& [known, id] : tags_)
    if (known == piece) return id;
  const int id = tokenizer_.control_id(piece);
  if (id < 0)
    throw std::runtime_error("source tag " + piece + " is not in the tokenizer: a tokenizer trained with this config " +
                             "has it (one given by tokenizer: or init_from may not)");
  tags_.emplace_back(piece, id);
  return id;
}

void TrainingData::add(const DataSource& source) {
  const int32_t tag = tag_id(source.tag);
  SourceReport& report = begin(source.name(), source.weight);
  for_each_pair(source, [&](SentencePair& p) { set_.add(p, tokenizer_, options_, report.stats, tag); });
  end(report, source.direction);
}

void TrainingData::add(const std::string& name, const std::vector<SentencePair>& pairs, double weight) {
  SourceReport& report = begin(name, weight);
  for (const auto& p : pairs) set_.add(p, tokenizer_, options_, report.stats);
  end(report, Direction::both);
}

std::vector<int64_t> TrainingData::epoch_sample(uint64_t seed, int64_t epoch) const {
  std::vector<int64_t> sample;
  for (size_t s = 0; s < reports_.size(); ++s) {
    const SourceReport& r = reports_[s];
    for (int64_t copy = 0; copy < int64_t(std::floor(r.weight)); ++copy)
      for (int64_t k = 0; k < r.examples; ++k) sample.push_back(r.example(k));
    const int64_t share = r.per_epoch() - int64_t(std::floor(r.weight)) * r.examples;
    if (share == 0) continue;
    // A different random share each epoch, so a down-weighted source is seen whole over time.
    std::mt19937_64 rng((seed * 1000003 + uint64_t(epoch)) * 7919 + s);
    std::vector<int64_t> order(size_t(r.examples));
    std::iota(order.begin(), order.end(), int64_t(0));
    for (int64_t i = 0; i < share; ++i) {
      std::uniform_int_distribution<int64_t> pick(i, r.examples - 1);
      std::swap(order[size_t(i)], order[size_t(pick(rng))]);
      sample.push_back(r.example(order[size_t(i)]));
    }
  }
  return sample;
}

std::string TrainingData::report_tsv() const {
  std::ostringstream out;
  out << "source\tweight\tdirection\tread\tkept\tempty\ttoo_long\tbad_ratio\tduplicates\texamples_per_epoch\n";
  for (const auto& r : reports_)
    out << r.name << '\t' << r.weight << '\t' << to_string(r.direction) << '\t' << r.stats.read << '\t' << r.stats.kept << '\t' << r.stats.empty << '\t'
        << r.stats.too_long << '\t' << r.stats.bad_ratio << '\t' << r.stats.duplicates << '\t' << r.per_epoch() << '\n';
  return out.str();
}

void write_tokenizer_corpus(const std::vector<DataSource>& sources, const std::string& path, uint64_t seed) {
  std::ofstream text(path);
  if (!text) throw std::runtime_error("cannot write '" + path + "'");
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  for (const auto& source : sources) {
    const int whole = int(std::floor(source.weight));
    const double rest = source.weight - whole;
    for_each_pair(source, [&](SentencePair& p) {
      for (int copy = whole + (coin(rng) < rest ? 1 : 0); copy > 0; --copy) text << p.en << '\n' << p.zh << '\n';
    });
  }
  if (!text.flush()) throw std::runtime_error("cannot write '" + path + "' (disk full?)");
}

}  // namespace mt
