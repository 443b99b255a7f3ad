// Properties of the network that decoding and training rely on.
#include <gtest/gtest.h>

#include <c10/core/InferenceMode.h>

#include "tests/model/tiny_model.h"
#include "tokenizer/tokenizer.h"

using namespace mt;

namespace {
at::Tensor random_tokens(int64_t rows, int64_t len, int64_t vocab) { return at::randint(6, vocab, {rows, len}, at::kLong); }
}  // namespace

TEST(NetworkCausalMask, LaterTargetTokensDoNotChangeEarlierOutputs) {
  torch::manual_seed(0);
  Transformer net(tiny_config());
  net->eval();
  auto src = random_tokens(2, 7, 50);
  auto tgt = random_tokens(2, 9, 50);
  auto changed = tgt.clone();
  changed.narrow(1, 5, 4).copy_(random_tokens(2, 4, 50));
  at::NoGradGuard g;
  auto a = net->forward(src, tgt), b = net->forward(src, changed);
  EXPECT_TRUE(at::allclose(a.narrow(1, 0, 5), b.narrow(1, 0, 5), 1e-5, 1e-5));
  EXPECT_FALSE(at::allclose(a.narrow(1, 5, 4), b.narrow(1, 5, 4), 1e-3, 1e-3));
}

TEST(NetworkPadding, PaddedBatchEqualsSentencesOneByOne) {
  torch::manual_seed(1);
  Transformer net(tiny_config());
  net->eval();
  auto long_src = random_tokens(1, 9, 50), short_src = random_tokens(1, 4, 50);
  auto tgt = random_tokens(2, 6, 50);
  auto batch = at::full({2, 9}, int64_t(SpecialIds::pad), at::kLong);
  batch[0].copy_(long_src[0]);
  batch[1].narrow(0, 0, 4).copy_(short_src[0]);
  at::NoGradGuard g;
  auto together = net->forward(batch, tgt);
  auto alone = net->forward(short_src, tgt.narrow(0, 1, 1));
  EXPECT_TRUE(at::allclose(together.narrow(0, 1, 1), alone, 1e-4, 1e-4));
}

TEST(NetworkPadding, InferenceEncoderSkipsPaddingWithTheSameResult) {
  torch::manual_seed(4);
  Transformer net(tiny_config());
  net->eval();
  auto batch = at::full({3, 8}, int64_t(SpecialIds::pad), at::kLong);
  batch[0].copy_(random_tokens(1, 8, 50)[0]);
  batch[1].narrow(0, 0, 3).copy_(random_tokens(1, 3, 50)[0]);
  batch[2].narrow(0, 0, 6).copy_(random_tokens(1, 6, 50)[0]);
  auto padded = net->encode(batch).memory.detach();  // autograd on: LibTorch's operators over every position
  at::NoGradGuard g;
  auto real = net->encode(batch).memory;  // inference: the real tokens only
  const auto is_token = batch.ne(SpecialIds::pad).unsqueeze(-1);
  EXPECT_TRUE(at::allclose(real.masked_select(is_token), padded.masked_select(is_token), 1e-4, 1e-5));
  EXPECT_TRUE(real.masked_select(is_token.logical_not()).eq(0).all().item<bool>());
}

TEST(NetworkCache, IncrementalDecodingEqualsFullRecomputation) {
  torch::manual_seed(2);
  Transformer net(tiny_config());
  net->eval();
  auto src = random_tokens(3, 8, 50);
  auto tgt = random_tokens(3, 10, 50);
  c10::InferenceMode guard;
  auto full = at::log_softmax(net->forward(src, tgt), -1);
  auto enc = net->encode(src);
  auto state = net->start_decoding(enc);
  for (int64_t t = 0; t < tgt.size(1); ++t) {
    auto step = net->decode_step(tgt.select(1, t), state);
    EXPECT_LT((step - full.select(1, t)).abs().max().item<float>(), 1e-4) << "step " << t;
  }
}

TEST(NetworkCache, ReorderFollowsTheBeam) {
  torch::manual_seed(3);
  Transformer net(tiny_config());
  net->eval();
  auto src = random_tokens(1, 6, 50);
  c10::InferenceMode guard;
  auto enc = net->encode(src);
  auto state = net->start_decoding(enc);
  // Two beams take different prefixes; after swapping them, each continues the other's prefix.
  net->decode_step(at::tensor({7L, 9L}), state);
  state.reorder(at::tensor({1L, 0L}));
  auto swapped = net->decode_step(at::tensor({11L, 11L}), state);
  auto reference = net->start_decoding(enc);
  net->decode_step(at::tensor({9L, 7L}), reference);
  auto expected = net->decode_step(at::tensor({11L, 11L}), reference);
  EXPECT_TRUE(at::allclose(swapped, expected, 1e-5, 1e-5));
}

