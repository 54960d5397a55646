#pragma once
// A record of the matrix products kiln performs. Benchmarks use it to time
// the BLAS floor of a step from exactly the products the step made (shapes,
// transposes, strides, and whether BLAS saw a matrix-vector product), rather
// than from a hand-kept list that drifts from the code.

#include <vector>

namespace kiln {

struct GemmCall {
  bool transpose_a = false, transpose_b = false;
  int m = 0, n = 0, k = 0;
  int lda = 0, ldb = 0, ldc = 0;

  double flops() const { return 2.0 * double(m) * double(n) * double(k); }
};

// While a GemmLog lives, every gemm() and gemm_strided() on its thread is
// appended to it (logs nest: the innermost one records). The cost when no log
// is active is one thread-local load per product.
class GemmLog {
 public:
  GemmLog();
  ~GemmLog();
  GemmLog(const GemmLog&) = delete;
  GemmLog& operator=(const GemmLog&) = delete;

  const std::vector<GemmCall>& calls() const { return calls_; }
  double flops() const;

  // The innermost live log of this thread, or nullptr.
  static GemmLog* active();
  void record(const GemmCall& call) { calls_.push_back(call); }

 private:
  std::vector<GemmCall> calls_;
  GemmLog* enclosing_;
};

// Runs every recorded product alone, through ops/blas as the step did (split
// over kiln's second thread where it runs one), on scratch operands of the
// recorded sizes (products of n == 1 or m == 1 as sgemv, as ops/blas does).
// Timing this gives the floor of the BLAS work the recorded code performed.
class GemmReplay {
 public:
  explicit GemmReplay(std::vector<GemmCall> calls);
  void run();

  std::size_t size() const { return calls_.size(); }
  double flops() const;

 private:
  std::vector<GemmCall> calls_;
  std::vector<float> a_, b_, c_;
};

}  // namespace kiln
