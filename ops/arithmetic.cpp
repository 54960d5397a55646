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
Array apply_broadcast(const char* op, const Tensor& a, const Tensor& b, F f) {
  if (a.shape() == b.shape()) return f(a.value(), b.value());
  broadcast_shapes(op, a.shape(), b.shape());
  return f(a.value(), b.value());
}

// The value of `t` for a backward closure, only when `needed` (an input's
// value is kept only for the other input's gradient).
std::shared_ptr<const Array> value_if(bool needed, const Tensor& t) { return needed ? t.shared_value() : nullptr; }

}  // namespace

// d(a + b) = g, g
Tensor add(const Tensor& a, const Tensor& b) {
  Array y = apply_broadcast("add", a, b, [](const Array& x, const Array& z) -> Array { return x + z; });
  return record(std::move(y), {a, b}, [ga = a.grad_ref(), gb = b.grad_ref()](Array& g) {
    accumulate_grad(ga, g);
    accumulate_grad(gb, std::move(g));  // its last use: no copy
  });
}

// d(a - b) = g, -g
Tensor sub(const Tensor& a, const Tensor& b) {
  Array y = apply_broadcast("sub", a, b, [](const Array& x, const Array& z) -> Array { return x - z; });
  return record(std::move(y), {a, b}, [ga = a.grad_ref(), gb = b.grad_ref()](Array& g) {
    if (gb.requires_grad()) accumulate_grad(gb, Array(-g));
    accumulate_grad(ga, std::move(g));
  });
}

// d(a * b) = g * b, g * a
Tensor mul(const Tensor& a, const Tensor& b) {
  Array y = apply_broadcast("mul", a, b, [](const Array& x, const Array& z) -> Array { return x * z; });
  return record(std::move(y), {a, b},
                [ga = a.grad_ref(), gb = b.grad_ref(), av = value_if(b.requires_grad(), a),
                 bv = value_if(a.requires_grad(), b)](const Array& g) {
                  if (bv) accumulate_grad(ga, Array(g * *bv));
                  if (av) accumulate_grad(gb, Array(g * *av));
                });
}

// d(a / b) = g / b, -g * y / b
Tensor div(const Tensor& a, const Tensor& b) {
  Array y = apply_broadcast("div", a, b, [](const Array& x, const Array& z) -> Array { return x / z; });
  return record(std::move(y), {a, b},
                [ga = a.grad_ref(), gb = b.grad_ref(), bv = b.shared_value()](const Array& g, const Array& y) {
                  if (ga.requires_grad()) accumulate_grad(ga, Array(g / *bv));
                  if (gb.requires_grad()) accumulate_grad(gb, Array(-g * y / *bv));
                });
}

// d(-x) = -g
Tensor neg(const Tensor& x) {
  return record(Array(-x.value()), {x}, [gx = x.grad_ref()](Array& g) {
    g *= -1.0f;
    accumulate_grad(gx, std::move(g));
  });
}

// d(x + s) = g
Tensor add(const Tensor& x, float s) {
  return record(Array(x.value() + s), {x}, [gx = x.grad_ref()](Array& g) { accumulate_grad(gx, std::move(g)); });
}

// d(x * s) = g * s
Tensor mul(const Tensor& x, float s) {
  return record(Array(x.value() * s), {x},
                [gx = x.grad_ref(), s](Array& g) {
                  g *= s;
                  accumulate_grad(gx, std::move(g));
                });
}

// d(s - x) = -g
Tensor rsub(float s, const Tensor& x) {
  return record(Array(s - x.value()), {x}, [gx = x.grad_ref()](const Array& g) { accumulate_grad(gx, Array(-g)); });
}

// d(s / x) = -g * y / x
Tensor rdiv(float s, const Tensor& x) {
  return record(Array(s / x.value()), {x}, [gx = x.grad_ref(), xv = x.shared_value()](const Array& g, const Array& y) {
    accumulate_grad(gx, Array(-g * y / *xv));
  });
}

}  // namespace kiln
