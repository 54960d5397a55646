#pragma once
// Shapes are xtensor's own small-buffer vector, so taking a tensor's shape or
// building a result never converts between container types.

#include <cstddef>
#include <string>

#include <xtensor/xarray.hpp>

namespace kiln {

// Row-major float32 storage used for every value and gradient.
using Array = xt::xarray<float, xt::layout_type::row_major>;
using Shape = Array::shape_type;

// "(3, 4)"; a scalar prints as "()".
std::string to_string(const Shape& shape);

// Number of elements a shape holds (1 for a scalar).
std::size_t element_count(const Shape& shape);

}  // namespace kiln
