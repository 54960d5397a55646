// Reductions: sums, means and maxima along each axis against closed forms,
// whole-tensor reductions to a scalar, gradients, and bad axes.

#include <algorithm>
#include <xtensor/xbuilder.hpp>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::column;
using kiln::testing::random_param;

namespace {

// x[a, b, c] = 12a + 4b + c: the numbers 0..23 in a (2, 3, 4) tensor.
Tensor counting_tensor() {
  Array v = xt::arange<float>(24.0f);
  v.reshape({2, 3, 4});
  return Tensor(v);
}

}  // namespace

TEST_CASE("sum, mean and max of a matrix along each axis") {
  Tensor m(Array{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  CHECK(kiln::sum(m, 0).value() == Array{5.0f, 7.0f, 9.0f});
  CHECK(kiln::sum(m, 1).value() == Array{6.0f, 15.0f});
  CHECK(kiln::sum(m, -1, true).value() == column({6.0f, 15.0f}));
  CHECK(kiln::mean(m, 0).value() == Array{2.5f, 3.5f, 4.5f});
  CHECK(kiln::mean(m, 1, true).value() == column({2.0f, 5.0f}));
  CHECK(kiln::max(m, 1).value() == Array{3.0f, 6.0f});
  CHECK(kiln::max(m, -2).value() == Array{4.0f, 5.0f, 6.0f});
}

TEST_CASE("reductions of a (2, 3, 4) tensor follow the closed forms of 12a + 4b + c") {
  const Tensor x = counting_tensor();
  const Array s1 = kiln::sum(x, 1).value();  // sum over b = 36a + 12 + 3c
  REQUIRE(s1.shape() == Shape{2, 4});
  for (std::size_t a = 0; a < 2; ++a)
    for (std::size_t c = 0; c < 4; ++c) CHECK(s1(a, c) == float(36 * a + 12 + 3 * c));
  const Array m2 = kiln::mean(x, -1, true).value();  // mean over c = 12a + 4b + 1.5
  REQUIRE(m2.shape() == Shape{2, 3, 1});
  for (std::size_t a = 0; a < 2; ++a)
    for (std::size_t b = 0; b < 3; ++b)
      CHECK(m2(a, b, 0) == doctest::Approx(12.0 * a + 4.0 * b + 1.5));
  const Array x0 = kiln::max(x, 0).value();  // max over a = 12 + 4b + c
  REQUIRE(x0.shape() == Shape{3, 4});
  for (std::size_t b = 0; b < 3; ++b)
    for (std::size_t c = 0; c < 4; ++c) CHECK(x0(b, c) == float(12 + 4 * b + c));
}

TEST_CASE("whole-tensor sum and mean return a scalar of shape ()") {
  const Tensor x = counting_tensor();
  const Tensor s = kiln::sum(x);
  CHECK(s.shape() == Shape{});
  CHECK(s.item() == 276.0f);  // 0 + 1 + ... + 23 = 23 * 24 / 2
  CHECK(kiln::mean(x).item() == doctest::Approx(11.5));
}

TEST_CASE("max sends the gradient to the first maximum only") {
  Tensor x = Tensor::parameter(Array{{1.0f, 3.0f, 3.0f}, {2.0f, 0.0f, -1.0f}}, "x");
  const Tensor y = kiln::max(x, 1);
  CHECK(y.value() == Array{3.0f, 2.0f});
  backward(y, Array{10.0f, 20.0f});
  CHECK(x.grad() == Array{{0.0f, 10.0f, 0.0f}, {20.0f, 0.0f, 0.0f}});
}

TEST_CASE("sum and mean spread the gradient evenly") {
  Tensor x = Tensor::parameter(Array{{1.0f, 2.0f}, {3.0f, 4.0f}}, "x");
  backward(kiln::mean(x, 0), Array{2.0f, 4.0f});
  CHECK(x.grad() == Array{{1.0f, 2.0f}, {1.0f, 2.0f}});
  x.zero_grad();
  backward(kiln::sum(x, 1, true), column({3.0f, 5.0f}));
  CHECK(x.grad() == Array{{3.0f, 3.0f}, {5.0f, 5.0f}});
  x.zero_grad();
  backward(kiln::mean(x));  // a scalar: seeded with 1, shared by 4 elements
  CHECK(x.grad() == Array{{0.25f, 0.25f}, {0.25f, 0.25f}});
}

TEST_CASE("reduction gradients match finite differences along every axis") {
  Tensor x = random_param({2, 3, 4}, 21, "x");
  for (int axis : {0, 1, 2, -1}) {
    for (bool keepdims : {false, true}) {
      CAPTURE(axis);
      CAPTURE(keepdims);
      CHECK_GRADIENTS([&] { return kiln::sum(x, axis, keepdims); }, {x});
      CHECK_GRADIENTS([&] { return kiln::mean(x, axis, keepdims); }, {x});
      CHECK_GRADIENTS([&] { return kiln::max(x, axis, keepdims); }, {x});
    }
  }
  CHECK_GRADIENTS([&] { return kiln::sum(x); }, {x});
  CHECK_GRADIENTS([&] { return kiln::mean(x); }, {x});
}

TEST_CASE("reductions name the op, the axis and the shape for an axis out of range") {
  Tensor x(Array::from_shape({2, 3, 4}));
  CHECK_THROWS_WITH_AS(kiln::sum(x, 3), "sum: axis 3 is out of range for shape (2, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(kiln::mean(x, -4), "mean: axis -4 is out of range for shape (2, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(kiln::max(x, 5, true), "max: axis 5 is out of range for shape (2, 3, 4)",
                       ShapeError);
  Tensor empty(Array::from_shape({2, 0}));
  CHECK_THROWS_WITH_AS(kiln::max(empty, 1),
                       "max: axis 1 of shape (2, 0) is empty; there is no maximum", ShapeError);
}
