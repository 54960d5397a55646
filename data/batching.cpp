#include "data/batching.hpp"

#include <cstring>
#include <numeric>

#include "data/batch.hpp"
#include "graph/error.hpp"

namespace kiln {

std::size_t rows_in(const Array& a) { return a.dimension() == 0 ? 0 : a.shape()[0]; }

std::size_t samples_in(const std::vector<Array>& x) { return x.empty() ? 0 : rows_in(x[0]); }

namespace {
std::size_t row_size(const Array& a) { return a.dimension() == 0 ? 1 : a.size() / a.shape()[0]; }
}  // namespace

Array take_rows(const Array& a, const std::vector<std::size_t>& rows) {
  if (a.dimension() == 0) throw ShapeError("take_rows: a scalar has no rows");
  Shape shape = a.shape();
  shape[0] = rows.size();
  Array out = Array::from_shape(shape);
  const std::size_t n = row_size(a);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] >= a.shape()[0]) {
      throw ShapeError("take_rows: row " + std::to_string(rows[i]) + " out of range for " + to_string(a.shape()));
    }
    std::memcpy(out.data() + i * n, a.data() + rows[i] * n, n * sizeof(float));
  }
  return out;
}

Array row_range(const Array& a, std::size_t begin, std::size_t end) {
  std::vector<std::size_t> rows(end - begin);
  std::iota(rows.begin(), rows.end(), begin);
  return take_rows(a, rows);
}

Array concat_rows(const std::vector<Array>& parts) {
  if (parts.empty()) throw Error("concat_rows: nothing to concatenate");
  Shape shape = parts[0].shape();
  std::size_t total = 0;
  for (const auto& p : parts) {
    if (p.dimension() != shape.size() || !std::equal(shape.begin() + 1, shape.end(), p.shape().begin() + 1)) {
      throw_shape_error("concat_rows", "rows of different shapes:", parts[0].shape(), p.shape());
    }
    total += p.shape()[0];
  }
  shape[0] = total;
  Array out = Array::from_shape(shape);
  float* dst = out.data();
  for (const auto& p : parts) dst = std::copy(p.data(), p.data() + p.size(), dst);
  return out;
}

Batch batch_rows(const Batch& batch, std::size_t begin, std::size_t end) {
  Batch part;
  for (const auto& a : batch.x) part.x.push_back(row_range(a, begin, end));
  for (const auto& a : batch.y) part.y.push_back(row_range(a, begin, end));
  if (batch.sample_weight) part.sample_weight = row_range(*batch.sample_weight, begin, end);
  return part;
}

}  // namespace kiln
