#include "ops/where.hpp"

#include <xtensor/xoperation.hpp>

#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"

namespace kiln {

namespace {

Tensor scalar_tensor(float value) {
  Array a = Array::from_shape({});
  a() = value;
  return Tensor(std::move(a));
}

}  // namespace

// d where(c, a, b) = g [c != 0], g [c == 0]
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  broadcast_shapes("where", broadcast_shapes("where", condition.shape(), a.shape()), b.shape());
  const auto keep_a = xt::not_equal(condition.value(), 0.0f);
  Array y = xt::where(keep_a, a.value(), b.value());
  return record(std::move(y), {a, b},
                [ga = a.grad_ref(), gb = b.grad_ref(), c = condition.shared_value()](const Array& g) {
                  const auto keep_a = xt::not_equal(*c, 0.0f);
                  if (ga.requires_grad()) accumulate_grad(ga, Array(xt::where(keep_a, g, 0.0f)));
                  if (gb.requires_grad()) accumulate_grad(gb, Array(xt::where(keep_a, 0.0f, g)));
                });
}

Tensor where(const Tensor& condition, const Tensor& a, float b) { return where(condition, a, scalar_tensor(b)); }

Tensor where(const Tensor& condition, float a, const Tensor& b) { return where(condition, scalar_tensor(a), b); }

}  // namespace kiln
