// GemmLog and GemmReplay: the record of a step's matrix products that
// kiln-bench times as the step's BLAS floor.

#include <thread>

#include "graph/backward.hpp"
#include "ops/blas.hpp"
#include "ops/gemm_log.hpp"
#include "ops/matmul.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;

namespace {

bool same_call(const GemmCall& a, const GemmCall& b) {
  return a.transpose_a == b.transpose_a && a.transpose_b == b.transpose_b && a.m == b.m && a.n == b.n &&
         a.k == b.k && a.lda == b.lda && a.ldb == b.ldb && a.ldc == b.ldc;
}

}  // namespace

TEST_CASE("GemmLog records a matmul's forward product and the two products of its backward") {
  Tensor a = kiln::testing::random_param({2, 3}, 1);
  Tensor b = kiln::testing::random_param({3, 4}, 2);
  GemmLog log;
  Tensor c = matmul(a, b);
  REQUIRE(log.calls().size() == 1);
  const GemmCall forward = log.calls()[0];
  CHECK((forward.m == 2 && forward.n == 4 && forward.k == 3 && !forward.transpose_a && !forward.transpose_b));
  backward(sum(c));
  REQUIRE(log.calls().size() == 3);  // dA = dC B^T (2x4 . 4x3) and dB = A^T dC (3x2 . 2x4)
  double flops = 0.0;
  for (const GemmCall& call : log.calls()) flops += call.flops();
  CHECK(log.flops() == doctest::Approx(flops));
  CHECK(log.flops() == doctest::Approx(3 * 2.0 * 2 * 3 * 4));
}

TEST_CASE("GemmLogs nest (the innermost records) and record only their own thread") {
  std::vector<float> a(6, 1.0f), b(6, 1.0f), c(4);
  GemmLog outer;
  {
    GemmLog inner;
    gemm(false, false, 2, 2, 3, 1.0f, a.data(), b.data(), 0.0f, c.data());
    CHECK(inner.calls().size() == 1);
    CHECK(outer.calls().empty());
  }
  std::thread other([&] { gemm(false, false, 2, 2, 3, 1.0f, a.data(), b.data(), 0.0f, c.data()); });
  other.join();
  CHECK(outer.calls().empty());
  gemm(false, true, 2, 2, 3, 1.0f, a.data(), b.data(), 0.0f, c.data());
  REQUIRE(outer.calls().size() == 1);
  CHECK(outer.calls()[0].transpose_b);
  CHECK(GemmLog::active() == &outer);
}

TEST_CASE("GemmReplay performs exactly the recorded products, strided and vector ones included") {
  std::vector<float> a(64, 1.0f), b(64, 1.0f), c(64);
  GemmLog recorded;
  gemm_strided(false, false, 3, 2, 4, 1.0f, a.data(), 6, b.data(), 5, 0.0f, c.data(), 7);  // sub-matrices
  gemm(true, false, 5, 1, 3, 1.0f, a.data(), b.data(), 0.0f, c.data());                     // a matrix-vector product
  gemm(false, false, 4, 4, 0, 1.0f, a.data(), b.data(), 0.0f, c.data());                    // an empty sum
  GemmReplay replay(recorded.calls());
  GemmLog replayed;
  replay.run();
  REQUIRE(replayed.calls().size() == recorded.calls().size());
  for (std::size_t i = 0; i < recorded.calls().size(); ++i) CHECK(same_call(replayed.calls()[i], recorded.calls()[i]));
}
