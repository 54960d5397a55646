// parallel_halves: every item once, on the caller or the helper; errors
// from either half reach the caller; nested and logged calls stay on the
// caller. And the ops that use it (attention, the recurrent sequence, layer
// normalization, the losses, bias gradients, one-hot inputs, Adam) give the
// same bits on one thread and on two.

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "graph/backward.hpp"
#include "ops/additive_attention.hpp"
#include "ops/arithmetic.hpp"
#include "ops/blas.hpp"
#include "ops/cross_entropy.hpp"
#include "ops/dot_product_attention.hpp"
#include "ops/dropout_add.hpp"
#include "ops/gemm_log.hpp"
#include "ops/gru.hpp"
#include "ops/layer_norm.hpp"
#include "ops/linear.hpp"
#include "ops/one_hot.hpp"
#include "ops/parallel.hpp"
#include "ops/reductions.hpp"
#include "ops/softmax.hpp"
#include "optimizers/adam.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

namespace {

// Sets kiln's thread count for one test case.
struct Threads {
  int before = num_threads();
  explicit Threads(int n) { set_num_threads(n); }
  ~Threads() { set_num_threads(before); }
};

// How often each item ran, and whether any ran off the calling thread.
struct Coverage {
  std::vector<std::atomic<int>> runs;
  std::atomic<bool> elsewhere{false};
  explicit Coverage(std::size_t n) : runs(n) {}
};

void cover(std::size_t n, Coverage& c, std::size_t flops = parallel_min_flops) {
  const auto caller = std::this_thread::get_id();
  parallel_halves(n, flops, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) ++c.runs[i];
    if (std::this_thread::get_id() != caller) c.elsewhere = true;
  });
}

}  // namespace

TEST_CASE("parallel_halves runs every item once, the second half on the helper when two threads are set") {
  for (const int threads : {1, 2}) {
    Threads set(threads);
    for (const std::size_t n : {0, 1, 2, 3, 7, 64, 1001}) {
      INFO("threads " << threads << ", n " << n);
      Coverage c(n);
      cover(n, c);
      for (std::size_t i = 0; i < n; ++i) CHECK(c.runs[i] == 1);
      CHECK(c.elsewhere == (threads == 2 && n >= 2));
    }
  }
}

TEST_CASE("parallel_halves keeps work below parallel_min_flops on the caller") {
  Threads set(2);
  Coverage c(64);
  cover(64, c, parallel_min_flops - 1);
  for (std::size_t i = 0; i < 64; ++i) CHECK(c.runs[i] == 1);
  CHECK_FALSE(c.elsewhere);
}

TEST_CASE("parallel_halves passes an error from either half to the caller, and the helper keeps working") {
  Threads set(2);
  for (const bool in_first : {true, false}) {
    CHECK_THROWS_WITH_AS(parallel_halves(10, parallel_min_flops,
                                         [&](std::size_t begin, std::size_t) {
                                           if ((begin == 0) == in_first) throw std::runtime_error("half failed");
                                         }),
                         "half failed", std::runtime_error);
  }
  Coverage c(10);
  cover(10, c);
  for (std::size_t i = 0; i < 10; ++i) CHECK(c.runs[i] == 1);
}

TEST_CASE("parallel_halves called inside a half, or while a GemmLog records, runs on its caller") {
  Threads set(2);
  std::atomic<int> inner_items{0};
  std::atomic<bool> inner_elsewhere{false};
  parallel_halves(2, parallel_min_flops, [&](std::size_t, std::size_t) {
    const auto caller = std::this_thread::get_id();
    parallel_halves(5, parallel_min_flops, [&](std::size_t begin, std::size_t end) {
      inner_items += int(end - begin);
      if (std::this_thread::get_id() != caller) inner_elsewhere = true;
    });
  });
  CHECK(inner_items == 10);
  CHECK_FALSE(inner_elsewhere);

  GemmLog log;
  Coverage c(8);
  cover(8, c);
  CHECK_FALSE(c.elsewhere);
}

