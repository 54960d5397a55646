// kiln-bench ops: the engine's fixed costs.
//   op_overhead_us: one element-wise op on a 4x4 tensor, recording on the
//                   tape and its share of backward included.
//   matmul_ratio:   kiln::matmul 1280x229 @ 229x288 over raw cblas_sgemm on
//                   the same data, measured in the same run.

#include <cblas.h>

#include <cstdio>

#include "bench/timing.hpp"
#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"
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

}  // namespace

int run_ops() {
  std::printf("op_overhead_us=%.3f\n", op_overhead_us());
  std::printf("matmul_ratio=%.3f\n", matmul_ratio());
  return 0;
}

}  // namespace kiln::bench
