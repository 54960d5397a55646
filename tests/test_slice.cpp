// slice and select: values against entries picked by hand, backward as a
// scatter into zeros, gradients against finite differences, and the errors.

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/arithmetic.hpp"
#include "ops/concat.hpp"
#include "ops/slice.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

namespace {

// An (n, 1) column: braces cannot spell one-element rows for xtensor.
Array column(Array values) {
  values.reshape({values.size(), 1});
  return values;
}

// (batch 2, time 3, features 2) with x(b, t, f) = 100 b + 10 t + f.
Array sequence() {
  Array x = Array::from_shape({2, 3, 2});
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t t = 0; t < 3; ++t)
      for (std::size_t f = 0; f < 2; ++f) x(b, t, f) = float(100 * b + 10 * t + f);
  return x;
}

}  // namespace

TEST_CASE("slice keeps the half-open range [start, stop) of one axis") {
  Tensor x(Array{{0.0f, 1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f, 7.0f}});
  CHECK(slice(x, 1, 1, 3).value() == Array{{1.0f, 2.0f}, {5.0f, 6.0f}});
  CHECK(slice(x, 0, 1, 2).value() == Array{{4.0f, 5.0f, 6.0f, 7.0f}});
  CHECK(slice(x, -1, 3, 4).value() == column({3.0f, 7.0f}));
  CHECK(slice(x, 1, 0, 4).value() == x.value());
}

TEST_CASE("slice of the time axis of a sequence keeps those steps") {
  const Array y = slice(Tensor(sequence()), 1, 1, 3).value();
  const Array expected = {{{10.0f, 11.0f}, {20.0f, 21.0f}}, {{110.0f, 111.0f}, {120.0f, 121.0f}}};
  CHECK(y == expected);
}

TEST_CASE("select drops the axis: time step t of (batch, time, features) is (batch, features)") {
  Tensor x(sequence());
  CHECK(select(x, 1, 2).value() == Array{{20.0f, 21.0f}, {120.0f, 121.0f}});
  CHECK(select(x, 0, 1).value() == Array{{100.0f, 101.0f}, {110.0f, 111.0f}, {120.0f, 121.0f}});
  CHECK(select(x, -1, 0).value() == Array{{0.0f, 10.0f, 20.0f}, {100.0f, 110.0f, 120.0f}});
}

TEST_CASE("slice backward scatters the gradient into zeros") {
  Tensor x = Tensor::parameter(Array::from_shape({2, 4}), "x");
  backward(slice(x, 1, 1, 3), Array{{1.0f, 2.0f}, {3.0f, 4.0f}});
  CHECK(x.grad() == Array{{0.0f, 1.0f, 2.0f, 0.0f}, {0.0f, 3.0f, 4.0f, 0.0f}});
  backward(select(x, 0, 1), Array{10.0f, 20.0f, 30.0f, 40.0f});  // adds to the gradient
  CHECK(x.grad() == Array{{0.0f, 1.0f, 2.0f, 0.0f}, {10.0f, 23.0f, 34.0f, 40.0f}});
}

TEST_CASE("slice and select gradients match finite differences along axes 0, 1 and -1") {
  Tensor x = random_param({2, 3, 4}, 31, "x");
  CHECK_GRADIENTS([&] { return slice(x, 0, 1, 2); }, {x});
  CHECK_GRADIENTS([&] { return slice(x, 1, 0, 2); }, {x});
  CHECK_GRADIENTS([&] { return slice(x, -1, 1, 4); }, {x});
  CHECK_GRADIENTS([&] { return select(x, 0, 0); }, {x});
  CHECK_GRADIENTS([&] { return select(x, 1, 2); }, {x});
  CHECK_GRADIENTS([&] { return select(x, -1, 3); }, {x});
  // Overlapping slices of one tensor add their gradients.
  CHECK_GRADIENTS([&] { return concat({slice(x, -1, 0, 3), slice(x, -1, 1, 4) * slice(x, -1, 0, 3)}, 1); }, {x});
}

TEST_CASE("slice and select name the axis, the range or index, and the shape") {
  Tensor x(Array::from_shape({2, 4}));
  CHECK_THROWS_WITH_AS(slice(x, 1, 2, 5), "slice: range [2, 5) of axis 1 is empty or outside shape (2, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(slice(x, -1, 3, 3), doctest::Contains("range [3, 3) of axis -1"), ShapeError);
  CHECK_THROWS_WITH_AS(slice(x, 2, 0, 1), doctest::Contains("slice: axis 2"), ShapeError);
  CHECK_THROWS_WITH_AS(select(x, 0, 2), "select: index 2 is out of range for axis 0 of shape (2, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(select(x, -3, 0), doctest::Contains("select: axis -3"), ShapeError);
}
