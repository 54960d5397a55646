#pragma once
// Row lookup in a table: the embedding op.

#include "graph/tensor.hpp"

namespace kiln {

// table (V, D), indices of any shape holding integer ids in [0, V) stored as
// floats -> indices.shape + (D), row indices[...] of the table at each place.
// Throws ShapeError unless table is 2-D, and kiln::Error naming the id and V
// for an id that is negative, fractional or >= V.
Tensor gather_rows(const Tensor& table, const Array& indices);

}  // namespace kiln
