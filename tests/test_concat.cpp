// concat: values against layouts worked out by hand, gradients against
// finite differences along several axes, and the errors for bad shapes.

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/arithmetic.hpp"
#include "ops/concat.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

namespace {

// An (n, 1) column: braces cannot spell one-element rows for xtensor.
Array column(Array values) {
  values.reshape({values.size(), 1});
  return values;
}

}  // namespace

TEST_CASE("concat along the last axis appends columns, along axis 0 appends rows") {
  Tensor a(Array{{1.0f, 2.0f}, {3.0f, 4.0f}});
  Tensor b(column({5.0f, 6.0f}));
  Tensor c(Array{{7.0f, 8.0f}});
  CHECK(concat({a, b}).value() == Array{{1.0f, 2.0f, 5.0f}, {3.0f, 4.0f, 6.0f}});
  CHECK(concat({a, b}, 1).value() == Array{{1.0f, 2.0f, 5.0f}, {3.0f, 4.0f, 6.0f}});
  CHECK(concat({a, c}, 0).value() == Array{{1.0f, 2.0f}, {3.0f, 4.0f}, {7.0f, 8.0f}});
  CHECK(concat({c, a, c}, -2).value() ==
        Array{{7.0f, 8.0f}, {1.0f, 2.0f}, {3.0f, 4.0f}, {7.0f, 8.0f}});
}

TEST_CASE("concat along the time axis of (batch, time, features) joins the sequences") {
  Tensor a(Array{{{1.0f, 2.0f}}, {{3.0f, 4.0f}}});                          // (2, 1, 2)
  Tensor b(Array{{{5.0f, 6.0f}, {7.0f, 8.0f}}, {{9.0f, 10.0f}, {11.0f, 12.0f}}});  // (2, 2, 2)
  const Array expected = {{{1.0f, 2.0f}, {5.0f, 6.0f}, {7.0f, 8.0f}},
                          {{3.0f, 4.0f}, {9.0f, 10.0f}, {11.0f, 12.0f}}};
  CHECK(concat({a, b}, 1).value() == expected);
}

TEST_CASE("concat sends each input the slice of the gradient it filled") {
  Tensor a = Tensor::parameter(Array{{1.0f, 2.0f}, {3.0f, 4.0f}}, "a");
  Tensor b = Tensor::parameter(column({5.0f, 6.0f}), "b");
  backward(concat({a, b}), Array{{10.0f, 20.0f, 30.0f}, {40.0f, 50.0f, 60.0f}});
  CHECK(a.grad() == Array{{10.0f, 20.0f}, {40.0f, 50.0f}});
  CHECK(b.grad() == column({30.0f, 60.0f}));
}

TEST_CASE("concat gradients match finite differences along axes 0, 1 and -1") {
  Tensor x = random_param({2, 3, 4}, 21, "x");
  Tensor y = random_param({2, 1, 4}, 22, "y");
  Tensor z = random_param({1, 3, 4}, 23, "z");
  Tensor w = random_param({2, 3, 2}, 24, "w");
  CHECK_GRADIENTS([&] { return concat({x, y, x}, 1); }, {x, y});
  CHECK_GRADIENTS([&] { return concat({z, x}, 0); }, {x, z});
  CHECK_GRADIENTS([&] { return concat({w, x}, -1); }, {x, w});
  // An input that needs no gradient is skipped; the others still get theirs.
  Tensor constant(Array::from_shape({2, 3, 1}));
  constant.mutable_value().fill(0.5f);
  CHECK_GRADIENTS([&] { return concat({constant, x * x}, -1); }, {x});
}

TEST_CASE("concat names the axis and the first mismatching pair of shapes") {
  Tensor a(Array::from_shape({2, 3, 4}));
  Tensor b(Array::from_shape({2, 5, 4}));
  Tensor c(Array::from_shape({3, 3, 4}));
  CHECK_THROWS_WITH_AS(concat({a, b, c}, 1),
                       "concat: along axis 1 all other dimensions must match, got (2, 3, 4) and (3, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(concat({a, b}), doctest::Contains("along axis -1"), ShapeError);
  CHECK_THROWS_WITH_AS(concat({a, Tensor(Array::from_shape({2, 3}))}, 0),
                       doctest::Contains("(2, 3, 4) and (2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(concat({a, a}, 3), doctest::Contains("concat: axis 3"), ShapeError);
  CHECK_THROWS_WITH_AS(concat({}, 0), "concat: needs at least one tensor", Error);
}
