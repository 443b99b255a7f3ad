// Data-parallel training over processes: PyTorch's own c10d with the Gloo backend (CPU, TCP).
// Each rank trains on its share of a batch; gradients are summed across ranks before every
// optimiser step, so all ranks take the same step from the same weights. The c10d/Gloo types stay
// in distributed.cpp: code that includes this header needs no Gloo headers.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace mt {

struct DistributedOptions {
  int world_size = 1;
  int rank = 0;
  std::string master_addr = "127.0.0.1";  // where rank 0 serves the rendezvous store
  int master_port = 29500;
  double timeout_s = 120;  // rendezvous and every collective; a dead or hung peer fails after this
};

// Fills the fields not given explicitly from the torchrun-style environment: WORLD_SIZE, RANK,
// MASTER_ADDR and MASTER_PORT (master_given covers both). Throws std::runtime_error on a malformed value.
DistributedOptions distributed_from_env(DistributedOptions explicit_options, bool world_size_given,
                                        bool rank_given, bool master_given);

class DataParallel {
 public:
  // world_size 1: every call is a no-op and no socket is opened. Otherwise rendezvous through a
  // TCPStore served by rank 0, then a Gloo process group. Throws std::runtime_error.
  explicit DataParallel(const DistributedOptions& options);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return options_.rank; }
  int world_size() const { return options_.world_size; }
  bool is_main() const { return options_.rank == 0; }

  // Sums every parameter's gradient over the ranks, in flat buckets of about `bucket_bytes`
  // (one allreduce per bucket). A parameter without a gradient gets a zero one first, so every
  // rank runs the same collectives.
  void all_reduce_gradients(const std::vector<at::Tensor>& parameters, int64_t bucket_bytes = 25 << 20);
  double all_reduce_sum(double value);  // e.g. the global token count of a step
  void broadcast_parameters(const std::vector<at::Tensor>& parameters, int root = 0);  // in place
  void barrier();

  // Collectives throw std::runtime_error("rank R: collective failed or timed out after Ns: ...")
  // when a peer dies or hangs; the group is unusable afterwards and the process should exit.

 private:
  struct Group;  // the c10d store and process group (distributed.cpp)
  DistributedOptions options_;
  std::unique_ptr<Group> group_;  // null when world_size is 1
};

}  // namespace mt