TEST_CASE("dot_product_attention gives the same bits on one thread and on two, gradients included") {
  // 2 * 24 * 2 * 40 * 41 * (16 + 16) flops: above parallel_min_flops, so two threads do split it.
  const Array q = random_array({24, 40, 32}, 1), k = random_array({24, 41, 32}, 2), v = random_array({24, 41, 32}, 3);
  Array keep = xt::ones<float>({24, 1, 41});
  keep(1, 0, 6) = keep(4, 0, 0) = 0.0f;
  std::vector<Array> results[2];
  for (const int threads : {1, 2}) {
    Threads set(threads);
    std::mt19937_64 rng(9);
    Tensor tq(q, true), tk(k, true), tv(v, true);
    const Tensor out = dot_product_attention(
        tq, tk, tv, {.heads = 2, .scale = 0.4f, .mask = &keep, .causal = true, .dropout = 0.2f, .rng = &rng});
    backward(sum(out * out));
    results[threads - 1] = {out.value(), tq.grad(), tk.grad(), tv.grad()};
  }
  for (std::size_t i = 0; i < 4; ++i) CHECK(results[0][i] == results[1][i]);
}


TEST_CASE("additive_attention_scores gives the same bits on one thread and on two, gradients included") {
  // 24 batch rows: above parallel_min_flops, split 12 + 12; 7 rows: below it, run
  // on the caller, the backward still in its fixed halves of 3 + 4.
  for (const std::size_t batch : {24, 7}) {
    const Array keys = random_array({batch, 20, 32}, 1), queries = random_array({batch, 16 + batch % 3, 32}, 2),
                v = random_array({32}, 3);
    std::vector<Array> results[2];
    for (const int threads : {1, 2}) {
      Threads set(threads);
      Tensor tk(keys, true), tq(queries, true), tv(v, true);
      const Tensor scores = additive_attention_scores(tk, tq, tv);
      backward(sum(scores * scores));
      results[threads - 1] = {scores.value(), tk.grad(), tq.grad(), tv.grad()};
    }
    for (std::size_t i = 0; i < 4; ++i) CHECK(results[0][i] == results[1][i]);
  }
}

TEST_CASE("gru_sequence gives the same bits on one thread and on two, gradients included") {
  // 40 batch rows of 48 units: each step's rows split 16 + 24, a masked step included.
  const Array x = random_array({40, 6, 10}, 1), h0 = random_array({40, 48}, 2), kernel = random_array({10, 144}, 3),
              recurrent = random_array({48, 144}, 4), bias = random_array({2, 144}, 5);
  Array mask = xt::ones<float>({40, 6});
  mask(3, 2) = mask(30, 5) = 0.0f;
  std::vector<Array> results[2];
  for (const int threads : {1, 2}) {
    Threads set(threads);
    Tensor tx(x, true), th(h0, true), tk(kernel, true), tr(recurrent, true), tb(bias, true);
    const Tensor out = gru_sequence(tx, th, tk, tr, tb, {.mask = &mask});
    backward(sum(out * out));
    results[threads - 1] = {out.value(), tx.grad(), th.grad(), tk.grad(), tr.grad(), tb.grad()};
  }
  // dx = dXP kernel^T is one product after the loop, split by ops/blas.cpp: at
  // this shape OpenBLAS rounds its halves differently from the whole.
  CHECK(xt::allclose(results[0][1], results[1][1], 1e-4, 1e-5));
  for (const std::size_t i : {0, 2, 3, 4, 5}) {
    INFO("result " << i);
    CHECK(results[0][i] == results[1][i]);
  }
}