TEST(NetworkCache, BeamsSharingPaddedSentencesEqualFullRecomputation) {
  torch::manual_seed(5);
  Transformer net(tiny_config());
  net->eval();
  auto src = random_tokens(2, 8, 50);
  src[1].narrow(0, 5, 3).fill_(int64_t(SpecialIds::pad));  // the second sentence is shorter
  const int64_t beam = 3;
  auto tgt = random_tokens(2 * beam, 6, 50);  // every beam row its own prefix
  c10::InferenceMode guard;
  auto full = at::log_softmax(net->forward(src.repeat_interleave(beam, 0), tgt), -1);
  auto state = net->start_decoding(net->encode(src));
  for (int64_t t = 0; t < 3; ++t) {
    auto step = net->decode_step(tgt.select(1, t), state);
    EXPECT_LT((step - full.select(1, t)).abs().max().item<float>(), 1e-4) << "step " << t;
  }
  // The first sentence finishes: only the second one's beams go on.
  state.select(at::arange(beam, 2 * beam), at::tensor({1L}));
  for (int64_t t = 3; t < tgt.size(1); ++t) {
    auto step = net->decode_step(tgt.select(1, t).narrow(0, beam, beam), state);
    EXPECT_LT((step - full.select(1, t).narrow(0, beam, beam)).abs().max().item<float>(), 1e-4) << "step " << t;
  }
}

TEST(NetworkPostNorm, PaperPostNormVariantRunsAndIsCausal) {
  auto c = tiny_config();
  c.pre_norm = false;
  torch::manual_seed(4);
  Transformer net(c);
  net->eval();
  auto src = random_tokens(1, 5, 50), tgt = random_tokens(1, 6, 50), changed = tgt.clone();
  changed[0][5] = 7;
  at::NoGradGuard g;
  EXPECT_TRUE(at::allclose(net->forward(src, tgt).narrow(1, 0, 5), net->forward(src, changed).narrow(1, 0, 5), 1e-5, 1e-5));
}

TEST(NetworkComputeType, PackedFloat32Int8AndBf16StayCloseToFloat32) {
  torch::manual_seed(5);
  auto c = tiny_config();
  c.d_model = 64;
  c.ffn = 128;
  Transformer reference(c);
  reference->eval();
  auto src = random_tokens(2, 7, 50), tgt = random_tokens(2, 5, 50);
  c10::InferenceMode guard;
  auto expected = at::log_softmax(reference->forward(src, tgt), -1);
  for (auto type : {ComputeType::Float32, ComputeType::Int8, ComputeType::BFloat16}) {
    Transformer net(c);
    net->eval();
    {
      at::NoGradGuard no_grad;
      auto from = reference->named_parameters();
      for (auto& p : net->named_parameters()) p.value().copy_(from[p.key()]);
    }
    net->set_compute_type(type);
    auto got = at::log_softmax(net->forward(src, tgt).to(at::kFloat), -1);
    const double rel = ((got - expected).norm() / expected.norm()).item<double>();
    if (type == ComputeType::Float32) {  // the packed kernels sum in another order, nothing more
      EXPECT_LT(rel, 1e-5);
      continue;
    }
    EXPECT_LT(rel, 0.03) << (type == ComputeType::Int8 ? "int8" : "bf16");
    EXPECT_GT(rel, 0.0) << "the compute type had no effect";
  }
  EXPECT_THROW(parse_compute_type("int4"), std::runtime_error);
}

TEST(NetworkComputeType, AutoIsFloat32OrBFloat16WhereItRuns) {
  const auto on_cpu = resolve_compute_type(parse_compute_type("auto"), c10::kCPU);
  EXPECT_TRUE(on_cpu == ComputeType::Float32 || on_cpu == ComputeType::BFloat16) << compute_type_name(on_cpu);
  if (on_cpu == ComputeType::BFloat16) EXPECT_EQ(resolve_compute_type(ComputeType::BFloat16, c10::kCPU), on_cpu);
  EXPECT_EQ(resolve_compute_type(ComputeType::Auto, c10::Device(c10::kCUDA)), ComputeType::BFloat16);
  Transformer net(tiny_config());
  EXPECT_THROW(net->set_compute_type(ComputeType::Auto), c10::Error);  // auto is resolved first
}
