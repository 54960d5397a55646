#include "ops/reductions.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/axis.hpp"

namespace kiln {

namespace {

// out[o, k] = scale * sum_j x[o, j, k]
Array sum_along(const Array& x, AxisSplit s, const Shape& out_shape, float scale) {
  Array out = Array::from_shape(out_shape);
  float* y = out.data();
  std::fill(y, y + out.size(), 0.0f);
  const float* xv = x.data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    float* yo = y + o * s.inner;
    for (std::size_t j = 0; j < s.n; ++j) {
      const float* xr = xv + (o * s.n + j) * s.inner;
      for (std::size_t k = 0; k < s.inner; ++k) yo[k] += xr[k];
    }
    if (scale != 1.0f) {
      for (std::size_t k = 0; k < s.inner; ++k) yo[k] *= scale;
    }
  }
  return out;
}

// The adjoint of sum_along: dx[o, j, k] = scale * g[o, k] for every j.
Array spread_along(const Array& g, AxisSplit s, const Shape& in_shape, float scale) {
  Array dx = Array::from_shape(in_shape);
  const float* gv = g.data();
  float* d = dx.data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    const float* go = gv + o * s.inner;
    for (std::size_t j = 0; j < s.n; ++j) {
      float* dr = d + (o * s.n + j) * s.inner;
      for (std::size_t k = 0; k < s.inner; ++k) dr[k] = scale * go[k];
    }
  }
  return dx;
}

Tensor scaled_sum(const char* op, const Tensor& x, int axis, bool keepdims, bool average) {
  const std::size_t a = normalize_axis(op, axis, x.shape());
  const AxisSplit s = split_at_axis(x.shape(), a);
  const float scale = average ? 1.0f / float(s.n) : 1.0f;
  Array y = sum_along(x.value(), s, reduced_shape(x.shape(), a, keepdims), scale);
  return record(std::move(y), {x}, [gx = x.grad_ref(), s, scale](const Array& g) {
    accumulate_grad(gx, spread_along(g, s, gx.shape(), scale));
  });
}

Tensor scaled_total(const Tensor& x, bool average) {
  double total = 0.0;
  const float* xv = x.value().data();
  for (std::size_t i = 0; i < x.size(); ++i) total += xv[i];
  const float scale = average ? 1.0f / float(x.size()) : 1.0f;
  Array y = Array::from_shape(Shape{});
  y.data()[0] = float(total) * scale;
  return record(std::move(y), {x}, [gx = x.grad_ref(), scale](const Array& g) {
    Array dx = Array::from_shape(gx.shape());
    dx.fill(g.data()[0] * scale);
    accumulate_grad(gx, std::move(dx));
  });
}

}  // namespace

// d sum(x, axis) = g broadcast along axis
Tensor sum(const Tensor& x, int axis, bool keepdims) {
  return scaled_sum("sum", x, axis, keepdims, false);
}

// d mean(x, axis) = g / n broadcast along axis
Tensor mean(const Tensor& x, int axis, bool keepdims) {
  return scaled_sum("mean", x, axis, keepdims, true);
}

// d sum(x) = g everywhere
Tensor sum(const Tensor& x) { return scaled_total(x, false); }

// d mean(x) = g / size everywhere
Tensor mean(const Tensor& x) { return scaled_total(x, true); }

// d max(x, axis) = g at the first argmax along axis, 0 elsewhere
Tensor max(const Tensor& x, int axis, bool keepdims) {
  const std::size_t a = normalize_axis("max", axis, x.shape());
  const AxisSplit s = split_at_axis(x.shape(), a);
  if (s.n == 0) {
    throw ShapeError("max: axis " + std::to_string(axis) + " of shape " + to_string(x.shape()) +
                     " is empty; there is no maximum");
  }
  Array y = Array::from_shape(reduced_shape(x.shape(), a, keepdims));
  std::vector<std::size_t> argmax(s.outer * s.inner, 0);
  const float* xv = x.value().data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    float* yo = y.data() + o * s.inner;
    std::size_t* ao = argmax.data() + o * s.inner;
    std::copy(xv + o * s.n * s.inner, xv + (o * s.n + 1) * s.inner, yo);
    for (std::size_t j = 1; j < s.n; ++j) {
      const float* xr = xv + (o * s.n + j) * s.inner;
      for (std::size_t k = 0; k < s.inner; ++k) {
        if (xr[k] > yo[k]) {  // strict: an equal later value does not take over
          yo[k] = xr[k];
          ao[k] = j;
        }
      }
    }
  }
  return record(std::move(y), {x}, [gx = x.grad_ref(), s, argmax = std::move(argmax)](const Array& g) {
                  Array dx = Array::from_shape(gx.shape());
                  dx.fill(0.0f);
                  for (std::size_t o = 0; o < s.outer; ++o) {
                    for (std::size_t k = 0; k < s.inner; ++k) {
                      const std::size_t i = o * s.inner + k;
                      dx.data()[(o * s.n + argmax[i]) * s.inner + k] = g.data()[i];
                    }
                  }
                  accumulate_grad(gx, std::move(dx));
                });
}

}  // namespace kiln
