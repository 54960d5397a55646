#include "ops/comparisons.hpp"

#include <xtensor/xoperation.hpp>

#include "ops/arithmetic.hpp"
#include "ops/elementwise.hpp"

namespace kiln {

namespace {

// 1.0 where holds(a, b), 0.0 elsewhere; same shapes take the plain loop.
template <class Holds>
Tensor compare(const char* op, const Tensor& a, const Tensor& b, Holds holds) {
  if (a.shape() == b.shape()) {
    return Tensor(elementwise::map(a.value(), b.value(), [&](float x, float z) { return holds(x, z) ? 1.0f : 0.0f; }));
  }
  broadcast_shapes(op, a.shape(), b.shape());
  return Tensor(Array(xt::where(holds(a.value(), b.value()), 1.0f, 0.0f)));
}

template <class Holds>
Tensor compare(const Tensor& x, float c, Holds holds) {
  return Tensor(elementwise::map(x.value(), [&](float v) { return holds(v, c) ? 1.0f : 0.0f; }));
}

// Generic lambdas: one test serves floats and xtensor expressions (whose
// == and != compare whole arrays, hence xt::equal and xt::not_equal).
struct Equal {
  bool operator()(float a, float b) const { return a == b; }
  template <class A, class B>
  auto operator()(const A& a, const B& b) const { return xt::equal(a, b); }
};
struct NotEqual {
  bool operator()(float a, float b) const { return a != b; }
  template <class A, class B>
  auto operator()(const A& a, const B& b) const { return xt::not_equal(a, b); }
};
constexpr auto is_less = [](const auto& a, const auto& b) { return a < b; };
constexpr auto is_less_equal = [](const auto& a, const auto& b) { return a <= b; };
constexpr auto is_greater = [](const auto& a, const auto& b) { return a > b; };
constexpr auto is_greater_equal = [](const auto& a, const auto& b) { return a >= b; };

}  // namespace

Tensor equal(const Tensor& a, const Tensor& b) { return compare("equal", a, b, Equal{}); }
Tensor not_equal(const Tensor& a, const Tensor& b) { return compare("not_equal", a, b, NotEqual{}); }
Tensor less(const Tensor& a, const Tensor& b) { return compare("less", a, b, is_less); }
Tensor less_equal(const Tensor& a, const Tensor& b) { return compare("less_equal", a, b, is_less_equal); }
Tensor greater(const Tensor& a, const Tensor& b) { return compare("greater", a, b, is_greater); }
Tensor greater_equal(const Tensor& a, const Tensor& b) { return compare("greater_equal", a, b, is_greater_equal); }

Tensor equal(const Tensor& x, float c) { return compare(x, c, Equal{}); }
Tensor not_equal(const Tensor& x, float c) { return compare(x, c, NotEqual{}); }
Tensor less(const Tensor& x, float c) { return compare(x, c, is_less); }
Tensor less_equal(const Tensor& x, float c) { return compare(x, c, is_less_equal); }
Tensor greater(const Tensor& x, float c) { return compare(x, c, is_greater); }
Tensor greater_equal(const Tensor& x, float c) { return compare(x, c, is_greater_equal); }

}  // namespace kiln
