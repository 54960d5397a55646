#include "ops/arg_reduce.hpp"

#include <string>

#include "graph/error.hpp"
#include "ops/axis.hpp"

namespace kiln {

namespace {

// For each (outer, inner) position, the first j along the axis where no
// later entry `beats` the best so far.
template <class Beats>
Tensor arg_along(const char* op, const Tensor& x, int axis, bool keepdims, Beats beats) {
  const std::size_t a = normalize_axis(op, axis, x.shape());
  const AxisSplit s = split_at_axis(x.shape(), a);
  if (s.n == 0) {
    throw ShapeError(std::string(op) + ": axis " + std::to_string(axis) + " of shape " + to_string(x.shape()) +
                     " is empty; there is no position to return");
  }
  Array out = Array::from_shape(reduced_shape(x.shape(), a, keepdims));
  const float* xv = x.value().data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    for (std::size_t k = 0; k < s.inner; ++k) {
      const float* first = xv + o * s.n * s.inner + k;
      std::size_t best = 0;
      for (std::size_t j = 1; j < s.n; ++j) {
        if (beats(first[j * s.inner], first[best * s.inner])) best = j;
      }
      out.data()[o * s.inner + k] = float(best);
    }
  }
  return Tensor(std::move(out));
}

template <class Beats>
Tensor arg_flat(const char* op, const Tensor& x, Beats beats) {
  if (x.size() == 0) throw ShapeError(std::string(op) + ": shape " + to_string(x.shape()) + " is empty");
  const float* xv = x.value().data();
  std::size_t best = 0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    if (beats(xv[i], xv[best])) best = i;
  }
  Array out = Array::from_shape({});
  out() = float(best);
  return Tensor(std::move(out));
}

// Strict, so an equal later entry does not take over (ties: first wins).
constexpr auto larger = [](float candidate, float best) { return candidate > best; };
constexpr auto smaller = [](float candidate, float best) { return candidate < best; };

}  // namespace

Tensor argmax(const Tensor& x, int axis, bool keepdims) { return arg_along("argmax", x, axis, keepdims, larger); }
Tensor argmin(const Tensor& x, int axis, bool keepdims) { return arg_along("argmin", x, axis, keepdims, smaller); }
Tensor argmax(const Tensor& x) { return arg_flat("argmax", x, larger); }
Tensor argmin(const Tensor& x) { return arg_flat("argmin", x, smaller); }

}  // namespace kiln
