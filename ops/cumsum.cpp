#include "ops/cumsum.hpp"

#include <algorithm>

#include "graph/backward.hpp"
#include "ops/axis.hpp"
#include "ops/reshape.hpp"

namespace kiln {

namespace {

// out[o, j, k] = sum over i <= j (forward) or i >= j (backward) of in[o, i, k].
Array running_sums(const Array& in, AxisSplit s, bool from_the_end) {
  Array out = Array::from_shape(in.shape());
  const float* x = in.data();
  float* y = out.data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    for (std::size_t step = 0; step < s.n; ++step) {
      const std::size_t j = from_the_end ? s.n - 1 - step : step;
      const float* xr = x + (o * s.n + j) * s.inner;
      float* yr = y + (o * s.n + j) * s.inner;
      if (step == 0) {
        std::copy_n(xr, s.inner, yr);
        continue;
      }
      const float* previous = from_the_end ? yr + s.inner : yr - s.inner;
      for (std::size_t k = 0; k < s.inner; ++k) yr[k] = previous[k] + xr[k];
    }
  }
  return out;
}

}  // namespace

// d cumsum(x)_j = sum_{i >= j} g_i: the running sum of g from the end.
Tensor cumsum(const Tensor& x, int axis) {
  const AxisSplit s = split_at_axis(x.shape(), normalize_axis("cumsum", axis, x.shape()));
  return record(running_sums(x.value(), s, false), {x}, [gx = x.grad_ref(), s](const Array& g) {
    accumulate_grad(gx, running_sums(g, s, true));
  });
}

Tensor cumsum(const Tensor& x) { return cumsum(reshape(x, Shape{x.size()}), 0); }

}  // namespace kiln
