#include "ops/sign.hpp"

#include <cmath>

#include "graph/backward.hpp"
#include "ops/elementwise.hpp"

namespace kiln {

namespace {

float sign_of(float v) { return v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : v; }  // keeps 0, -0 and NaN

}  // namespace

// d |x| = g sign(x)
Tensor abs(const Tensor& x) {
  Array y = elementwise::map(x.value(), [](float v) { return std::fabs(v); });
  return record(std::move(y), {x}, [gx = x.grad_ref(), xv = x.shared_value()](const Array& g) {
    accumulate_grad(gx, elementwise::map(g, *xv, [](float g, float x) { return g * (x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : 0.0f); }));
  });
}

Tensor sign(const Tensor& x) { return Tensor(elementwise::map(x.value(), sign_of)); }

}  // namespace kiln
