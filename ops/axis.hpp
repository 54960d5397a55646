#pragma once
// Axis arguments shared by the ops that work along one axis (softmax,
// reductions): Python-style negative axes, and the (outer, n, inner) view of
// a row-major array that lets those ops run as plain loops over raw floats.

#include <cstddef>

#include "graph/shape.hpp"

namespace kiln {

// Maps `axis` (negative counts from the end, as in numpy) into [0, rank).
// Throws ShapeError "op: axis 3 is out of range for shape (2, 3)" otherwise.
std::size_t normalize_axis(const char* op, int axis, const Shape& shape);

// A row-major array seen as (outer, n, inner) around one axis of length n:
// element (o, j, k) sits at (o * n + j) * inner + k.
struct AxisSplit {
  std::size_t outer = 1;
  std::size_t n = 1;
  std::size_t inner = 1;
};
AxisSplit split_at_axis(const Shape& shape, std::size_t axis);

// `shape` with `axis` removed, or set to 1 when keepdims.
Shape reduced_shape(const Shape& shape, std::size_t axis, bool keepdims);

}  // namespace kiln
