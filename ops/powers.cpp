#include "ops/powers.hpp"

#include <cmath>

#include <xtensor/xmath.hpp>

#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"
#include "ops/elementwise.hpp"

namespace kiln {

// d sqrt(x) = g / (2 y)
Tensor sqrt(const Tensor& x) {
  Array y = elementwise::map(x.value(), [](float v) { return std::sqrt(v); });
  return record(std::move(y), {x}, [gx = x.grad_ref()](const Array& g, const Array& y) {
    accumulate_grad(gx, elementwise::map(g, y, [](float g, float y) { return 0.5f * g / y; }));
  });
}

// d rsqrt(x) = -g y^3 / 2
Tensor rsqrt(const Tensor& x) {
  Array y = elementwise::map(x.value(), [](float v) { return 1.0f / std::sqrt(v); });
  return record(std::move(y), {x}, [gx = x.grad_ref()](const Array& g, const Array& y) {
    accumulate_grad(gx, elementwise::map(g, y, [](float g, float y) { return -0.5f * g * y * y * y; }));
  });
}

// d x^2 = 2 g x
Tensor square(const Tensor& x) {
  Array y = elementwise::map(x.value(), [](float v) { return v * v; });
  return record(std::move(y), {x}, [gx = x.grad_ref(), xv = x.shared_value()](const Array& g) {
    accumulate_grad(gx, elementwise::map(g, *xv, [](float g, float x) { return 2.0f * g * x; }));
  });
}

// d x^s = g s x^(s-1)  (0 for s = 0, where x^(s-1) may be infinite)
Tensor pow(const Tensor& x, float s) {
  Array y = elementwise::map(x.value(), [s](float v) { return std::pow(v, s); });
  return record(std::move(y), {x}, [gx = x.grad_ref(), xv = x.shared_value(), s](const Array& g) {
    if (s == 0.0f) {
      accumulate_grad(gx, Array(xt::zeros<float>(gx.shape())));
      return;
    }
    accumulate_grad(gx, elementwise::map(g, *xv, [s](float g, float x) { return g * s * std::pow(x, s - 1.0f); }));
  });
}

// d a^b = g b a^(b-1) (0 where b = 0),  g y log(a) (0 where a <= 0)
Tensor pow(const Tensor& a, const Tensor& b) {
  broadcast_shapes("pow", a.shape(), b.shape());
  Array y = xt::pow(a.value(), b.value());
  return record(std::move(y), {a, b},
                [ga = a.grad_ref(), gb = b.grad_ref(), av = a.shared_value(), bv = b.shared_value()](
                    const Array& g, const Array& y) {
                  const auto& base = *av;
                  const auto& exponent = *bv;
                  if (ga.requires_grad()) {
                    accumulate_grad(ga, Array(xt::where(xt::equal(exponent, 0.0f), 0.0f,
                                                        g * exponent * xt::pow(base, exponent - 1.0f))));
                  }
                  if (gb.requires_grad()) {
                    const auto safe_log = xt::where(base > 0.0f, xt::log(xt::where(base > 0.0f, base, 1.0f)), 0.0f);
                    accumulate_grad(gb, Array(g * y * safe_log));
                  }
                });
}

}  // namespace kiln
