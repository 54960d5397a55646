#include "ops/gather.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

namespace {

// The ids as row numbers, each checked against the table's V rows.
std::vector<std::size_t> row_ids(const Array& indices, std::size_t rows) {
  std::vector<std::size_t> ids(indices.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const float id = indices.data()[i];
    if (!(id >= 0.0f && id < float(rows) && id == std::floor(id))) {
      std::ostringstream msg;
      msg << "gather_rows: id " << id << " at position " << i << " is out of range for a table of V = "
          << rows << " rows (ids must be integers in [0, " << rows << "))";
      throw Error(msg.str());
    }
    ids[i] = std::size_t(id);
  }
  return ids;
}

}  // namespace

// d table[id] += g[i] for every position i that looked up id (repeats add up)
Tensor gather_rows(const Tensor& table, const Array& indices) {
  if (table.ndim() != 2) {
    throw ShapeError("gather_rows: expected a (V, D) table, got " + to_string(table.shape()) +
                     " for indices " + to_string(indices.shape()));
  }
  const std::size_t width = table.shape()[1];
  std::vector<std::size_t> ids = row_ids(indices, table.shape()[0]);

  Shape out_shape = indices.shape();
  out_shape.push_back(width);
  Array y = Array::from_shape(out_shape);
  const float* rows = table.value().data();
  for (std::size_t i = 0; i < ids.size(); ++i) std::copy_n(rows + ids[i] * width, width, y.data() + i * width);

  return record(std::move(y), {table},
                [to = table.grad_ref(), width, ids = std::move(ids)](const Array& g) {
                  const GradTarget dt = grad_target(to);
                  if (!dt.accumulate) std::fill_n(dt.data, element_count(to.shape()), 0.0f);
                  for (std::size_t i = 0; i < ids.size(); ++i) {
                    const float* gi = g.data() + i * width;
                    float* row = dt.data + ids[i] * width;
                    for (std::size_t k = 0; k < width; ++k) row[k] += gi[k];
                  }
                });
}

}  // namespace kiln
