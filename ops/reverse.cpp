#include "ops/reverse.hpp"

#include "graph/backward.hpp"
#include "ops/axis.hpp"
#include "ops/block_copy.hpp"

namespace kiln {

namespace {

// Entry j of every (outer) block of `from` goes to entry n-1-j of `to`.
void reverse_blocks(const float* from, float* to, const AxisSplit& s, bool accumulate) {
  for (std::size_t o = 0; o < s.outer; ++o) {
    for (std::size_t j = 0; j < s.n; ++j) {
      copy_or_add(from + (o * s.n + j) * s.inner, s.inner, to + (o * s.n + (s.n - 1 - j)) * s.inner, accumulate);
    }
  }
}

}  // namespace

// d reverse(x) = reverse(g) along the same axis
Tensor reverse(const Tensor& x, int axis) {
  const AxisSplit s = split_at_axis(x.shape(), normalize_axis("reverse", axis, x.shape()));
  Array y = Array::from_shape(x.shape());
  reverse_blocks(x.value().data(), y.data(), s, false);
  return record(std::move(y), {x}, [gx = x.grad_ref(), s](const Array& g) {
    const GradTarget dx = grad_target(gx);
    reverse_blocks(g.data(), dx.data, s, dx.accumulate);
  });
}

}  // namespace kiln
