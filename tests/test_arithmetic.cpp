// Broadcasting arithmetic: values, gradients (including the un-broadcast
// sums), and errors on shapes that do not broadcast.

#include "graph/error.hpp"
#include "ops/arithmetic.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

TEST_CASE("arithmetic broadcasts a row across a matrix") {
  Tensor m(Array{{1.0f, 2.0f}, {3.0f, 4.0f}});
  Tensor r(Array{10.0f, 20.0f});
  CHECK((m + r).value() == Array{{11.0f, 22.0f}, {13.0f, 24.0f}});
  CHECK((m - r).value() == Array{{-9.0f, -18.0f}, {-7.0f, -16.0f}});
  CHECK((m * r).value() == Array{{10.0f, 40.0f}, {30.0f, 80.0f}});
  CHECK((r / m).value() == Array{{10.0f, 10.0f}, {10.0f / 3.0f, 5.0f}});
}

TEST_CASE("scalar forms compute x+s, s-x, x*s, s/x and -x") {
  Tensor x(Array{1.0f, 2.0f, 4.0f});
  CHECK((x + 1.0f).value() == Array{2.0f, 3.0f, 5.0f});
  CHECK((1.0f - x).value() == Array{0.0f, -1.0f, -3.0f});
  CHECK((x * 3.0f).value() == Array{3.0f, 6.0f, 12.0f});
  CHECK((4.0f / x).value() == Array{4.0f, 2.0f, 1.0f});
  CHECK((x / 2.0f).value() == Array{0.5f, 1.0f, 2.0f});
  CHECK((-x).value() == Array{-1.0f, -2.0f, -4.0f});
}

TEST_CASE("binary op gradients sum over broadcast axes") {
  Tensor a = random_param({2, 3, 4}, 1, "a");
  Tensor row = random_param({4}, 2, "row");
  Tensor col = random_param({3, 1}, 3, "col");
  Tensor pos = random_param({1, 3, 4}, 4, "pos", 0.5f, 2.0f);  // away from 0 for div
  CHECK_GRADIENTS([&] { return add(a, row); }, {a, row});
  CHECK_GRADIENTS([&] { return sub(col, a); }, {a, col});
  CHECK_GRADIENTS([&] { return mul(a, col); }, {a, col});
  CHECK_GRADIENTS([&] { return div(a, pos); }, {a, pos});
  CHECK_GRADIENTS([&] { return div(row, pos); }, {row, pos});
}

TEST_CASE("scalar and unary op gradients match finite differences") {
  Tensor x = random_param({3, 4}, 5, "x", 0.5f, 2.0f);
  CHECK_GRADIENTS([&] { return neg(x); }, {x});
  CHECK_GRADIENTS([&] { return x + 2.0f; }, {x});
  CHECK_GRADIENTS([&] { return x * -3.0f; }, {x});
  CHECK_GRADIENTS([&] { return 1.0f - x; }, {x});
  CHECK_GRADIENTS([&] { return 2.0f / x; }, {x});
}

TEST_CASE("shapes that do not broadcast name the op and both shapes") {
  Tensor a(Array::from_shape({2, 3}));
  Tensor b(Array::from_shape({2, 4}));
  CHECK_THROWS_WITH_AS(add(a, b), "add: cannot broadcast (2, 3) and (2, 4)", ShapeError);
  CHECK_THROWS_WITH_AS(mul(a, b), doctest::Contains("mul"), ShapeError);
  CHECK_THROWS_AS(div(a, Tensor(Array::from_shape({3, 2}))), ShapeError);
}
