#include "ops/axis.hpp"

#include <string>

#include "graph/error.hpp"

namespace kiln {

std::size_t normalize_axis(const char* op, int axis, const Shape& shape) {
  const int rank = int(shape.size());
  const int a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    throw ShapeError(std::string(op) + ": axis " + std::to_string(axis) +
                     " is out of range for shape " + to_string(shape));
  }
  return std::size_t(a);
}

AxisSplit split_at_axis(const Shape& shape, std::size_t axis) {
  AxisSplit s;
  for (std::size_t i = 0; i < axis; ++i) s.outer *= shape[i];
  s.n = shape[axis];
  for (std::size_t i = axis + 1; i < shape.size(); ++i) s.inner *= shape[i];
  return s;
}

Shape reduced_shape(const Shape& shape, std::size_t axis, bool keepdims) {
  Shape out;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != axis)
      out.push_back(shape[i]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

}  // namespace kiln
