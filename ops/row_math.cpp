#include "ops/row_math.hpp"

#include "ops/kernels.hpp"
#include "ops/parallel.hpp"

// Each call goes to the instruction-set variant chosen once in ops/kernels.cpp.
namespace kiln::row {

float max(const float* x, std::size_t n) { return kernels::active().row_max(x, n); }

float sum(const float* x, std::size_t n) { return kernels::active().row_sum(x, n); }

float dot(const float* a, const float* b, std::size_t n) { return kernels::active().row_dot(a, b, n); }

float exp_shifted(const float* x, float shift, float* y, std::size_t n) {
  return kernels::active().row_exp_shifted(x, shift, y, n);
}

std::size_t first_nonzero(const float* x, std::size_t n) { return kernels::active().first_nonzero(x, n); }

}  // namespace kiln::row

namespace kiln {

void add_column_sums(const float* x, std::size_t rows, std::size_t n, float* sums) {
  parallel_halves(n, rows * n, [&](std::size_t j0, std::size_t j1) {
    kernels::active().column_sums(x + j0, rows, j1 - j0, n, sums + j0);
  }, 16);
}

}  // namespace kiln

namespace kiln::span {

void sigmoid(float* p, std::size_t n) { kernels::active().sigmoid(p, n); }

void tanh(float* p, std::size_t n) { kernels::active().tanh(p, n); }

}  // namespace kiln::span
