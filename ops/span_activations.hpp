#pragma once
// sigmoid and tanh in place over a span of raw floats, vectorised with xsimd.
// The fused recurrent ops (ops/gru.cpp, ops/lstm.cpp) call these on every
// gate of every step: the transcendental functions are most of their
// elementwise work, and scalar std::exp / std::tanh would not vectorise.

#include <cmath>
#include <cstddef>

#include <xsimd/xsimd.hpp>

namespace kiln::span {

// p[i] = 1 / (1 + exp(-p[i])); exp overflowing to inf gives exactly 0.
inline void sigmoid(float* p, std::size_t n) {
  using batch = xsimd::batch<float>;
  constexpr std::size_t width = batch::size;
  const batch one(1.0f);
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    const batch v = xsimd::load_unaligned(p + i);
    (one / (one + xsimd::exp(-v))).store_unaligned(p + i);
  }
  for (; i < n; ++i) p[i] = 1.0f / (1.0f + std::exp(-p[i]));
}

// p[i] = tanh(p[i])
inline void tanh(float* p, std::size_t n) {
  using batch = xsimd::batch<float>;
  constexpr std::size_t width = batch::size;
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    xsimd::tanh(xsimd::load_unaligned(p + i)).store_unaligned(p + i);
  }
  for (; i < n; ++i) p[i] = std::tanh(p[i]);
}

}  // namespace kiln::span
