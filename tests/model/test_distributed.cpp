// Data parallelism over forked processes on loopback: collectives, exact gradient sums, the
// equivalence of 2 ranks x half a batch with 1 process x the whole batch, and ranks that fail
// with a clear error (not a hang) when a peer never comes, hangs or dies.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <torch/optim/sgd.h>

#include "model/train/distributed.h"
#include "model/train/loss.h"
#include "tests/model/tiny_model.h"

using namespace mt;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// `count` distinct loopback ports that are free now (another program could take one first; fine
// for a test). The sockets stay bound until all are chosen so that no port comes out twice.
std::vector<int> free_ports(int count) {
  std::vector<int> ports, sockets;
  for (int i = 0; i < count; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(fd, reinterpret_cast<sockaddr*>(&address), length);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    sockets.push_back(fd);
    ports.push_back(ntohs(address.sin_port));
  }
  for (int fd : sockets) close(fd);
  return ports;
}
int free_port() { return free_ports(1)[0]; }

DistributedOptions loopback(int world_size, int rank, int port, double timeout_s = 20) {
  DistributedOptions o;
  o.world_size = world_size;
  o.rank = rank;
  o.master_port = port;
  o.timeout_s = timeout_s;
  return o;
}

struct RankResult {
  bool ok = false;                 // the body returned (exit code 0)
  std::string error;               // what it threw otherwise
  std::vector<at::Tensor> tensors; // what it returned
  double seconds = 0;              // from the fork to the exit
};

