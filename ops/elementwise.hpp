#pragma once
// The loops behind kiln's element-wise ops of one to three same-shaped
// arrays: a function applied to each element, inlined (a lambda, no call
// through a pointer), over raw floats the compiler can vectorise. Ops that
// broadcast use xtensor's expressions instead.

#include <cstddef>

#include "graph/shape.hpp"

namespace kiln::elementwise {

// y[i] = f(x[i])
template <class F>
Array map(const Array& x, F f) {
  Array y = Array::from_shape(x.shape());
  const float* xv = x.data();
  float* yv = y.data();
  const std::size_t n = x.size();
  for (std::size_t i = 0; i < n; ++i) yv[i] = f(xv[i]);
  return y;
}

// y[i] = f(a[i], b[i]); a and b have the same shape.
template <class F>
Array map(const Array& a, const Array& b, F f) {
  Array y = Array::from_shape(a.shape());
  const float* av = a.data();
  const float* bv = b.data();
  float* yv = y.data();
  const std::size_t n = a.size();
  for (std::size_t i = 0; i < n; ++i) yv[i] = f(av[i], bv[i]);
  return y;
}

// y[i] = f(a[i], b[i], c[i]); all three have the same shape.
template <class F>
Array map(const Array& a, const Array& b, const Array& c, F f) {
  Array y = Array::from_shape(a.shape());
  const float* av = a.data();
  const float* bv = b.data();
  const float* cv = c.data();
  float* yv = y.data();
  const std::size_t n = a.size();
  for (std::size_t i = 0; i < n; ++i) yv[i] = f(av[i], bv[i], cv[i]);
  return y;
}

}  // namespace kiln::elementwise
