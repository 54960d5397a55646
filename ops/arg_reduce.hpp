#pragma once
// argmax and argmin (Keras' ops.argmax, ops.argmin): the position of the
// largest or smallest entry, as a float holding an integer (kiln's class
// ids are floats too). Ties go to the first position, as numpy and
// TensorFlow. Indices are piecewise constant: the results carry no gradient.

#include "graph/tensor.hpp"

namespace kiln {

// Along `axis` (negative counts from the end): (2, 3, 4) over axis 1 ->
// (2, 4), or (2, 1, 4) with keepdims. Throws ShapeError for an axis out of
// range or of length 0.
Tensor argmax(const Tensor& x, int axis, bool keepdims = false);
Tensor argmin(const Tensor& x, int axis, bool keepdims = false);

// Over the flattened tensor (Keras' axis=None): a scalar, the row-major
// index. Throws ShapeError for an empty tensor.
Tensor argmax(const Tensor& x);
Tensor argmin(const Tensor& x);

}  // namespace kiln
