#include "model/train/distributed.h"

#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <stdexcept>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

// ProcessGroupGloo is declared under USE_C10D_GLOO, which the Torch CMake package defines.
// Gloo's headers come from libgloo-dev, the same snapshot as the libgloo0 that libtorch links.
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace mt {

namespace {

// c10::Error messages carry a backtrace after the first line: keep the message a single line.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string seconds_text(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  if (!value || !*value) return fallback;
  char* end = nullptr;
  long n = std::strtol(value, &end, 10);
  if (*end != '\0' || n < 0 || n > INT_MAX)
    throw std::runtime_error(std::string(name) + "='" + value + "' is not a non-negative integer");
  return int(n);
}

// The network device Gloo binds to: GLOO_SOCKET_IFNAME as in PyTorch's Python front end, otherwise
// the address this host's name resolves to (loopback when it resolves to nothing usable).
std::shared_ptr<gloo::transport::Device> gloo_device() {
  const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
  if (interface && *interface) return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

DistributedOptions distributed_from_env(DistributedOptions explicit_options, bool world_size_given,
                                        bool rank_given, bool master_given) {
  DistributedOptions o = std::move(explicit_options);
  if (!world_size_given) o.world_size = env_int("WORLD_SIZE", o.world_size);
  if (!rank_given) o.rank = env_int("RANK", o.rank);
  if (!master_given) {
    const char* addr = std::getenv("MASTER_ADDR");
    if (addr && *addr) o.master_addr = addr;
    o.master_port = env_int("MASTER_PORT", o.master_port);
  }
  return o;
}

struct DataParallel::Group {
  int rank = 0;
  double timeout_s = 0;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;  // declared after the store: destroyed first

  // Starts a collective and waits for it at most the timeout: a peer that hangs would otherwise
  // block this rank forever. Every failure becomes one clear line.
  void run(const std::function<c10::intrusive_ptr<c10d::Work>()>& start) {
    try {
      start()->wait(std::chrono::milliseconds(std::llround(timeout_s * 1000)));
    } catch (const std::exception& e) {
      throw std::runtime_error("rank " + std::to_string(rank) + ": collective failed or timed out after " +
                               seconds_text(timeout_s) + "s: " + first_line(e.what()));
    }
  }

  // Runs `collective` on flat copies of `tensors`, about `bucket_bytes` at a time (one collective
  // per bucket rather than per tensor), then copies the results back in place.
  void in_buckets(const std::vector<at::Tensor>& tensors, int64_t bucket_bytes,
                  const std::function<c10::intrusive_ptr<c10d::Work>(std::vector<at::Tensor>&)>& collective) {
    at::NoGradGuard no_grad;  // parameters are overwritten in place
    size_t begin = 0;
    while (begin < tensors.size()) {
      size_t end = begin + 1;
      int64_t bytes = tensors[begin].nbytes();
      while (end < tensors.size() && tensors[end].scalar_type() == tensors[begin].scalar_type() &&
             bytes + int64_t(tensors[end].nbytes()) <= bucket_bytes)
        bytes += tensors[end++].nbytes();

      std::vector<at::Tensor> pieces;
      for (size_t i = begin; i < end; ++i) pieces.push_back(tensors[i].reshape({-1}));
      std::vector<at::Tensor> flat{at::cat(pieces)};
      run([&] { return collective(flat); });
      int64_t offset = 0;
      for (size_t i = begin; i < end; ++i) {
        const auto& t = tensors[i];
        t.copy_(flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
        offset += t.numel();
      }
      begin = end;
    }
  }
};

DataParallel::DataParallel(const DistributedOptions& options) : options_(options) {
  const int world = options.world_size, rank = options.rank;
  if (world < 1 || rank < 0 || rank >= world)
    throw std::runtime_error("distributed: rank " + std::to_string(rank) + " is not in a world of size " +
                             std::to_string(world));
  if (world == 1) return;
  const std::string master = options.master_addr + ":" + std::to_string(options.master_port);
  if (options.master_port < 1 || options.master_port > 65535)
    throw std::runtime_error("distributed: bad master port in " + master);
  if (options.timeout_s <= 0) throw std::runtime_error("distributed: the timeout must be positive");

  // Gloo writes to sockets without MSG_NOSIGNAL: a write to a dead peer would kill this process
  // with SIGPIPE (Python, PyTorch's usual host, ignores it) instead of raising a clear error.
  std::signal(SIGPIPE, SIG_IGN);

  group_ = std::make_unique<Group>();
  group_->rank = rank;
  group_->timeout_s = options.timeout_s;
  const auto timeout = std::chrono::milliseconds(std::llround(options.timeout_s * 1000));
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = uint16_t(options.master_port);
    store_options.isServer = rank == 0;
    store_options.numWorkers = size_t(world);
    store_options.waitWorkers = false;  // Gloo's own rendezvous below waits for every rank (once)
    store_options.timeout = timeout;
    auto tcp = c10::make_intrusive<c10d::TCPStore>(options.master_addr, store_options);
    // The prefix keeps this group's keys apart from anything else that may share the store.
    group_->store = c10::make_intrusive<c10d::PrefixStore>("mt/data_parallel", tcp);

    auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
    gloo_options->devices.push_back(gloo_device());
    gloo_options->threads = 1;  // collectives are issued one at a time: one worker thread is enough
    group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, rank, world, gloo_options);
  } catch (const std::exception& e) {
    throw std::runtime_error("rendezvous with " + master + " failed (rank " + std::to_string(rank) + " of " +
                             std::to_string(world) + ", timeout " + seconds_text(options.timeout_s) +
                             "s): " + first_line(e.what()));
  }
}

DataParallel::~DataParallel() = default;

void DataParallel::all_reduce_gradients(const std::vector<at::Tensor>& parameters, int64_t bucket_bytes) {
  if (!group_) return;
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters) {
    // An unused parameter on this rank still takes part, so that every rank sends the same buckets.
    if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    grads.push_back(p.grad());
  }
  group_->in_buckets(grads, bucket_bytes, [&](std::vector<at::Tensor>& flat) { return group_->gloo->allreduce(flat); });
}

double DataParallel::all_reduce_sum(double value) {
  if (!group_) return value;
  std::vector<at::Tensor> sum{at::full({1}, value, at::kDouble)};
  group_->run([&] { return group_->gloo->allreduce(sum); });
  return sum[0].item<double>();
}

void DataParallel::broadcast_parameters(const std::vector<at::Tensor>& parameters, int root) {
  if (!group_) return;
  if (root < 0 || root >= world_size())
    throw std::runtime_error("distributed: broadcast root " + std::to_string(root) + " is not a rank");
  c10d::BroadcastOptions from;
  from.rootRank = root;
  group_->in_buckets(parameters, 25 << 20, [&](std::vector<at::Tensor>& flat) { return group_->gloo->broadcast(flat, from); });
}

void DataParallel::barrier() {
  if (!group_) return;
  group_->run([&] { return group_->gloo->barrier(); });
}

}  // namespace mt
