#include "ops/stack.hpp"

#include <string>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/axis.hpp"
#include "ops/block_copy.hpp"
#include "ops/slice.hpp"

namespace kiln {

namespace {

// `axis` in [0, rank] for a result one axis longer than `shape`.
std::size_t stack_axis(int axis, const Shape& shape) {
  const int rank = int(shape.size()) + 1;
  const int a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    throw ShapeError("stack: axis " + std::to_string(axis) + " is out of range for stacking shape " +
                     to_string(shape) + " (the result has " + std::to_string(rank) + " axes)");
  }
  return std::size_t(a);
}

}  // namespace

// d stack(x1, .., xn) = entry i of g along `axis` for each xi
Tensor stack(const std::vector<Tensor>& tensors, int axis) {
  if (tensors.empty()) throw Error("stack: needs at least one tensor");
  const Shape& shape = tensors[0].shape();
  const std::size_t ax = stack_axis(axis, shape);
  for (const Tensor& t : tensors) {
    if (t.shape() != shape) throw_shape_error("stack", "all shapes must be equal, got", shape, t.shape());
  }

  // The result is (outer, n, inner): input i fills entry i of every block.
  Shape out_shape;
  for (std::size_t i = 0; i <= shape.size(); ++i) {
    if (i == ax) out_shape.push_back(tensors.size());
    if (i < shape.size()) out_shape.push_back(shape[i]);
  }
  const AxisSplit s = split_at_axis(out_shape, ax);
  Array y = Array::from_shape(out_shape);
  for (std::size_t i = 0; i < s.n; ++i) {
    copy_rows(tensors[i].value().data(), s.inner, y.data() + i * s.inner, s.n * s.inner, s.outer, s.inner);
  }

  return record(std::move(y), tensors, [targets = grad_refs(tensors), s](const Array& g) {
    for (std::size_t i = 0; i < s.n; ++i) {
      if (!targets[i].requires_grad()) continue;
      const GradTarget dt = grad_target(targets[i]);
      copy_rows(g.data() + i * s.inner, s.n * s.inner, dt.data, s.inner, s.outer, s.inner, dt.accumulate);
    }
  });
}

std::vector<Tensor> unstack(const Tensor& x, int axis) {
  const std::size_t n = x.shape()[normalize_axis("unstack", axis, x.shape())];
  std::vector<Tensor> parts;
  parts.reserve(n);
  for (std::size_t i = 0; i < n; ++i) parts.push_back(select(x, axis, i));
  return parts;
}

}  // namespace kiln
