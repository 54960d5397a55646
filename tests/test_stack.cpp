// stack and unstack: values against layouts worked out by hand, gradients
// against finite differences (including an RNN-style unstack along time where
// only some steps are used), and the errors for bad shapes and axes.

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/arithmetic.hpp"
#include "ops/stack.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

TEST_CASE("stack inserts a new axis at the given position") {
  Tensor a(Array{1.0f, 2.0f});
  Tensor b(Array{3.0f, 4.0f});
  CHECK(stack({a, b}, 0).value() == Array{{1.0f, 2.0f}, {3.0f, 4.0f}});
  CHECK(stack({a, b}, 1).value() == Array{{1.0f, 3.0f}, {2.0f, 4.0f}});
  CHECK(stack({a, b}, -1).value() == Array{{1.0f, 3.0f}, {2.0f, 4.0f}});
  CHECK(stack({a, b, a}, -2).value() == Array{{1.0f, 2.0f}, {3.0f, 4.0f}, {1.0f, 2.0f}});
}

TEST_CASE("stacking (batch, features) steps along axis 1 builds a (batch, time, features) sequence") {
  Tensor step0(Array{{1.0f, 2.0f}, {3.0f, 4.0f}});
  Tensor step1(Array{{5.0f, 6.0f}, {7.0f, 8.0f}});
  Tensor step2(Array{{9.0f, 10.0f}, {11.0f, 12.0f}});
  const Array expected = {{{1.0f, 2.0f}, {5.0f, 6.0f}, {9.0f, 10.0f}},
                          {{3.0f, 4.0f}, {7.0f, 8.0f}, {11.0f, 12.0f}}};
  CHECK(stack({step0, step1, step2}, 1).value() == expected);
}

TEST_CASE("unstack along time returns each step, and stack puts them back") {
  const Array x = {{{1.0f, 2.0f}, {5.0f, 6.0f}, {9.0f, 10.0f}},
                   {{3.0f, 4.0f}, {7.0f, 8.0f}, {11.0f, 12.0f}}};
  const std::vector<Tensor> steps = unstack(Tensor(x), 1);
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].value() == Array{{1.0f, 2.0f}, {3.0f, 4.0f}});
  CHECK(steps[2].value() == Array{{9.0f, 10.0f}, {11.0f, 12.0f}});
  CHECK(stack(steps, 1).value() == x);
  const std::vector<Tensor> features = unstack(Tensor(x), -1);
  REQUIRE(features.size() == 2);
  CHECK(features[1].value() == Array{{2.0f, 6.0f, 10.0f}, {4.0f, 8.0f, 12.0f}});
}

TEST_CASE("using only some unstacked steps gives the others a zero gradient") {
  Array steps_1_to_4 = {1.0f, 2.0f, 3.0f, 4.0f};
  steps_1_to_4.reshape({1, 4, 1});  // (batch 1, time 4, features 1)
  Tensor x = Tensor::parameter(steps_1_to_4, "x");
  std::vector<Tensor> steps = unstack(x, 1);
  // y = x1 * x3 + x1: dy/dx1 = x3 + 1 = 5, dy/dx3 = x1 = 2, steps 0 and 2 unused.
  Array one = Array::from_shape({1, 1});
  one.fill(1.0f);
  backward(steps[1] * steps[3] + steps[1], one);
  Array expected = {0.0f, 5.0f, 0.0f, 2.0f};
  expected.reshape({1, 4, 1});
  CHECK(x.grad() == expected);
}

TEST_CASE("stack and unstack gradients match finite differences along axes 0, 1 and -1") {
  Tensor a = random_param({2, 3}, 41, "a");
  Tensor b = random_param({2, 3}, 42, "b");
  Tensor c = random_param({2, 3}, 43, "c");
  for (int axis : {0, 1, -1}) {
    CAPTURE(axis);
    CHECK_GRADIENTS([&] { return stack({a, b, c, a}, axis); }, {a, b, c});
  }
  Tensor x = random_param({2, 4, 3}, 44, "x");
  CHECK_GRADIENTS([&] {
    std::vector<Tensor> steps = unstack(x, 1);
    return stack({steps[3], steps[1] * steps[3]}, 1);
  }, {x});
  CHECK_GRADIENTS([&] { return stack(unstack(x, 0), -1); }, {x});
  CHECK_GRADIENTS([&] { return unstack(x, -1)[2] + unstack(x, -1)[0]; }, {x});
}

TEST_CASE("stack names the first pair of differing shapes") {
  Tensor a(Array::from_shape({2, 3}));
  Tensor b(Array::from_shape({3, 2}));
  CHECK_THROWS_WITH_AS(stack({a, a, b}, 0), "stack: all shapes must be equal, got (2, 3) and (3, 2)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(stack({a, b}, 3),
                       "stack: axis 3 is out of range for stacking shape (2, 3) (the result has 3 axes)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(stack({a, a}, -4), doctest::Contains("stack: axis -4"), ShapeError);
  CHECK_THROWS_WITH_AS(stack({}, 0), "stack: needs at least one tensor", Error);
  CHECK_THROWS_WITH_AS(unstack(a, 2), doctest::Contains("unstack: axis 2"), ShapeError);
}