// Runs body(rank) in `ranks` forked processes, each with one thread; kills any still running after
// `limit_s`. Forked children share nothing with the parent after the fork but what it had built
// before, so the test process itself never opens a socket or starts a Gloo thread.
std::vector<RankResult> run_ranks(int ranks, double limit_s, const std::function<std::vector<at::Tensor>(int)>& body) {
  const fs::path dir = fs::temp_directory_path() / ("mt_test_distributed_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const auto start = Clock::now();
  std::vector<pid_t> pids;
  for (int rank = 0; rank < ranks; ++rank) {
    pid_t pid = fork();
    if (pid == 0) {
      int code = 1;
      const std::string base = (dir / std::to_string(rank)).string();
      try {
        at::set_num_threads(1);
        torch::save(body(rank), base + ".pt");
        code = 0;
      } catch (const std::exception& e) {
        std::ofstream(base + ".txt") << e.what();
      }
      _exit(code);  // skip gtest's and the parent's exit handlers
    }
    pids.push_back(pid);
  }

  std::vector<RankResult> results(ranks);
  std::vector<bool> running(ranks, true);
  for (int left = ranks; left > 0;) {
    for (int rank = 0; rank < ranks; ++rank) {
      int status = 0;
      if (running[rank] && waitpid(pids[rank], &status, WNOHANG) == pids[rank]) {
        running[rank] = false;
        --left;
        results[rank].ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        results[rank].seconds = std::chrono::duration<double>(Clock::now() - start).count();
      }
    }
    if (left > 0 && Clock::now() - start > std::chrono::duration<double>(limit_s)) {
      for (int rank = 0; rank < ranks; ++rank) {
        if (!running[rank]) continue;
        ADD_FAILURE() << "rank " << rank << " still running after " << limit_s << " s: killed";
        kill(pids[rank], SIGKILL);
        waitpid(pids[rank], nullptr, 0);
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  for (int rank = 0; rank < ranks; ++rank) {
    const std::string base = (dir / std::to_string(rank)).string();
    if (fs::exists(base + ".pt")) torch::load(results[rank].tensors, base + ".pt");
    std::ifstream error(base + ".txt");
    std::stringstream text;
    text << error.rdbuf();
    results[rank].error = text.str();
  }
  fs::remove_all(dir);
  return results;
}

at::Tensor scalar(double value) { return at::full({1}, value, at::kDouble); }

}  // namespace

TEST(DistributedSingleProcess, EveryCallIsANoOp) {
  at::set_num_threads(1);
  DataParallel dp(DistributedOptions{});  // would fail to bind or connect if it opened a socket
  EXPECT_TRUE(dp.is_main());
  EXPECT_EQ(dp.world_size(), 1);
  EXPECT_EQ(dp.all_reduce_sum(2.5), 2.5);
  auto p = at::ones({3}).requires_grad_();
  dp.all_reduce_gradients({p});
  EXPECT_FALSE(p.grad().defined());
  dp.broadcast_parameters({p});
  dp.barrier();
  EXPECT_THROW(DataParallel(loopback(2, 2, 29500)), std::runtime_error);
}

TEST(DistributedOptionsFromEnv, EnvironmentFillsOnlyWhatWasNotGiven) {
  setenv("WORLD_SIZE", "4", 1);
  setenv("RANK", "3", 1);
  setenv("MASTER_ADDR", "10.0.0.7", 1);
  setenv("MASTER_PORT", "1234", 1);
  DistributedOptions given;
  given.rank = 1;
  auto o = distributed_from_env(given, false, true, false);
  EXPECT_EQ(o.world_size, 4);
  EXPECT_EQ(o.rank, 1);
  EXPECT_EQ(o.master_addr, "10.0.0.7");
  EXPECT_EQ(o.master_port, 1234);
  setenv("RANK", "x", 1);
  EXPECT_THROW(distributed_from_env(given, false, false, false), std::runtime_error);
  for (const char* name : {"WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"}) unsetenv(name);
}

TEST(DistributedCollectives, AllReduceSumAndBarrier) {
  const int port = free_port();
  auto results = run_ranks(2, 15, [&](int rank) {
    DataParallel dp(loopback(2, rank, port));
    dp.barrier();
    return std::vector<at::Tensor>{scalar(dp.all_reduce_sum(rank + 1.5)), scalar(dp.is_main())};
  });
  for (int rank = 0; rank < 2; ++rank) {
    ASSERT_TRUE(results[rank].ok) << results[rank].error;
    EXPECT_EQ(results[rank].tensors[0].item<double>(), 4.0);
    EXPECT_EQ(results[rank].tensors[1].item<double>(), rank == 0);
  }
}

namespace {

// Rank r's gradients of a small Linear layer; rank 1 leaves the bias unused (no gradient at all).
std::vector<at::Tensor> linear_grads(torch::nn::Linear& linear, int rank) {
  torch::manual_seed(uint64_t(10 + rank));
  auto x = at::randn({4, 5});
  auto y = rank == 0 ? linear->forward(x) : at::matmul(x, linear->weight.t());
  (y * y).sum().backward();
  return {linear->weight.grad(), linear->bias.grad()};
}

}  // namespace

TEST(DistributedGradients, AllReduceSumsGradientsExactly) {
  at::set_num_threads(1);
  const int port = free_port();
  auto results = run_ranks(2, 15, [&](int rank) {
    DataParallel dp(loopback(2, rank, port));
    torch::manual_seed(0);
    torch::nn::Linear linear(5, 3);
    linear_grads(linear, rank);
    // 64 bytes: the weight (60) and the bias (12) go in two buckets.
    dp.all_reduce_gradients(linear->parameters(), 64);
    return std::vector<at::Tensor>{linear->weight.grad(), linear->bias.grad()};
  });
  ASSERT_TRUE(results[0].ok) << results[0].error;
  ASSERT_TRUE(results[1].ok) << results[1].error;

  torch::manual_seed(0);
  torch::nn::Linear a(5, 3);
  torch::manual_seed(0);
  torch::nn::Linear b(5, 3);
  auto g0 = linear_grads(a, 0), g1 = linear_grads(b, 1);
  ASSERT_FALSE(g1[1].defined());
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_TRUE(at::equal(results[rank].tensors[0], g0[0] + g1[0])) << "rank " << rank;
    EXPECT_TRUE(at::equal(results[rank].tensors[1], g0[1])) << "rank " << rank;
  }
}

namespace {

struct Batch {
  at::Tensor src, tgt_in, tgt_out;
  Batch rows(int64_t begin, int64_t count) const {
    return {src.narrow(0, begin, count), tgt_in.narrow(0, begin, count), tgt_out.narrow(0, begin, count)};
  }
};

// Four sentence pairs with unequal target lengths, so the two halves hold different token counts.
Batch sample_batch(int64_t vocab) {
  torch::manual_seed(7);
  Batch b;
  b.src = random_batch({5, 3, 7, 2}, vocab);
  b.tgt_out = random_batch({4, 6, 2, 1}, vocab);
  b.tgt_in = at::cat({at::full({4, 1}, int64_t(SpecialIds::bos), at::kLong), b.tgt_out.narrow(1, 0, b.tgt_out.size(1) - 1)}, 1);
  return b;
}

ModelConfig small_config() {
  ModelConfig c = tiny_config(40);
  c.d_model = 16, c.heads = 2, c.ffn = 32, c.enc_layers = 1, c.dec_layers = 1, c.max_positions = 32;
  return c;
}

// Three SGD steps, each on this rank's rows, with the loss divided by the token count of all ranks
// and the gradients summed over ranks: the same steps as one process on the whole batch.
std::vector<at::Tensor> train_three_steps(Transformer& net, DataParallel& dp, const Batch& batch) {
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.5).momentum(0.9));
  for (int step = 0; step < 3; ++step) {
    sgd.zero_grad();
    const double tokens = dp.all_reduce_sum(batch.tgt_out.ne(SpecialIds::pad).sum().item<double>());
    auto loss = label_smoothed_loss(net->forward(batch.src, batch.tgt_in), batch.tgt_out, 0.0).smoothed / tokens;
    loss.backward();
    dp.all_reduce_gradients(net->parameters(), 4096);  // several buckets
    sgd.step();
  }
  std::vector<at::Tensor> weights;
  for (const auto& p : net->parameters()) weights.push_back(p.detach().clone());
  return weights;
}

}  // namespace

