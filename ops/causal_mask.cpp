#include "ops/causal_mask.hpp"

#include <algorithm>

namespace kiln {

namespace {

// Writes the (rows, cols) triangle keep[i][j] = (j <= i) at `out`.
void write_triangle(float* out, std::size_t rows, std::size_t cols) {
  for (std::size_t i = 0; i < rows; ++i) {
    float* row = out + i * cols;
    const std::size_t kept = std::min(i + 1, cols);
    std::fill(row, row + kept, 1.0f);
    std::fill(row + kept, row + cols, 0.0f);
  }
}

}  // namespace

Tensor causal_mask(std::size_t query_length, std::size_t value_length) {
  Array mask = Array::from_shape({query_length, value_length});
  write_triangle(mask.data(), query_length, value_length);
  return Tensor(std::move(mask));
}

Tensor causal_mask(std::size_t batch, std::size_t query_length, std::size_t value_length) {
  Array mask = Array::from_shape({batch, query_length, value_length});
  const std::size_t one = query_length * value_length;
  if (batch > 0) write_triangle(mask.data(), query_length, value_length);
  for (std::size_t b = 1; b < batch; ++b) std::copy_n(mask.data(), one, mask.data() + b * one);
  return Tensor(std::move(mask));
}

}  // namespace kiln
