#include "ops/minimum_maximum.hpp"

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"
#include "ops/elementwise.hpp"

namespace kiln {

namespace {

// The larger (or smaller) of a and b, where `a_wins(a, b)` says when the
// first argument is taken: its gradient is g there, b's is g elsewhere.
template <class AWins>
Tensor select_between(const char* op, const Tensor& a, const Tensor& b, AWins a_wins) {
  broadcast_shapes(op, a.shape(), b.shape());
  const Array& av = a.value();
  const Array& bv = b.value();
  Array y = a.shape() == b.shape() ? elementwise::map(av, bv, [&](float x, float z) { return a_wins(x, z) ? x : z; })
                                   : Array(xt::where(a_wins(av, bv), av, bv));
  return record(std::move(y), {a, b},
                [ga = a.grad_ref(), gb = b.grad_ref(), av = a.shared_value(), bv = b.shared_value(),
                 a_wins](const Array& g) {
                  const auto taken = a_wins(*av, *bv);
                  if (ga.requires_grad()) accumulate_grad(ga, Array(xt::where(taken, g, 0.0f)));
                  if (gb.requires_grad()) accumulate_grad(gb, Array(xt::where(taken, 0.0f, g)));
                });
}

// One constant bound: x where `x_wins(x, c)`, c elsewhere.
template <class XWins>
Tensor select_against(const Tensor& x, float c, XWins x_wins) {
  Array y = elementwise::map(x.value(), [&](float v) { return x_wins(v, c) ? v : c; });
  return record(std::move(y), {x}, [gx = x.grad_ref(), xv = x.shared_value(), c, x_wins](const Array& g) {
    accumulate_grad(gx, elementwise::map(g, *xv, [&](float g, float v) { return x_wins(v, c) ? g : 0.0f; }));
  });
}

// Generic so the same test serves floats and xtensor expressions.
constexpr auto greater_or_equal = [](const auto& a, const auto& b) { return a >= b; };
constexpr auto less_or_equal = [](const auto& a, const auto& b) { return a <= b; };

}  // namespace

// d max(a, b) = g [a >= b], g [a < b]
Tensor maximum(const Tensor& a, const Tensor& b) { return select_between("maximum", a, b, greater_or_equal); }

// d min(a, b) = g [a <= b], g [a > b]
Tensor minimum(const Tensor& a, const Tensor& b) { return select_between("minimum", a, b, less_or_equal); }

// d max(x, c) = g [x >= c]
Tensor maximum(const Tensor& x, float c) { return select_against(x, c, greater_or_equal); }

// d min(x, c) = g [x <= c]
Tensor minimum(const Tensor& x, float c) { return select_against(x, c, less_or_equal); }

}  // namespace kiln