TEST(DistributedTraining, TwoRanksOnHalfBatchesEqualOneProcessOnTheWholeBatch) {
  at::set_num_threads(1);
  const Batch batch = sample_batch(40);  // built before the fork: both ranks inherit it
  const int port = free_port();
  auto results = run_ranks(2, 15, [&](int rank) {
    DataParallel dp(loopback(2, rank, port));
    torch::manual_seed(uint64_t(100 + rank));  // different initial weights: the broadcast must align them
    Transformer net(small_config());
    dp.broadcast_parameters(net->parameters());
    return train_three_steps(net, dp, batch.rows(2 * rank, 2));
  });
  ASSERT_TRUE(results[0].ok) << results[0].error;
  ASSERT_TRUE(results[1].ok) << results[1].error;

  torch::manual_seed(100);
  Transformer net(small_config());
  std::vector<at::Tensor> initial;
  for (const auto& p : net->parameters()) initial.push_back(p.detach().clone());
  DataParallel single(DistributedOptions{});
  auto expected = train_three_steps(net, single, batch);

  ASSERT_EQ(results[0].tensors.size(), expected.size());
  ASSERT_EQ(results[1].tensors.size(), expected.size());
  double moved = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    moved = std::max(moved, (expected[i] - initial[i]).abs().max().item<double>());
    EXPECT_TRUE(at::equal(results[0].tensors[i], results[1].tensors[i])) << "parameter " << i;
    EXPECT_LT((results[0].tensors[i] - expected[i]).abs().max().item<double>(), 1e-5) << "parameter " << i;
  }
  EXPECT_GT(moved, 1e-2);  // the steps really changed the weights
}

TEST(DistributedFailure, RankWhosePeerNeverComesFailsWithinTheTimeout) {
  // Rank 0 serves and waits for rank 1; a lone rank 1 waits for a server: both on their own port.
  const std::vector<int> ports = free_ports(2);
  auto results = run_ranks(2, 15, [&](int rank) {
    DataParallel dp(loopback(2, rank, ports[rank], 2.0));
    return std::vector<at::Tensor>{};
  });
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_FALSE(results[rank].ok) << "rank " << rank;
    EXPECT_NE(results[rank].error.find("rendezvous with 127.0.0.1:" + std::to_string(ports[rank]) + " failed (rank " +
                                               std::to_string(rank) + " of 2, timeout 2s): "),
              std::string::npos) << results[rank].error;
    EXPECT_EQ(results[rank].error.find('\n'), std::string::npos) << results[rank].error;
    EXPECT_LT(results[rank].seconds, 6.0) << "rank " << rank;
  }
}

TEST(DistributedFailure, CollectiveFailsWithinTheTimeoutWhenAPeerHangs) {
  const int port = free_port();
  auto results = run_ranks(2, 30, [&](int rank) {
    DataParallel dp(loopback(2, rank, port, 4.0));  // room for the rendezvous on a loaded machine
    if (rank == 1) std::this_thread::sleep_for(std::chrono::seconds(14));  // alive but never joins
    else dp.all_reduce_sum(1);
    return std::vector<at::Tensor>{};
  });
  EXPECT_TRUE(results[1].ok) << results[1].error;
  EXPECT_FALSE(results[0].ok);
  EXPECT_NE(results[0].error.find("rank 0: collective failed or timed out after 4s: "), std::string::npos)
      << results[0].error;
  EXPECT_LT(results[0].seconds, 12.0);  // before the peer wakes up, with room for a loaded machine
}

TEST(DistributedFailure, CollectiveFailsWhenAPeerDies) {
  const int port = free_port();
  auto results = run_ranks(2, 15, [&](int rank) {
    DataParallel dp(loopback(2, rank, port, 10));
    if (rank == 1) _exit(0);  // dies without a word
    dp.barrier();
    return std::vector<at::Tensor>{};
  });
  EXPECT_FALSE(results[0].ok);
  EXPECT_NE(results[0].error.find("rank 0: collective failed or timed out after 10s: "), std::string::npos)
      << results[0].error;
  EXPECT_LT(results[0].seconds, 8.0);  // noticed the closed connection, not just the timeout
}
