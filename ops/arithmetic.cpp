#include "ops/arithmetic.hpp"

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::size_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) throw_shape_error(op, "cannot broadcast", a, b);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace {

// Same-shape operands skip xtensor's broadcasting machinery entirely.
template <class F>
Array elementwise(const char* op, const Tensor& a, const Tensor& b, F f) {
  if (a.shape() == b.shape()) return f(a.value(), b.value());
  broadcast_shapes(op, a.shape(), b.shape());
  return f(a.value(), b.value());
}

}  // namespace

// d(a + b) = g, g
Tensor add(const Tensor& a, const Tensor& b) {
  Array y = elementwise("add", a, b, [](const Array& x, const Array& z) -> Array { return x + z; });
  return record(std::move(y), any_requires_grad(a, b), [a, b](const Array& g, const Array&) {
    accumulate_grad(a, g);
    accumulate_grad(b, g);
  });
}

// d(a - b) = g, -g
Tensor sub(const Tensor& a, const Tensor& b) {
  Array y = elementwise("sub", a, b, [](const Array& x, const Array& z) -> Array { return x - z; });
  return record(std::move(y), any_requires_grad(a, b), [a, b](const Array& g, const Array&) {
    accumulate_grad(a, g);
    if (b.requires_grad()) accumulate_grad(b, Array(-g));
  });
}

// d(a * b) = g * b, g * a
Tensor mul(const Tensor& a, const Tensor& b) {
  Array y = elementwise("mul", a, b, [](const Array& x, const Array& z) -> Array { return x * z; });
  return record(std::move(y), any_requires_grad(a, b), [a, b](const Array& g, const Array&) {
    if (a.requires_grad()) accumulate_grad(a, Array(g * b.value()));
    if (b.requires_grad()) accumulate_grad(b, Array(g * a.value()));
  });
}

// d(a / b) = g / b, -g * y / b
Tensor div(const Tensor& a, const Tensor& b) {
  Array y = elementwise("div", a, b, [](const Array& x, const Array& z) -> Array { return x / z; });
  return record(std::move(y), any_requires_grad(a, b), [a, b](const Array& g, const Array& y) {
    if (a.requires_grad()) accumulate_grad(a, Array(g / b.value()));
    if (b.requires_grad()) accumulate_grad(b, Array(-g * y / b.value()));
  });
}

// d(-x) = -g
Tensor neg(const Tensor& x) {
  return record(Array(-x.value()), x.requires_grad(),
                [x](const Array& g, const Array&) { accumulate_grad(x, Array(-g)); });
}

// d(x + s) = g
Tensor add(const Tensor& x, float s) {
  return record(Array(x.value() + s), x.requires_grad(),
                [x](const Array& g, const Array&) { accumulate_grad(x, g); });
}

// d(x * s) = g * s
Tensor mul(const Tensor& x, float s) {
  return record(Array(x.value() * s), x.requires_grad(),
                [x, s](const Array& g, const Array&) { accumulate_grad(x, Array(g * s)); });
}

// d(s - x) = -g
Tensor rsub(float s, const Tensor& x) {
  return record(Array(s - x.value()), x.requires_grad(),
                [x](const Array& g, const Array&) { accumulate_grad(x, Array(-g)); });
}

// d(s / x) = -g * y / x
Tensor rdiv(float s, const Tensor& x) {
  return record(Array(s / x.value()), x.requires_grad(), [x](const Array& g, const Array& y) {
    accumulate_grad(x, Array(-g * y / x.value()));
  });
}

}  // namespace kiln
