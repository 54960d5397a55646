#include "ops/one_hot_rows.hpp"

#include <algorithm>

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

std::vector<std::int32_t> one_hot_columns(const float* x, std::size_t rows, std::size_t cols) {
  std::vector<std::int32_t> columns(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    columns[r] = hot_column(x + r * cols, cols);
    if (columns[r] == not_one_hot) return {};
  }
  return columns;
}

void gather_table_rows(const std::vector<std::int32_t>& columns, const float* table, std::size_t width, float* out) {
  for (std::size_t r = 0; r < columns.size(); ++r) {
    float* dst = out + r * width;
    if (columns[r] < 0) {
      std::fill_n(dst, width, 0.0f);
    } else {
      std::copy_n(table + std::size_t(columns[r]) * width, width, dst);
    }
  }
}

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
