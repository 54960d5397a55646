// reverse: values against orders written out by hand, the gradient as the
// reversed output gradient, finite differences, and the axis error.

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reverse.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

TEST_CASE("reverse flips the order of one axis and leaves the others") {
  Tensor x(Array{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  CHECK(reverse(x, 1).value() == Array{{3.0f, 2.0f, 1.0f}, {6.0f, 5.0f, 4.0f}});
  CHECK(reverse(x, 0).value() == Array{{4.0f, 5.0f, 6.0f}, {1.0f, 2.0f, 3.0f}});
  CHECK(reverse(x, -1).value() == reverse(x, 1).value());
  CHECK(reverse(reverse(x, 1), 1).value() == x.value());
}

TEST_CASE("reverse along time turns a (batch, time, features) sequence back to front") {
  const Array seq = {{{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}}, {{7.0f, 8.0f}, {9.0f, 10.0f}, {11.0f, 12.0f}}};
  const Array expected = {{{5.0f, 6.0f}, {3.0f, 4.0f}, {1.0f, 2.0f}}, {{11.0f, 12.0f}, {9.0f, 10.0f}, {7.0f, 8.0f}}};
  CHECK(reverse(Tensor(seq), 1).value() == expected);
}

TEST_CASE("the gradient of reverse is the output gradient reversed, added to an existing one") {
  Tensor x = Tensor::parameter(Array{1.0f, 2.0f, 3.0f}, "x");
  // L = sum(reverse(x) * (10, 20, 30)) + sum(x * (1, 1, 1)): dL/dx = (30, 20, 10) + 1
  backward(reverse(x, 0) * Tensor(Array{10.0f, 20.0f, 30.0f}) + x, Array{1.0f, 1.0f, 1.0f});
  CHECK(x.grad() == Array{31.0f, 21.0f, 11.0f});
}

TEST_CASE("reverse gradients match finite differences on every axis") {
  Tensor x = random_param({2, 3, 4}, 5, "x");
  for (int axis : {0, 1, 2, -1}) {
    CAPTURE(axis);
    CHECK_GRADIENTS([&] { return reverse(x, axis); }, {x});
  }
}

TEST_CASE("reverse names the axis and the shape when the axis is out of range") {
  CHECK_THROWS_WITH_AS(reverse(Tensor(Array::from_shape({2, 3})), 2),
                       "reverse: axis 2 is out of range for shape (2, 3)", ShapeError);
}
