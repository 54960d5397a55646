#pragma once
// Helpers shared by the tests: random data, array comparison, and the
// gradient-check assertion.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>

#include "graph/gradcheck.hpp"
#include "graph/tensor.hpp"

namespace kiln::testing {

// Uniform values in [lo, hi), reproducible from `seed`.
inline Array random_array(const Shape& shape, std::uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(lo, hi);
  Array a = Array::from_shape(shape);
  for (auto& v : a) v = uniform(rng);
  return a;
}

inline Tensor random_param(const Shape& shape, std::uint64_t seed, std::string name = "p",
                           float lo = -1.0f, float hi = 1.0f) {
  return Tensor::parameter(random_array(shape, seed, lo, hi), std::move(name));
}

// An (n, 1) column: Array{{a}, {b}} is ambiguous to xtensor's constructors.
inline Array column(std::initializer_list<float> values) {
  Array c = Array::from_shape({values.size(), 1});
  std::copy(values.begin(), values.end(), c.begin());
  return c;
}

// Largest |a - b|; +inf when the shapes differ or a NaN is anywhere in
// either (std::max would pass a NaN over silently).
inline double max_abs_diff(const Array& a, const Array& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::abs(double(a.data()[i]) - double(b.data()[i]));
    if (std::isnan(d)) return INFINITY;
    worst = std::max(worst, d);
  }
  return worst;
}

// max |got - want| relative to the largest |want| (absolute when want is all
// zeros); +inf for differing shapes or a NaN anywhere.
inline double relative_error(const Array& got, const Array& want) {
  const double diff = max_abs_diff(got, want);
  double scale = 0.0;
  for (std::size_t i = 0; i < want.size(); ++i) scale = std::max(scale, double(std::abs(want.data()[i])));
  return scale > 0.0 ? diff / scale : diff;
}

}  // namespace kiln::testing

// Asserts that the tape's gradients of f() match finite differences.
#define CHECK_GRADIENTS(f, ...)                                              \
  do {                                                                       \
    const auto gradcheck_result = ::kiln::check_gradients(f, __VA_ARGS__);   \
    INFO(gradcheck_result.report());                                         \
    CHECK(gradcheck_result.ok);                                              \
  } while (0)

// Asserts two arrays have the same shape and agree within `tol`.
#define CHECK_ARRAY_NEAR(a, b, tol)                                          \
  do {                                                                       \
    INFO("shapes " << ::kiln::to_string((a).shape()) << " vs "             \
                   << ::kiln::to_string((b).shape()));                      \
    CHECK(::kiln::testing::max_abs_diff((a), (b)) <= (tol));                 \
  } while (0)
