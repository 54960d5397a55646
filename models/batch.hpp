#pragma once
// Batch: one step's data, as Keras' train_step(data) receives it: the
// model's inputs, the targets, and optional per-sample (N) or per-step
// (N, T) weights (a padding mask is one).

#include <optional>
#include <vector>

#include "graph/shape.hpp"

namespace kiln {

struct Batch {
  std::vector<Array> x;
  std::vector<Array> y;
  std::optional<Array> sample_weight;
};

}  // namespace kiln
