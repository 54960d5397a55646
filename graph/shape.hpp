#pragma once
// Shapes are xtensor's own small-buffer vector, so taking a tensor's shape or
// building a result never converts between container types.

#include <cstddef>
#include <string>

#include <xsimd/memory/xsimd_aligned_allocator.hpp>
#include <xtensor/xarray.hpp>

namespace kiln {

// Row-major float32 storage used for every value and gradient. The
// allocator is named, not xtensor's default: that default depends on
// XTENSOR_USE_XSIMD and -march (16-byte aligned for SSE, 64 for AVX-512,
// std::allocator without xsimd), so a program built with other flags than
// libkiln would see another Array type. 64 bytes suits every vector width.
using ArrayAllocator = xsimd::aligned_allocator<float, 64>;
using Array = xt::xarray<float, xt::layout_type::row_major, ArrayAllocator>;
using Shape = Array::shape_type;

// "(3, 4)"; a scalar prints as "()".
std::string to_string(const Shape& shape);

// Number of elements a shape holds (1 for a scalar).
std::size_t element_count(const Shape& shape);

}  // namespace kiln
