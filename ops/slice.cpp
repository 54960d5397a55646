#include "ops/slice.hpp"

#include <algorithm>
#include <string>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/axis.hpp"
#include "ops/block_copy.hpp"

namespace kiln {

namespace {

// Copies entries [start, start + count) of axis `ax` of x into a new array of
// shape `out_shape` (slice keeps the axis, select drops it).
// d slice(x) = g at the taken entries, zeros everywhere else
Tensor take_range(const Tensor& x, std::size_t ax, std::size_t start, std::size_t count,
                  const Shape& out_shape) {
  const AxisSplit s = split_at_axis(x.shape(), ax);
  const std::size_t src_block = s.n * s.inner, width = count * s.inner;
  Array y = Array::from_shape(out_shape);
  copy_rows(x.value().data() + start * s.inner, src_block, y.data(), width, s.outer, width);

  return record(std::move(y), {x}, [gx = x.grad_ref(), s, start, width](const Array& g) {
    const std::size_t src_block = s.n * s.inner;
    const GradTarget dx = grad_target(gx);
    if (!dx.accumulate) std::fill_n(dx.data, element_count(gx.shape()), 0.0f);
    copy_rows(g.data(), width, dx.data + start * s.inner, src_block, s.outer, width, dx.accumulate);
  });
}

}  // namespace

Tensor slice(const Tensor& x, int axis, std::size_t start, std::size_t stop) {
  const std::size_t ax = normalize_axis("slice", axis, x.shape());
  if (start >= stop || stop > x.shape()[ax]) {
    throw ShapeError("slice: range [" + std::to_string(start) + ", " + std::to_string(stop) +
                     ") of axis " + std::to_string(axis) + " is empty or outside shape " +
                     to_string(x.shape()));
  }
  Shape out_shape = x.shape();
  out_shape[ax] = stop - start;
  return take_range(x, ax, start, stop - start, out_shape);
}

Tensor select(const Tensor& x, int axis, std::size_t index) {
  const std::size_t ax = normalize_axis("select", axis, x.shape());
  if (index >= x.shape()[ax]) {
    throw ShapeError("select: index " + std::to_string(index) + " is out of range for axis " +
                     std::to_string(axis) + " of shape " + to_string(x.shape()));
  }
  Shape out_shape;
  for (std::size_t i = 0; i < x.ndim(); ++i) {
    if (i != ax) out_shape.push_back(x.shape()[i]);
  }
  return take_range(x, ax, index, 1, out_shape);
}

}  // namespace kiln
