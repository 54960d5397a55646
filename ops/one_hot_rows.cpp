#include "ops/one_hot_rows.hpp"

#include <algorithm>
#include <atomic>

#include "ops/parallel.hpp"
#include "ops/row_math.hpp"

namespace kiln {

namespace {

constexpr std::int32_t not_one_hot = -2;

// The column of the single 1 in `row`, -1 when all zero, not_one_hot otherwise.
// The zeros are skipped a vector at a time (row::first_nonzero).
std::int32_t hot_column(const float* row, std::size_t cols) {
  const std::size_t hot = row::first_nonzero(row, cols);
  if (hot == cols) return -1;
  if (row[hot] != 1.0f || row::first_nonzero(row + hot + 1, cols - hot - 1) != cols - hot - 1) return not_one_hot;
  return std::int32_t(hot);
}

}  // namespace

// The rows in two halves on kiln's two threads (ops/parallel.hpp); each half
// stops at its first row that is not one-hot.
std::vector<std::int32_t> one_hot_columns(const float* x, std::size_t rows, std::size_t cols) {
  std::vector<std::int32_t> columns(rows);
  std::atomic<bool> all_hot{true};
  parallel_halves(rows, rows * cols, [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1 && all_hot.load(std::memory_order_relaxed); ++r) {
      columns[r] = hot_column(x + r * cols, cols);
      if (columns[r] == not_one_hot) all_hot = false;
    }
  });
  if (!all_hot) return {};
  return columns;
}

// One pass over each output row (the bias added as the row is copied), the
// rows in two halves on kiln's two threads.
void gather_table_rows(std::span<const std::int32_t> columns, const float* table, std::size_t width,
                       const float* bias, float* out) {
  parallel_halves(columns.size(), 2 * columns.size() * width, [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
      float* __restrict dst = out + r * width;
      if (columns[r] < 0) {
        if (bias) std::copy_n(bias, width, dst);
        else std::fill_n(dst, width, 0.0f);
        continue;
      }
      const float* __restrict src = table + std::size_t(columns[r]) * width;
      if (!bias) {
        std::copy_n(src, width, dst);
        continue;
      }
      for (std::size_t j = 0; j < width; ++j) dst[j] = src[j] + bias[j];
    }
  });
}

// On the caller alone: split by columns over kiln's two threads it was
// slower (0.98x of a seed step), each thread reading half of every row.
void scatter_add_rows(const std::vector<std::int32_t>& columns, const float* d_out, std::size_t width,
                      float* table_grad) {
  for (std::size_t r = 0; r < columns.size(); ++r) {
    if (columns[r] < 0) continue;
    const float* __restrict src = d_out + r * width;
    float* __restrict dst = table_grad + std::size_t(columns[r]) * width;
    for (std::size_t j = 0; j < width; ++j) dst[j] += src[j];
  }
}

}  // namespace kiln
