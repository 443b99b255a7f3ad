// The run's checkpoint: weights, optimizer state, where the run stands and the RNG, so --resume
// continues exactly. One key table is what is written and what is read back; snapshots (weights
// only) are kept for the final average.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <torch/optim/optimizer.h>

#include "model/network/transformer.h"

namespace mt {

struct Position {
  int64_t step = 0, epoch = 0, batch = 0;  // batch: next batch of this epoch's plan
  double best_score = -1;                  // best dev score so far
  int64_t bad_validations = 0;
  double elapsed = 0;                      // seconds of training so far
};

// Written aside and renamed: a kill at any moment leaves the previous checkpoint whole.
void save_checkpoint(const std::string& path, Transformer& network, torch::optim::Optimizer& optimizer,
                     const Position& position);
// Restores weights, optimizer state and the global CPU RNG; throws naming a corrupt file.
Position load_checkpoint(const std::string& path, Transformer& network, torch::optim::Optimizer& optimizer);

// Snapshots of the weights in `folder` (step-000001200.pt, ...): keep_snapshot adds one and
// drops all but the newest `keep`; a half-written one (a kill while writing) is never listed.
void keep_snapshot(const std::string& folder, Transformer& network, int64_t step, int64_t keep);
std::vector<std::string> list_snapshots(const std::string& folder);

}  // namespace mt
