#include "ops/gemm_log.hpp"

#include <algorithm>

#include "ops/blas.hpp"

namespace kiln {

namespace {
thread_local GemmLog* innermost_log = nullptr;
}

GemmLog::GemmLog() : enclosing_(innermost_log) { innermost_log = this; }
GemmLog::~GemmLog() { innermost_log = enclosing_; }

GemmLog* GemmLog::active() { return innermost_log; }

namespace {

double total_flops(const std::vector<GemmCall>& calls) {
  double total = 0.0;
  for (const GemmCall& call : calls) total += call.flops();
  return total;
}

}  // namespace

double GemmLog::flops() const { return total_flops(calls_); }

namespace {

// Floats an operand with `rows` rows `ld` apart spans (the last row only as wide as needed).
std::size_t span(int rows, int cols, int ld) {
  return rows == 0 ? 0 : std::size_t(rows - 1) * std::size_t(ld) + std::size_t(cols);
}

}  // namespace

GemmReplay::GemmReplay(std::vector<GemmCall> calls) : calls_(std::move(calls)) {
  std::size_t a = 1, b = 1, c = 1;
  for (const GemmCall& g : calls_) {
    // op(A) is (m, k): stored (m, k) or, transposed, (k, m); likewise B.
    a = std::max(a, g.transpose_a ? span(g.k, g.m, g.lda) : span(g.m, g.k, g.lda));
    b = std::max(b, g.transpose_b ? span(g.n, g.k, g.ldb) : span(g.k, g.n, g.ldb));
    c = std::max(c, span(g.m, g.n, g.ldc));
  }
  a_.assign(a, 0.01f);
  b_.assign(b, 0.02f);
  c_.assign(c, 0.0f);
}

double GemmReplay::flops() const { return total_flops(calls_); }

void GemmReplay::run() {
  // beta 0 throughout: the floor does not depend on the accumulation mode.
  for (const GemmCall& g : calls_)
    gemm_strided(g.transpose_a, g.transpose_b, g.m, g.n, g.k, 1.0f, a_.data(), g.lda, b_.data(), g.ldb, 0.0f,
                 c_.data(), g.ldc);
}

}  // namespace kiln