TEST_CASE("layer_norm gives the same bits on one thread and on two, gradients included") {
  // 501 rows of 64 (above parallel_min_flops): forward 251 + 250 rows, backward in its fixed halves of
  // 250 + 251, whose sums for gamma and beta are added after.
  const Array x = random_array({501, 64}, 1), gamma = random_array({64}, 2), beta = random_array({64}, 3);
  std::vector<Array> results[2];
  for (const int threads : {1, 2}) {
    Threads set(threads);
    Tensor tx(x, true), tg(gamma, true), tb(beta, true);
    const Tensor y = layer_norm(tx, tg, tb, {});
    backward(sum(y * y * tx));
    results[threads - 1] = {y.value(), tx.grad(), tg.grad(), tb.grad()};
  }
  for (std::size_t i = 0; i < 4; ++i) CHECK(results[0][i] == results[1][i]);
}

TEST_CASE("losses, bias gradients, one-hot inputs and Adam give the same bits on one thread and on two") {
  // Every size above parallel_min_flops: 800 rows of 343 classes; 40 x 40
  // one-hot words of 400 into a GRU of 64 units; 30000 weights for Adam.
  const Array x = random_array({800, 24}, 1), kernel = random_array({24, 343}, 2), bias = random_array({343}, 3);
  Array targets = xt::zeros<float>({800, 343});
  for (std::size_t r = 0; r < 800; ++r) targets(r, (r * 37) % 343) = 1.0f;
  std::mt19937 words_rng(4);
  Array words = Array::from_shape({40, 40});
  for (float& w : words) w = float(words_rng() % 400);
  const Array words_hot = one_hot(words, 400).value();
  const Array h0 = random_array({40, 64}, 5), gru_kernel = random_array({400, 192}, 6),
              recurrent = random_array({64, 192}, 7), gru_bias = random_array({2, 192}, 8);
  const Array weights = random_array({30000}, 9), weight_grad = random_array({30000}, 10);
  std::vector<Array> results[2];
  for (const int threads : {1, 2}) {
    Threads set(threads);
    Tensor tk(kernel, true), tb(bias, true);
    const Tensor logits = linear(Tensor(x), tk, tb);
    const Tensor loss = categorical_cross_entropy(softmax(logits), targets) + softmax_cross_entropy(logits, targets);
    backward(loss);
    Tensor gk(gru_kernel, true), gb(gru_bias, true);
    const Tensor out = gru_sequence(Tensor(words_hot), Tensor(h0), gk, Tensor(recurrent), gb);
    backward(sum(out * out));
    Tensor w(weights, true);
    backward(sum(w * Tensor(weight_grad)));
    Adam adam;
    adam.apply_gradients({w});
    adam.apply_gradients({w});
    results[threads - 1] = {loss.value(), tk.grad(), tb.grad(), out.value(), gk.grad(), gb.grad(), w.value()};
  }
  for (std::size_t i = 0; i < results[0].size(); ++i) {
    INFO("result " << i);
    CHECK(results[0][i] == results[1][i]);
  }
}

TEST_CASE("dropout_add and linear give the same bits and flags on one thread and on two") {
  // 1600 x 128 elements: the draws, the forward and the backward all split; linear's rows too.
  const Array x = random_array({1600, 128}, 1), residual = random_array({1600, 128}, 2),
              kernel = random_array({128, 96}, 3), bias = random_array({96}, 4);
  std::vector<Array> results[2];
  for (const int threads : {1, 2}) {
    Threads set(threads);
    std::mt19937_64 rng(5);
    Tensor tx(x, true), tr(residual, true), tk(kernel, true), tb(bias, true);
    const Tensor y = dropout_add(tx, tr, 0.3f, true, rng);
    const Tensor z = linear(y, tk, tb, true);
    backward(sum(z * z));
    // One output over 2002 rows: a matrix-vector product, split where sgemv's blocks start.
    const Tensor head = linear(Tensor(random_array({2002, 300}, 6)), Tensor(random_array({300, 1}, 7)), Tensor());
    results[threads - 1] = {y.value(), z.value(), tx.grad(), tr.grad(), tk.grad(), tb.grad(), head.value()};
  }
  for (std::size_t i = 0; i < results[0].size(); ++i) {
    INFO("result " << i);
    CHECK(results[0][i] == results[1][i]);
  }
}

