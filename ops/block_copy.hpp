#pragma once
// Raw row-block copies behind the shape ops (concat, slice, stack, gather).
// A contiguous row-major tensor split around one axis is `outer` blocks of
// contiguous floats, so moving data along any axis is a loop of memcpys,
// never an element-by-element walk through xtensor views.

#include <algorithm>
#include <cstddef>

namespace kiln {

// dst[0..n) = src[0..n), or += when `accumulate` (a gradient already there).
inline void copy_or_add(const float* src, std::size_t n, float* dst, bool accumulate) {
  if (!accumulate) {
    std::copy_n(src, n, dst);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) dst[i] += src[i];
}

// `rows` runs of `width` floats, the r-th read at src + r * src_stride and
// written (or added) at dst + r * dst_stride.
inline void copy_rows(const float* src, std::size_t src_stride, float* dst, std::size_t dst_stride,
                      std::size_t rows, std::size_t width, bool accumulate = false) {
  for (std::size_t r = 0; r < rows; ++r) {
    copy_or_add(src + r * src_stride, width, dst + r * dst_stride, accumulate);
  }
}

}  // namespace kiln
