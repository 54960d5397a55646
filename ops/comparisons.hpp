#pragma once
// Element-wise comparisons with numpy broadcasting (Keras' ops.equal,
// not_equal, less, less_equal, greater, greater_equal). Results are 1.0
// where the comparison holds and 0.0 elsewhere: kiln's boolean, ready for
// where() or as a mask or sample weight. They are piecewise constant, so
// they need no gradient and carry none. NaN compares false, except
// not_equal, as IEEE says. Shapes that do not broadcast throw ShapeError
// naming the comparison and both shapes.

#include "graph/tensor.hpp"

namespace kiln {

Tensor equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);

// Against a constant: greater(x, 0.5f).
Tensor equal(const Tensor& x, float c);
Tensor not_equal(const Tensor& x, float c);
Tensor less(const Tensor& x, float c);
Tensor less_equal(const Tensor& x, float c);
Tensor greater(const Tensor& x, float c);
Tensor greater_equal(const Tensor& x, float c);

}  // namespace kiln
