#pragma once
// Batch: one step's data, as Keras' train_step(data) receives it: the
// model's inputs, the targets, and optional per-sample (N) or per-step
// (N, T) weights (a padding mask is one). Every array's first axis is the
// sample.

#include <optional>
#include <vector>

#include "graph/shape.hpp"

namespace kiln {

struct Batch {
  std::vector<Array> x;
  std::vector<Array> y;
  std::optional<Array> sample_weight;

  // Samples in the batch: x[0]'s first axis (0 without inputs or for a scalar).
  std::size_t rows() const { return x.empty() || x[0].dimension() == 0 ? 0 : x[0].shape()[0]; }
};

// Rows [begin, end) of every array of the batch.
Batch batch_rows(const Batch& batch, std::size_t begin, std::size_t end);

}  // namespace kiln
