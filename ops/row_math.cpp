#include "ops/row_math.hpp"

#include <algorithm>
#include <cmath>
#include <xsimd/xsimd.hpp>

namespace kiln::row {

namespace {

using batch = xsimd::batch<float>;
constexpr std::size_t width = batch::size;

}  // namespace

float max(const float* x, std::size_t n) {
  std::size_t i = 0;
  float m = x[0];
  if (n >= width) {
    batch acc = xsimd::load_unaligned(x);
    for (i = width; i + width <= n; i += width) acc = xsimd::max(acc, xsimd::load_unaligned(x + i));
    alignas(64) float lanes[width];
    acc.store_aligned(lanes);
    m = *std::max_element(lanes, lanes + width);
  }
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

float sum(const float* x, std::size_t n) {
  batch acc(0.0f);
  std::size_t i = 0;
  for (; i + width <= n; i += width) acc += xsimd::load_unaligned(x + i);
  float total = xsimd::hadd(acc);
  for (; i < n; ++i) total += x[i];
  return total;
}

float dot(const float* a, const float* b, std::size_t n) {
  batch acc(0.0f);
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    acc = xsimd::fma(xsimd::load_unaligned(a + i), xsimd::load_unaligned(b + i), acc);
  }
  float total = xsimd::hadd(acc);
  for (; i < n; ++i) total += a[i] * b[i];
  return total;
}

float exp_shifted(const float* x, float shift, float* y, std::size_t n) {
  const batch s(shift);
  batch acc(0.0f);
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    const batch e = xsimd::exp(xsimd::load_unaligned(x + i) - s);
    e.store_unaligned(y + i);
    acc += e;
  }
  float total = xsimd::hadd(acc);
  for (; i < n; ++i) {
    y[i] = std::exp(x[i] - shift);
    total += y[i];
  }
  return total;
}

}  // namespace kiln::row
