#include "model/train/final_pick.h"

#include <ATen/core/grad_mode.h>

namespace mt {

Transformer mean_weights(const std::vector<Transformer>& networks, const ModelConfig& config) {
  Transformer mean(config);
  at::NoGradGuard no_grad;
  auto dst = mean->parameters();
  for (auto& p : dst) p.zero_();
  for (const auto& net : networks) {
    auto src = net->parameters();
    for (size_t i = 0; i < dst.size(); ++i) dst[i].add_(src[i].to(dst[i].device()), 1.0 / double(networks.size()));
  }
  return mean;
}

size_t pick_best(std::vector<Candidate>& candidates, const std::function<double(Transformer&)>& score,
                 const std::function<void(const Candidate&, double)>& report) {
  size_t chosen = 0;
  double best = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const double s = score(candidates[i].network);
    if (report) report(candidates[i], s);
    if (i == 0 || s > best) best = s, chosen = i;
  }
  return chosen;
}

}  // namespace mt
