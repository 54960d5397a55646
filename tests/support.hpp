#pragma once
// Helpers shared by the tests: random data, array comparison, and the
// gradient-check assertion.

#include <doctest/doctest.h>

#include <cstdint>
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

// Largest |a - b|, or +inf when the shapes differ.
inline double max_abs_diff(const Array& a, const Array& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, double(std::abs(a.data()[i] - b.data()[i])));
  }
  return worst;
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
