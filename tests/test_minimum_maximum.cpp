// minimum and maximum: values and gradients against TF.js, ties included
// (the whole gradient to the first argument, as TensorFlow), finite
// differences away from ties.

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/minimum_maximum.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"
#include "tfjs_reference.hpp"

using namespace kiln;
using kiln::testing::check_against_tfjs;
using kiln::testing::random_param;

TEST_CASE("maximum and minimum match TF.js, broadcast gradients summed back") {
  const std::string file = "tfjs/ops.safetensors";
  // (2, 3, 4) against (3, 1).
  check_against_tfjs({file, "maximum", 2, {0, 1}}, [](auto& x) { return maximum(x[0], x[1]); });
  check_against_tfjs({file, "minimum", 2, {0, 1}}, [](auto& x) { return minimum(x[0], x[1]); });
  // Small integers: many equal pairs.
  check_against_tfjs({file, "maximum_ties", 2, {0, 1}}, [](auto& x) { return maximum(x[0], x[1]); });
  check_against_tfjs({file, "minimum_ties", 2, {0, 1}}, [](auto& x) { return minimum(x[0], x[1]); });
}

TEST_CASE("a tie gives the whole gradient to the first argument") {
  Tensor a = Tensor::parameter(Array{1.0f, 2.0f, 3.0f});
  Tensor b = Tensor::parameter(Array{1.0f, 5.0f, 0.0f});
  backward(sum(maximum(a, b)));
  CHECK(a.grad() == Array{1.0f, 0.0f, 1.0f});
  CHECK(b.grad() == Array{0.0f, 1.0f, 0.0f});
  a.zero_grad();
  b.zero_grad();
  backward(sum(minimum(a, b)));
  CHECK(a.grad() == Array{1.0f, 1.0f, 0.0f});
  CHECK(b.grad() == Array{0.0f, 0.0f, 1.0f});
}

TEST_CASE("maximum and minimum against a constant") {
  Tensor x = Tensor::parameter(Array{-1.0f, 0.0f, 2.0f});
  CHECK(maximum(x, 0.0f).value() == Array{0.0f, 0.0f, 2.0f});
  CHECK(minimum(x, 0.5f).value() == Array{-1.0f, 0.0f, 0.5f});
  backward(sum(maximum(x, 0.0f)));
  CHECK(x.grad() == Array{0.0f, 1.0f, 1.0f});  // at x == c the gradient is x's
}

TEST_CASE("maximum and minimum gradients match finite differences") {
  Tensor a = random_param({2, 3, 4}, 1, "a");
  Tensor b = random_param({3, 1}, 2, "b");
  CHECK_GRADIENTS([&] { return maximum(a, b); }, {a, b});
  CHECK_GRADIENTS([&] { return minimum(b, a); }, {a, b});
  CHECK_GRADIENTS([&] { return maximum(a, 0.1f) + minimum(a, -0.1f); }, {a});
}

TEST_CASE("maximum names both shapes when they do not broadcast") {
  CHECK_THROWS_WITH_AS(maximum(Tensor(Array::from_shape({2, 3})), Tensor(Array::from_shape({2}))),
                       "maximum: cannot broadcast (2, 3) and (2)", ShapeError);
  CHECK_THROWS_WITH_AS(minimum(Tensor(Array::from_shape({4})), Tensor(Array::from_shape({3}))),
                       "minimum: cannot broadcast (4) and (3)", ShapeError);
}
