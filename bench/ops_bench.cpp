// kiln-bench ops: the engine's fixed costs.
//   op_overhead_us: one element-wise op on a 4x4 tensor, recording on the
//                   tape and its share of backward included.
//   matmul_ratio:   kiln::matmul 1280x229 @ 229x288 over raw cblas_sgemm on
//                   the same data, measured in the same run: kiln's
//                   overhead at --threads 1. (At --threads 2 kiln splits
//                   the product over its second thread while the raw call
//                   runs on OpenBLAS's one, ops/blas.hpp: about 0.5.)
//   kernel_op=...:  the ops of a Transformer step (batch 64 x
//                   20 steps x width 128, as `nmt --config transformer`),
//                   forward + backward, on every instruction set the CPU
//                   runs (ops/kernels.hpp), the variants interleaved; the
//                   x86-64-v2 variant is what the portable build ran before
//                   the op's loops were dispatched.
//   parallel_op=...: the Transformer's attention and the seed model's
//                   additive attention with kiln set to one thread and to
//                   two (half their batch rows on a helper thread,
//                   ops/parallel.hpp), interleaved.

#include <cblas.h>

#include <cstdio>

#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench/timing.hpp"
#include "graph/backward.hpp"
#include "ops/additive_attention.hpp"
#include "ops/arithmetic.hpp"
#include "ops/blas.hpp"
#include "ops/dot_product_attention.hpp"
#include "ops/dropout_add.hpp"
#include "ops/kernels.hpp"
#include "ops/layer_norm.hpp"
#include "ops/linear.hpp"
#include "ops/matmul.hpp"

namespace kiln::bench {

namespace {

double op_overhead_us() {
  constexpr int chain = 1000;
  Tensor x(Array::from_shape({4, 4}), true);
  x.mutable_value().fill(0.5f);
  Array seed = Array::from_shape({4, 4});
  seed.fill(1.0f);
  const Stats s = time_it(
      [&] {
        Tensor y = x;
        for (int i = 0; i < chain; ++i) y = y * 1.0001f;
        backward(y, seed);
        x.zero_grad();
      },
      51);
  return s.median / chain * 1e6;
}

double matmul_ratio() {
  const int m = 1280, k = 229, n = 288;
  Tensor a(Array::from_shape({std::size_t(m), std::size_t(k)}));
  Tensor b(Array::from_shape({std::size_t(k), std::size_t(n)}));
  a.mutable_value().fill(0.01f);
  b.mutable_value().fill(0.02f);
  Array c = Array::from_shape({std::size_t(m), std::size_t(n)});
  // Interleave the two so drift in machine load hits both alike.
  std::vector<double> kiln_times, blas_times;
  for (int rep = 0; rep < 60; ++rep) {
    double t0 = now_seconds();
    Tensor y = matmul(a, b);
    double t1 = now_seconds();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a.value().data(), k, b.value().data(), n,
                0.0f, c.data(), n);
    double t2 = now_seconds();
    if (rep >= 5) {
      kiln_times.push_back(t1 - t0);
      blas_times.push_back(t2 - t1);
    }
  }
  return summarize(kiln_times).median / summarize(blas_times).median;
}

Tensor filled(const Shape& shape, float lo, float hi, bool requires_grad) {
  Array a = Array::from_shape(shape);
  for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] = lo + (hi - lo) * float(i % 97) / 96.0f;
  return Tensor(std::move(a), requires_grad);
}

