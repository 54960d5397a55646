// softmax and log_softmax: values worked by hand, stability for huge logits,
// gradients along every axis of a batched tensor, and bad axes.

#include <algorithm>
#include <cmath>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/softmax.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

namespace {

// An (n, 1) column: Array{{a}, {b}} is ambiguous to xtensor's constructors.
Array column(std::initializer_list<float> values) {
  Array c = Array::from_shape({values.size(), 1});
  std::copy(values.begin(), values.end(), c.begin());
  return c;
}

}  // namespace

TEST_CASE("softmax of [0, ln 2, ln 3] is [1/6, 2/6, 3/6]") {
  // exp gives 1, 2, 3; their sum is 6.
  Tensor x(Array{0.0f, std::log(2.0f), std::log(3.0f)});
  const Array y = softmax(x).value();
  CHECK(y(0) == doctest::Approx(1.0 / 6.0));
  CHECK(y(1) == doctest::Approx(2.0 / 6.0));
  CHECK(y(2) == doctest::Approx(3.0 / 6.0));
  const Array ly = log_softmax(x).value();
  CHECK(ly(0) == doctest::Approx(-std::log(6.0)));
  CHECK(ly(1) == doctest::Approx(std::log(2.0 / 6.0)));
  CHECK(ly(2) == doctest::Approx(std::log(3.0 / 6.0)));
}

TEST_CASE("softmax along axis 0 normalizes each column") {
  // column 0: exp(0), exp(ln 3) = 1, 3 -> 1/4, 3/4; column 1: equal -> 1/2, 1/2
  Tensor x(Array{{0.0f, 5.0f}, {std::log(3.0f), 5.0f}});
  const Array y = softmax(x, 0).value();
  CHECK(y(0, 0) == doctest::Approx(0.25));
  CHECK(y(1, 0) == doctest::Approx(0.75));
  CHECK(y(0, 1) == doctest::Approx(0.5));
  CHECK(y(1, 1) == doctest::Approx(0.5));
  CHECK(log_softmax(x, -2).value()(1, 0) == doctest::Approx(std::log(0.75)));
}

TEST_CASE("softmax sums to 1 along the chosen axis of a (2, 3, 4) tensor") {
  Tensor x = random_param({2, 3, 4}, 11, "x", -3.0f, 3.0f);
  for (int axis : {0, 1, 2}) {
    CAPTURE(axis);
    const Array y = softmax(x, axis).value();
    const std::size_t n = x.shape()[std::size_t(axis)];
    for (std::size_t a = 0; a < 2; ++a)
      for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t c = 0; c < 4; ++c) {
          std::size_t idx[3] = {a, b, c};
          if (idx[axis] != 0) continue;
          double total = 0.0;
          for (std::size_t j = 0; j < n; ++j) {
            idx[axis] = j;
            total += y(idx[0], idx[1], idx[2]);
          }
          CHECK(total == doctest::Approx(1.0));
        }
  }
}

TEST_CASE("softmax of rows longer than a SIMD register matches a double-precision loop") {
  // 37 classes: full vector blocks plus a tail, whatever the register width.
  // Row 0 peaks in the tail, row 1 inside the first block.
  Array v = kiln::testing::random_array({2, 37}, 13, -4.0f, 4.0f);
  v(0, 35) = 6.0f;
  v(1, 2) = 6.0f;
  const Array y = softmax(Tensor(v)).value();
  const Array ly = log_softmax(Tensor(v)).value();
  for (std::size_t r = 0; r < 2; ++r) {
    double total = 0.0;
    for (std::size_t c = 0; c < 37; ++c) total += std::exp(double(v(r, c)));
    for (std::size_t c = 0; c < 37; ++c) {
      CHECK(y(r, c) == doctest::Approx(std::exp(double(v(r, c))) / total));
      CHECK(ly(r, c) == doctest::Approx(double(v(r, c)) - std::log(total)));
    }
  }
  Tensor x = Tensor::parameter(v, "x");
  CHECK_GRADIENTS([&] { return softmax(x); }, {x});
  CHECK_GRADIENTS([&] { return log_softmax(x); }, {x});
}

TEST_CASE("softmax and log_softmax stay finite for logits of 1e4") {
  Tensor x(Array{1e4f, 1e4f, 0.0f});
  const Array y = softmax(x).value();
  CHECK(y(0) == doctest::Approx(0.5));
  CHECK(y(1) == doctest::Approx(0.5));
  CHECK(y(2) == 0.0f);
  const Array ly = log_softmax(x).value();
  CHECK(ly(0) == doctest::Approx(-std::log(2.0)));
  CHECK(ly(2) == doctest::Approx(-1e4 - std::log(2.0)));
  // Down the columns too (the strided path).
  Tensor col(column({-1e4f, 1e4f}));
  CHECK(softmax(col, 0).value() == column({0.0f, 1.0f}));
}

TEST_CASE("softmax backward is y * (g - sum(g * y)) worked by hand") {
  // y = [1/4, 3/4]; with g = [1, 0]: sum(g*y) = 1/4, dx = [1/4 * 3/4, 3/4 * -1/4]
  Tensor x = Tensor::parameter(Array{0.0f, std::log(3.0f)}, "x");
  backward(softmax(x), Array{1.0f, 0.0f});
  CHECK(x.grad()(0) == doctest::Approx(3.0 / 16.0));
  CHECK(x.grad()(1) == doctest::Approx(-3.0 / 16.0));
  // log_softmax with g = [1, 0]: dx = g - y * sum(g) = [3/4, -3/4]
  x.zero_grad();
  backward(log_softmax(x), Array{1.0f, 0.0f});
  CHECK(x.grad()(0) == doctest::Approx(0.75));
  CHECK(x.grad()(1) == doctest::Approx(-0.75));
}

TEST_CASE("softmax and log_softmax gradients match finite differences on every axis") {
  Tensor x = random_param({2, 3, 4}, 12, "x", -2.0f, 2.0f);
  for (int axis : {0, 1, 2, -1, -2}) {
    CAPTURE(axis);
    CHECK_GRADIENTS([&] { return softmax(x, axis); }, {x});
    CHECK_GRADIENTS([&] { return log_softmax(x, axis); }, {x});
  }
}

TEST_CASE("softmax names the op, the axis and the shape for an axis out of range") {
  Tensor x(Array::from_shape({2, 3, 4}));
  CHECK_THROWS_WITH_AS(softmax(x, 3), "softmax: axis 3 is out of range for shape (2, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(log_softmax(x, -4),
                       "log_softmax: axis -4 is out of range for shape (2, 3, 4)", ShapeError);
  CHECK_THROWS_WITH_AS(softmax(Tensor(Array(1.0f))), doctest::Contains("shape ()"), ShapeError);
}