TEST_CASE("products split over kiln's second thread give the same bits as on one thread") {
  // Tall (rows split) and wide (columns split) products in every transpose,
  // a strided one (a column block of a wider matrix), and both matrix-vector forms.
  struct Product { bool ta, tb; int m, n, k; };
  const std::vector<Product> products = {{false, false, 300, 40, 70}, {true, false, 300, 40, 70},
                                         {false, true, 40, 300, 70},  {true, true, 41, 301, 69},
                                         {false, false, 2000, 1, 300}, {true, false, 2000, 1, 300},
                                         {false, false, 2002, 1, 300}, {false, false, 2002, 70, 64},
                                         {false, false, 1, 2000, 300}, {false, true, 1, 2000, 300},
                                         {false, false, 64, 288, 96},  {true, false, 192, 343, 1216}};
  for (const Product& p : products) {
    INFO("ta " << p.ta << " tb " << p.tb << " m " << p.m << " n " << p.n << " k " << p.k);
    const Array a = random_array({std::size_t(p.m * p.k)}, 1), b = random_array({std::size_t(p.k * p.n)}, 2);
    const Array c0 = random_array({std::size_t(p.m * p.n)}, 3);
    Array out[2] = {c0, c0};
    for (const int threads : {1, 2}) {
      Threads set(threads);
      gemm(p.ta, p.tb, p.m, p.n, p.k, 0.5f, a.data(), b.data(), 0.25f, out[threads - 1].data());
    }
    CHECK(out[0] == out[1]);
  }
  // C (200, 30) = A (200, 64) B (64, 30), all three column blocks of wider matrices.
  const Array a = random_array({200 * 100}, 4), b = random_array({64 * 50}, 5);
  Array out[2] = {xt::zeros<float>({200 * 40}), xt::zeros<float>({200 * 40})};
  for (const int threads : {1, 2}) {
    Threads set(threads);
    gemm_strided(false, false, 200, 30, 64, 1.0f, a.data() + 3, 100, b.data() + 7, 50, 0.0f, out[threads - 1].data() + 5,
                 40);
  }
  CHECK(out[0] == out[1]);
}

TEST_CASE("while an OpenBlasOnItsOwn lives, kiln leaves both threads to OpenBLAS") {
  Threads set(2);
  CHECK(kiln_runs_second_thread());
  {
    const OpenBlasOnItsOwn reference;
    CHECK_FALSE(kiln_runs_second_thread());
    Coverage c(16);
    cover(16, c);
    CHECK_FALSE(c.elsewhere);
  }
  CHECK(kiln_runs_second_thread());
}

TEST_CASE("parallel_halves splits at a multiple of its alignment, or not at all") {
  Threads set(2);
  auto split_starts = [](std::size_t n, std::size_t align) {
    std::vector<std::size_t> starts;
    std::mutex m;
    parallel_halves(n, parallel_min_flops, [&](std::size_t begin, std::size_t) {
      std::lock_guard<std::mutex> lock(m);
      starts.push_back(begin);
    }, align);
    std::sort(starts.begin(), starts.end());
    return starts;
  };
  using Starts = std::vector<std::size_t>;
  // The multiple of 64 nearest n / 2, unless a half would be empty (60, 64).
  CHECK(split_starts(60, 64) == Starts{0});
  CHECK(split_starts(64, 64) == Starts{0});
  CHECK(split_starts(100, 64) == Starts{0, 64});
  CHECK(split_starts(128, 64) == Starts{0, 64});
  CHECK(split_starts(200, 64) == Starts{0, 128});
  CHECK(split_starts(343, 64) == Starts{0, 192});
  // Not when the smaller half would be under a quarter of the whole: 16 + 1 rows.
  CHECK(split_starts(17, 16) == Starts{0});
  CHECK(split_starts(24, 16) == Starts{0, 16});
}
