#include "model/train/corpus.h"

#include <fstream>
#include <stdexcept>
#include <unordered_set>

namespace mt {

namespace {
std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read training data '" + path + "'");
  return in;
}
}  // namespace

std::vector<SentencePair> read_parallel(const std::string& path) {
  std::vector<SentencePair> pairs;
  std::string line, other;
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".tsv") == 0) {
    auto in = open_or_throw(path);
    for (int64_t n = 1; std::getline(in, line); ++n) {
      const auto tab = line.find('\t');
      if (tab == std::string::npos) throw std::runtime_error(path + ":" + std::to_string(n) + ": expected english<TAB>chinese");
      auto zh = line.substr(tab + 1);
      if (auto tab2 = zh.find('\t'); tab2 != std::string::npos) zh.resize(tab2);  // extra columns (attribution)
      pairs.push_back({line.substr(0, tab), zh});
    }
    return pairs;
  }
  auto en = open_or_throw(path + ".en");
  auto zh = open_or_throw(path + ".zh");
  while (true) {
    const bool a = bool(std::getline(en, line)), b = bool(std::getline(zh, other));
    if (a != b) throw std::runtime_error(path + ".en and " + path + ".zh have different line counts");
    if (!a) break;
    pairs.push_back({line, other});
  }
  return pairs;
}

std::string CleaningStats::summary() const {
  return "read " + std::to_string(read) + " pairs: kept " + std::to_string(kept) + ", dropped " +
         std::to_string(empty) + " empty, " + std::to_string(too_long) + " too long, " + std::to_string(bad_ratio) +
         " with an extreme length ratio, " + std::to_string(duplicates) + " duplicates";
}

std::vector<Example> make_examples(const std::vector<SentencePair>& pairs, const Tokenizer& tokenizer,
                                   const CleaningOptions& o, CleaningStats* stats) {
  CleaningStats s;
  std::vector<Example> examples;
  std::unordered_set<std::string> seen;
  for (const auto& p : pairs) {
    ++s.read;
    const auto en = tokenizer.encode(p.en), zh = tokenizer.encode(p.zh);
    if (en.empty() || zh.empty()) { ++s.empty; continue; }
    if (int64_t(en.size()) > o.max_tokens || int64_t(zh.size()) > o.max_tokens) { ++s.too_long; continue; }
    const double ratio = double(std::max(en.size(), zh.size())) / double(std::min(en.size(), zh.size()));
    if (ratio > o.max_ratio && std::max(en.size(), zh.size()) > 4) { ++s.bad_ratio; continue; }
    if (o.dedupe) {
      std::string key(reinterpret_cast<const char*>(en.data()), en.size() * sizeof(int));
      key += '\x01';
      key.append(reinterpret_cast<const char*>(zh.data()), zh.size() * sizeof(int));
      if (!seen.insert(std::move(key)).second) { ++s.duplicates; continue; }
    }
    ++s.kept;
    auto example = [](int tag, const std::vector<int>& src, const std::vector<int>& tgt) {
      Example e;
      e.src.push_back(tag);
      e.src.insert(e.src.end(), src.begin(), src.end());
      e.src.push_back(SpecialIds::eos);
      e.tgt.assign(tgt.begin(), tgt.end());
      e.tgt.push_back(SpecialIds::eos);
      return e;
    };
    examples.push_back(example(SpecialIds::to_zh, en, zh));
    examples.push_back(example(SpecialIds::to_en, zh, en));
  }
  if (stats) *stats = s;
  return examples;
}

}  // namespace mt
