// The end of a run: the weights worth installing are not always the last ones. Candidates are the
// best checkpoint, the last, the average of the last snapshots and, when fine-tuning, the model it
// started from and the point halfway between (WiSE-FT); the one that scores highest on dev wins.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "model/network/transformer.h"

namespace mt {

// The element-wise mean of networks' weights.
Transformer mean_weights(const std::vector<Transformer>& networks, const ModelConfig& config);

struct Candidate {
  std::string name;
  Transformer network;
};

// The index of the highest-scoring candidate (the first among equals); `report` hears each score.
size_t pick_best(std::vector<Candidate>& candidates, const std::function<double(Transformer&)>& score,
                 const std::function<void(const Candidate&, double)>& report = {});

}  // namespace mt