// Median microseconds of `op` (forward and backward) under each variant the
// CPU runs, one run of each variant per round.
void compare_variants(const char* name, const std::function<Tensor()>& op, const std::function<void()>& clear_grads) {
  const std::string initial = kernels::active().isa;
  const std::vector<std::string> isas = kernels::supported_isas();
  std::vector<std::vector<double>> times(isas.size());
  for (int round = 0; round < 63; ++round) {
    for (std::size_t v = 0; v < isas.size(); ++v) {
      kernels::use_isa(isas[v]);
      const double t0 = now_seconds();
      const Tensor y = op();
      Array seed = Array::from_shape(y.shape());
      seed.fill(1.0f);
      backward(y, seed);
      if (round >= 3) times[v].push_back(now_seconds() - t0);
      clear_grads();  // each round writes fresh gradients, as the first consumer in a step does
    }
  }
  kernels::use_isa(initial);
  std::printf("kernel_op=%s", name);
  for (std::size_t v = 0; v < isas.size(); ++v) std::printf(" %s_us=%.1f", isas[v].c_str(), summarize(times[v]).median * 1e6);
  std::printf(" speedup=%.2f\n", summarize(times.front()).median / summarize(times.back()).median);
}

// Median microseconds of `op` (forward and backward) with kiln set to one
// thread and to two, interleaved; the caller's thread setting is restored.
void compare_threads(const char* name, const std::function<Tensor()>& op, const std::function<void()>& clear_grads) {
  const int initial = num_threads();
  std::vector<double> times[2];
  for (int round = 0; round < 63; ++round) {
    for (const int threads : {1, 2}) {
      set_num_threads(threads);
      const double t0 = now_seconds();
      const Tensor y = op();
      Array seed = Array::from_shape(y.shape());
      seed.fill(1.0f);
      backward(y, seed);
      if (round >= 3) times[threads - 1].push_back(now_seconds() - t0);
      clear_grads();
    }
  }
  set_num_threads(initial);
  const double one = summarize(times[0]).median, two = summarize(times[1]).median;
  std::printf("parallel_op=%s threads1_us=%.1f threads2_us=%.1f speedup=%.2f\n", name, one * 1e6, two * 1e6, one / two);
}

void transformer_kernels() {
  const Shape rows{64, 20, 128};
  Tensor x = filled(rows, -2.0f, 2.0f, true), residual = filled(rows, -1.0f, 1.0f, true);
  Tensor gamma = filled({128}, 0.5f, 1.5f, true), beta = filled({128}, -0.1f, 0.1f, true);
  Tensor kernel = filled({128, 128}, -0.05f, 0.05f, true), bias = filled({128}, -0.1f, 0.1f, true);
  Tensor qkv = filled({64, 20, 3 * 128}, -1.0f, 1.0f, true);
  const auto clear = [&] {
    for (Tensor* t : {&x, &residual, &gamma, &beta, &kernel, &bias, &qkv}) t->zero_grad();
  };
  std::mt19937_64 rng(3);
  compare_variants("layer_norm", [&] { return layer_norm(x, gamma, beta); }, clear);
  compare_variants("dropout_add", [&] { return dropout_add(x, residual, 0.1f, true, rng); }, clear);
  // A Dense layer: its three products dominate; the bias gradient's column sums are the dispatched part.
  compare_variants("dense", [&] { return linear(x, kernel, bias); }, clear);
  compare_variants("self_attention_dropout", [&] {
    return dot_product_self_attention(qkv, {.heads = 4, .scale = 0.176f, .causal = true, .dropout = 0.1f, .rng = &rng});
  }, clear);
  // The seed model's Bahdanau scores: batch 64, 20 steps each side, width 96.
  Tensor keys = filled({64, 20, 96}, -1.0f, 1.0f, true), queries = filled({64, 20, 96}, 1.0f, -1.0f, true),
         v = filled({96}, -0.2f, 0.2f, true);
  compare_threads("additive_attention", [&] { return additive_attention_scores(keys, queries, v); }, [&] {
    clear();
    for (Tensor* t : {&keys, &queries, &v}) t->zero_grad();
  });
  compare_threads("self_attention_dropout", [&] {
    return dot_product_self_attention(qkv, {.heads = 4, .scale = 0.176f, .causal = true, .dropout = 0.1f, .rng = &rng});
  }, clear);
}

}  // namespace

int run_ops() {
  std::printf("op_overhead_us=%.3f\n", op_overhead_us());
  std::printf("matmul_ratio=%.3f\n", matmul_ratio());
  transformer_kernels();
  return 0;
}

}  // namespace kiln::bench
